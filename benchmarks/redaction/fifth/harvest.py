"""Builds the fifth set's ``values.jsonl``: from projects that neither the outside
suite, the holdout, the fresh set nor the fourth set uses, measured before anybody
tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.fifth.harvest --mirrors /work/.mirror

Same shape as ``fourth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. Sources, each with its label rules in its module:

* validatorjs/validator.js' validator tests (``validatorjs.py``): PII (phone numbers
  per locale, identity and tax numbers, IBANs, cards, e-mail, IPs, JWTs), personal
  kinds SPEC §4 does not ask for (passports, plates, VAT numbers: scored apart) and
  hard negatives (ISBN, EAN, UUID, dates, amounts, versions);
* Checkmarx/2ms' rule tests (``twoms.py``): provider tokens in their lines, URL and
  curl passwords, JWTs, private keys; the tests' false positives as negatives;
* JoshData/python-email-validator's syntax tests (``emailvalidator.py``): e-mail
  addresses (IDN, international local parts) and inputs that hold none.

Items whose value the outside suite, the holdout, the fresh set or the fourth set
already holds are dropped (``Harvest.write_unseen``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import emailvalidator, twoms, validatorjs

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    HERE.parent / name / "values.jsonl" for name in ("outside", "holdout", "fresh", "fourth")
)


def collect(mirrors: Path) -> tuple[Harvest, Counter[str]]:
    """Every source's items, in order, and the 2ms notes (what was skipped, how often)."""
    h = Harvest()
    validatorjs.harvest(h, lambda path: PINNED.show(mirrors, "validator.js", path))
    notes = twoms.harvest(
        h,
        lambda folder: PINNED.ls(mirrors, "2ms", folder),
        lambda path: PINNED.show(mirrors, "2ms", path),
    )
    emailvalidator.harvest(h, lambda path: PINNED.show(mirrors, "email-validator", path))
    return h, notes


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect, notes_of="2ms")


if __name__ == "__main__":
    main()
