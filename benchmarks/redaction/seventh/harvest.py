"""Builds the seventh set's ``values.jsonl``: from projects that neither the outside suite,
the holdout, the fresh set, the fourth, the fifth nor the sixth set uses, measured
before anybody tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.seventh.harvest --mirrors /work/.mirror

Same shape as ``sixth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. Two of the sources redact personal data themselves and
publish what they must redact; the third extracts it. Sources, each with its label
rules in its module:

* DataFog/datafog-python's labelled corpus and regex tests (``datafog.py``): e-mail,
  phones, SSNs, cards, IPs, German IBANs and personal numbers; names, dates, ZIP codes
  and German VAT and passport numbers (not asked); entity-free inputs as negatives;
* solvvy/redact-pii's expected redactions (``redactpii.py``): the text behind each
  placeholder of ``redact(input) == output``; inputs it leaves alone as negatives;
* madisonmay/CommonRegex's extraction tests (``commonregex.py``): e-mail, phones, IPs,
  SSNs, cards; BTC and street addresses (not asked); dates, times, prices, colours
  and links as hard negatives.

Across the three the label rules are the same by kind: the label is what the project
says must be redacted or extracted, mapped to the suite's types; a card is a ``CARD``
only where Luhn holds (SPEC §4 asks for Luhn-checked cards), an IP only where it
parses, a checksummed identifier only where its check digit holds: a failing one, and
every rejected card, SSN or phone, is still that kind's look-alike and left out, never
a negative; a rejected e-mail or IP, or an input with no entity, is a negative only
where nothing of an asked kind's shape is in it. Names, addresses, dates and postal
codes are not asked by SPEC §4 (names go through the optional NER stage): scored
apart as ``NOT_ASKED:*``. Items whose value another set already holds are dropped
(``Harvest.write_unseen``).
"""

from __future__ import annotations

from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import commonregex, datafog, redactpii

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    HERE.parent / name / "values.jsonl"
    for name in ("outside", "holdout", "fresh", "fourth", "fifth", "sixth")
)


def collect(mirrors: Path) -> Harvest:
    """Every source's items, in order."""
    h = Harvest()
    datafog.harvest(h, lambda path: PINNED.show(mirrors, "datafog", path))
    redactpii.harvest(h, lambda path: PINNED.show(mirrors, "redact-pii", path))
    commonregex.harvest(h, lambda path: PINNED.show(mirrors, "commonregex", path))
    return h


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect)


if __name__ == "__main__":
    main()
