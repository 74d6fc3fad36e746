"""Builds the eighth set's ``values.jsonl``: from projects that neither the outside suite,
the holdout, the fresh set, nor the fourth to seventh sets use, measured before anybody
tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.eighth.harvest --mirrors /work/.mirror

Same shape as ``seventh/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. Sources, each with its label rules in its module:

* piisa/pii-extract-plg-regex's per-country task tests (``piisa.py``): phones of a dozen
  countries, personal identifiers with check digits (TFN, SIN, Aadhaar, CUIL, DNI/NIE,
  CURP, NIR, CPF, NIF, CNP, Chinese resident ids), SSNs, cards, e-mail, IPs; company
  numbers, identifiers without a check digit, passports, bank accounts, ages, ZIP codes
  and blockchain addresses not asked;
* egulias/EmailValidator's validation tests (``egulias.py``): RFC 5322 addresses the
  validator accepts, and rejected inputs with nothing address-like as negatives;
* mdomke/schwifty's IBAN and BIC tests (``schwifty.py``): IBANs of ~100 territories
  where mod 97 holds; BICs (a bank's public code) as negatives.

Across the three the label rules are the same by kind: the label is what the project
says is a value of its kind, mapped to the suite's types; a card only where Luhn holds,
an IP only where it parses, a checksummed identifier only where its check holds: a
failing one, and every rejected card, identifier, IBAN or phone, is still that kind's
look-alike and left out, never a negative; a rejected e-mail, IP or ZIP code is a
negative only where nothing of an asked kind's shape is in it. Kinds SPEC §4 does not
ask for are scored apart as ``NOT_ASKED:*``. Items whose value another set already holds
are dropped (``Harvest.write_unseen``).
"""

from __future__ import annotations

from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import egulias, piisa, schwifty

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    HERE.parent / name / "values.jsonl"
    for name in ("outside", "holdout", "fresh", "fourth", "fifth", "sixth", "seventh")
)


def collect(mirrors: Path) -> Harvest:
    """Every source's items, in order."""
    h = Harvest()
    piisa.harvest(
        h,
        lambda folder: PINNED.ls(mirrors, "piisa", folder),
        lambda path: PINNED.show(mirrors, "piisa", path),
    )
    egulias.harvest(h, lambda path: PINNED.show(mirrors, "emailvalidator", path))
    schwifty.harvest(h, lambda path: PINNED.show(mirrors, "schwifty", path))
    return h


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect)


if __name__ == "__main__":
    main()
