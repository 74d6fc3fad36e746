"""Builds the fourteenth set's ``values.jsonl``: PII (checksummed national identifiers,
IBANs, e-mail and IP addresses) and the inputs a PII filter must leave alone, from two
projects none of the thirteen other outside sets uses, measured before anybody tunes on
it (issue 16).

    .venv/bin/python -m benchmarks.redaction.fourteenth.harvest --mirrors /work/.mirror

Same shape as ``twelfth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. Two projects, each with its label rules in its module:

* django/django-localflavor's form field tests (``localflavor.py``): each country's
  fields with the inputs they accept and reject (national ids, social security and
  personal tax numbers, IBANs, BICs, company and VAT numbers, bank accounts, postal
  codes, licence plates);
* bigcode-project/bigcode-dataset's PII pipeline (``bigcode.py``): the e-mail and IP
  addresses and keys it names with the outcome it states.

The label rules by kind are the seventh, eighth and twelfth sets': a checksummed
identifier or IBAN only where its check holds (a failing one is a look-alike, left out,
never a negative); kinds SPEC §4 does not ask for (postal codes, company and VAT
numbers, identifiers without a check digit, ...) scored apart as ``NOT_ASKED:*``; a
negative only where nothing of an asked kind's shape is in it. Items whose value another
set already holds are dropped (``Harvest.write_unseen``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import bigcode, localflavor

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    p
    for name in (
        "outside", "holdout", "fresh", "fourth", "fifth", "sixth", "seventh", "eighth",
        "ninth", "tenth", "eleventh", "twelfth", "thirteenth",
    )
    if (p := HERE.parent / name / "values.jsonl").exists()
)  # fmt: skip


def collect(mirrors: Path) -> tuple[Harvest, Counter[str]]:
    """Every source's items, in order, and what the harvest skipped, by why."""
    h = Harvest()
    skipped = localflavor.harvest(
        h,
        lambda folder: PINNED.ls(mirrors, "localflavor", folder),
        lambda path: PINNED.show(mirrors, "localflavor", path),
    )
    skipped.update(bigcode.harvest(h, lambda path: PINNED.show(mirrors, "bigcode", path)))
    return h, skipped


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect, notes_of="harvest")


if __name__ == "__main__":
    main()
