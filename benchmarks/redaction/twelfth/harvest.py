"""Builds the twelfth set's ``values.jsonl``: PII (SSNs, phones, e-mail addresses, cards,
IBANs, IP addresses, checksummed national ids) and the inputs a PII filter must leave
alone, from a project none of the eleven other outside sets uses, measured before anybody
tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.twelfth.harvest --mirrors /work/.mirror

Same shape as ``eighth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. One project, its two kinds of test each with its label
rules in its module:

* philterd/phileas's filter tests (``phileas.py``): each filter's inputs with the spans
  it must find, and inputs it must find nothing in;
* the same project's identifier validator tests (``validators.py``): the values each
  checksum validator accepts (national ids, IBANs, cards, company numbers, BICs).

The label rules by kind are the seventh and eighth sets': a card only where Luhn holds,
a checksummed identifier or IBAN only where its check holds (a failing one is a
look-alike, left out, never a negative); kinds SPEC §4 does not ask for (ZIP codes,
dates, ages, VINs, URLs without credentials, names, addresses) scored apart as
``NOT_ASKED:*``; a negative only where nothing of an asked kind's shape is in it. Items
whose value another set already holds are dropped (``Harvest.write_unseen``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import phileas, validators

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    p
    for name in (
        "outside", "holdout", "fresh", "fourth", "fifth", "sixth", "seventh", "eighth",
        "ninth", "tenth", "eleventh",
    )
    if (p := HERE.parent / name / "values.jsonl").exists()
)  # fmt: skip


def collect(mirrors: Path) -> tuple[Harvest, Counter[str]]:
    """Every source's items, in order, and what the harvest skipped, by why."""
    h = Harvest()
    ls = lambda folder: PINNED.ls(mirrors, "phileas", folder)  # noqa: E731
    show = lambda path: PINNED.show(mirrors, "phileas", path)  # noqa: E731
    skipped = phileas.harvest(h, ls, show)
    skipped.update(validators.harvest(h, ls, show))
    return h, skipped


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect, notes_of="phileas")


if __name__ == "__main__":
    main()
