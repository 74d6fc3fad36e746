"""Builds the sixteenth set's ``values.jsonl``: PII (e-mail addresses, IBANs, payment
cards) and the inputs a PII filter must leave alone, from projects none of the fifteen
other outside sets uses, measured before anybody tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.sixteenth.harvest --mirrors /work/.mirror

Same shape as ``twelfth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. Three projects, each with its label rules in its module:

* dominicsayers/isemail's ``test/tests.xml`` and ``tests-original.xml``
  (``isemail.py``): addresses by the category is_email gives them (valid, RFC 5321,
  errors);
* arhs/iban.js's tests and country examples (``ibanjs.py``): IBANs and BBANs;
* braintree/card-validator's card number tests (``cardvalidator.py``).

The label rules by kind are the eighth and twelfth sets': an e-mail address only where a
text can hold it as one span, a card only where Luhn holds, an IBAN only where mod 97
holds (a failing one is a look-alike, left out, never a negative); a negative only where
nothing of an asked kind's shape is in it. Items whose value another set already holds
are dropped (``Harvest.write_unseen``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import cardvalidator, ibanjs, isemail

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    p
    for name in (
        "outside", "holdout", "fresh", "fourth", "fifth", "sixth", "seventh", "eighth",
        "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
    )
    if (p := HERE.parent / name / "values.jsonl").exists()
)  # fmt: skip


def collect(mirrors: Path) -> tuple[Harvest, Counter[str]]:
    """Every source's items, in order, and what the harvest skipped, by source and why."""
    h = Harvest()
    skipped: Counter[str] = Counter()
    for path in isemail.PATHS:
        got = isemail.harvest(h, path, PINNED.show(mirrors, "isemail", path))
        skipped.update({f"isemail: {why}": n for why, n in got.items()})
    for name, got in (
        (
            "ibanjs",
            ibanjs.harvest(
                h,
                PINNED.show(mirrors, "ibanjs", ibanjs.TEST),
                PINNED.show(mirrors, "ibanjs", ibanjs.LIBRARY),
            ),
        ),
        (
            "cardvalidator",
            cardvalidator.harvest(h, PINNED.show(mirrors, "cardvalidator", cardvalidator.PATH)),
        ),
    ):
        skipped.update({f"{name}: {why}": n for why, n in got.items()})
    return h, skipped


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect, notes_of="sixteenth")


if __name__ == "__main__":
    main()
