"""Builds the eleventh set's ``values.jsonl``: PII and secrets from getsentry/relay's PII
scrubber tests (``relay-pii``), a project none of the ten other sets use, measured
before anybody tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.eleventh.harvest

relay's tests give, for each rule, an input and what is left of it, so the span relay
scrubs is known exactly. Sources, each with its label rules in its module:

* ``relay-pii/src/builtin.rs``'s rule tests (``builtin.py``): one row per rule and
  input (IP, IMEI, MAC, UUID, e-mail, IBAN, card, PEM key, URL credentials, SSN, user
  paths) and the 77 IBANs of ``test_valid_iban_codes``;
* ``relay-pii/src/convert.rs``'s data-scrubbing tests and their snapshots
  (``convert.py``): sensitive variables, cookies, cards, URLs, keys, addresses, and the
  fields the tests keep;
* relay's integration fixtures for PII (``integration.py``);
* ``relay-pii/src/eap.rs``'s attribute tests and ``processor.rs``'s tests
  (``attributes.py``).

The mirror was over ``fetch``'s size limit (777,758,720 bytes against 500 MB), so the
rows were read through the index's ``read_file`` at the commits ``sources.json`` pins
(one per file; ``what`` says which) and are held in the modules as data; the harvest
needs no mirror. Labels by kind (``kinds.py``): what relay scrubs and SPEC §4 asks for
is the suite's type where its shape holds (Luhn for cards, mod 97 for IBANs); what relay
scrubs and SPEC §4 does not ask for (IMEI, MAC, UUID, user names in paths, public keys,
cookies and values removed only for their field's name with nothing secret-shaped,
card- and IBAN-shaped numbers whose check fails) is ``NOT_ASKED:<kind>``; what relay's
tests keep is a negative only where nothing of an asked kind's shape is in it. Items
whose value another set already holds are dropped (``Harvest.write_unseen``).
"""

from __future__ import annotations

from pathlib import Path

from ..outside.harvest import Harvest, write_set
from . import attributes, builtin, convert, integration

HERE = Path(__file__).parent
SETS = ("outside", "holdout", "fresh", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
SEEN = tuple(HERE.parent / name / "values.jsonl" for name in SETS)


def collect(_mirrors: Path | None = None) -> Harvest:
    """Every source's items, in order (the rows are data here: no mirror is read)."""
    h = Harvest()
    builtin.harvest(h)
    convert.harvest(h)
    integration.harvest(h)
    attributes.harvest(h)
    return h


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect)


if __name__ == "__main__":
    main()
