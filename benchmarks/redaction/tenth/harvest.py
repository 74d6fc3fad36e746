"""Builds the tenth set's ``values.jsonl``: secrets (provider tokens and keys in their
code and config, database passwords in URLs and settings, private keys, JWTs) and the
snippets a secret scanner rejects, from a project none of the nine other outside sets
uses, measured before anybody tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.tenth.harvest --mirrors /work/.mirror

Same shape as ``ninth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. One source, with its label rules in its module:

* SonarSource/sonar-text's secrets rules (``sonartext.py``): each provider rule's
  examples, a code or config snippet with the rule's answer and the secret's text.

The label rules by kind are the ninth set's: a token alone ``TOKEN_PREFIXED``, in its
snippet ``TOKEN_CONTEXT``, after a password word ``KEYWORD_SECRET``; a bare string with
no prefix or key word ``NOT_ASKED:HIGH_ENTROPY``; a rejected snippet is a negative only
where nothing of an asked kind's shape is in it (placeholders, variables, ``${ENV}``);
near-misses are left out, never negatives. Items whose value another set already holds
are dropped (``Harvest.write_unseen``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import sonartext

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    HERE.parent / name / "values.jsonl"
    for name in (
        "outside", "holdout", "fresh", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"
    )
)  # fmt: skip


def collect(mirrors: Path) -> tuple[Harvest, Counter[str]]:
    """Every source's items, in order, and what the harvest skipped, by why."""
    h = Harvest()
    skipped = sonartext.harvest(
        h,
        lambda folder: PINNED.ls(mirrors, "sonartext", folder),
        lambda path: PINNED.show(mirrors, "sonartext", path),
    )
    return h, skipped


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect, notes_of="sonartext")


if __name__ == "__main__":
    main()
