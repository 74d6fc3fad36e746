"""Builds the thirteenth set's ``values.jsonl``: secrets (passwords after their key
words in code and config, provider tokens, Basic credentials, JWTs, key blocks, card
numbers) and the snippets two secret scanners do not flag, from projects none of the
twelve other outside sets uses, measured before anybody tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.thirteenth.harvest --mirrors /work/.mirror

Same shape as ``tenth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind (``golit.kind``). Two sources, with their label rules in
their modules:

* thoughtworks/talisman's detector tests (``talisman.py``): contents its pattern and
  file-content detectors must flag or must not;
* americanexpress/earlybird's rule examples and post-process tests (``earlybird.py``):
  what a secret or card rule flags, and what the checks after it keep or drop.

microsoft/DevSkim was looked at and left out: its only secret rules
(``rules/default/security/privacy/secrets.json``) hold two must-match examples, both a
run of ``12`` (a placeholder by the suite's rules), and three must-not-match lines.

A snippet not flagged is a negative only where nothing of an asked kind's shape is in
it (``golit.clean``); near-misses are left out, never negatives. Items whose value
another set already holds are dropped (``Harvest.write_unseen``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import earlybird, talisman

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    p
    for name in (
        "outside", "holdout", "fresh", "fourth", "fifth", "sixth", "seventh", "eighth",
        "ninth", "tenth", "eleventh", "twelfth",
    )
    if (p := HERE.parent / name / "values.jsonl").exists()
)  # fmt: skip


def collect(mirrors: Path) -> tuple[Harvest, Counter[str]]:
    """Every source's items, in order, and what the harvest skipped, by why."""
    h = Harvest()
    skipped: Counter[str] = Counter()
    for name, module in (("talisman", talisman), ("earlybird", earlybird)):
        got = module.harvest(
            h,
            lambda folder, s=name: PINNED.ls(mirrors, s, folder),
            lambda path, s=name: PINNED.show(mirrors, s, path),
        )
        skipped.update({f"{name}: {why}": n for why, n in got.items()})
    return h, skipped


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect, notes_of="thirteenth")


if __name__ == "__main__":
    main()
