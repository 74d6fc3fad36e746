"""Builds the seventeenth set's ``values.jsonl``: secrets (AWS keys in credentials files
and code, secret access keys in assignments and CSV rows, provider tokens, a private key
block) and the lines a secret scanner must let pass, from three projects none of the
sixteen other outside sets uses, measured before anybody tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.seventeenth.harvest --mirrors /work/.mirror

Same shape as ``tenth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. Three sources, with their label rules in their modules:

* awslabs/git-secrets' bats tests (``gitsecrets.py``): a credentials file's values and
  the lines and commit messages the tests assert pass;
* deepfence/SecretScanner's sample of keys and Bearer/bearer's gitleaks and secrets
  tests (``scanners.py``): the lines their scanners must flag.

The label rules by kind are the tenth set's: a token in its snippet ``TOKEN_CONTEXT``,
a value after a secret key word ``KEYWORD_SECRET``, a key block ``PRIVATE_KEY``,
identifiers ``NOT_ASKED:IDENTIFIER``; a negative only where nothing of an asked kind's
shape is in it. Items whose value another set already holds are dropped
(``Harvest.write_unseen``).
"""

from __future__ import annotations

from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import gitsecrets, scanners

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    p
    for name in (
        "outside", "holdout", "fresh", "fourth", "fifth", "sixth", "seventh", "eighth",
        "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
        "sixteenth",
    )
    if (p := HERE.parent / name / "values.jsonl").exists()
)  # fmt: skip


def collect(mirrors: Path) -> Harvest:
    """Every source's items, in order."""
    h = Harvest()
    gitsecrets.harvest(h, lambda path: PINNED.show(mirrors, "git-secrets", path))
    scanners.keys(h, PINNED.show(mirrors, "secretscanner", scanners.KEYS))
    scanners.bearer(h, lambda path: PINNED.show(mirrors, "bearer", path))
    return h


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect)


if __name__ == "__main__":
    main()
