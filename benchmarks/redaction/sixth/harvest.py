"""Builds the sixth set's ``values.jsonl``: from projects that neither the outside suite,
the holdout, the fresh set, the fourth set nor the fifth set uses, measured before
anybody tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.sixth.harvest --mirrors /work/.mirror

Same shape as ``fifth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. Sources, each with its label rules in its module:

* go-playground/validator's ``validator_test.go`` (``goplayground.py``): e-mail, E.164
  phones, SSNs, cards, IPs, JWTs; EINs, MAC and crypto addresses (not asked); ISBN,
  ISSN, ULIDs and digests as hard negatives;
* apache/commons-validator's routine tests (``commons.py``): cards, the IBAN fixtures
  of every registry country, IPv4/IPv6 and e-mail asserts;
* python-validators/validators' tests (``pyvalidators.py``): cards, IBANs, e-mail, IPs,
  personal identifiers (Finland, France, Spain, India, Russia), company numbers (not
  asked); digests, securities codes, UUIDs as hard negatives.

Across the three the label rules are the same by kind: an invalid card, IBAN, phone or
identifier (a bad check digit, another country's format) is still that kind's look-alike
and is left out, never a negative; an invalid e-mail or IP is a negative only where
nothing of the type is in it. Items whose value the outside suite, the holdout, the
fresh set, the fourth set or the fifth set already holds are dropped
(``Harvest.write_unseen``).
"""

from __future__ import annotations

from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import commons, goplayground, pyvalidators

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    HERE.parent / name / "values.jsonl"
    for name in ("outside", "holdout", "fresh", "fourth", "fifth")
)


def collect(mirrors: Path) -> Harvest:
    """Every source's items, in order."""
    h = Harvest()
    goplayground.harvest(h, lambda path: PINNED.show(mirrors, "go-validator", path))
    commons.harvest(h, lambda path: PINNED.show(mirrors, "commons-validator", path))
    pyvalidators.harvest(
        h,
        lambda folder: PINNED.ls(mirrors, "py-validators", folder),
        lambda path: PINNED.show(mirrors, "py-validators", path),
    )
    return h


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect)


if __name__ == "__main__":
    main()
