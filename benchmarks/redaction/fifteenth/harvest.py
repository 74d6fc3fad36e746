"""Builds the fifteenth set's ``values.jsonl``: PII and secrets in chat prompts (e-mail
addresses, phones, SSNs, cards, IP addresses, provider tokens, JWTs, passwords in URLs,
values of secret keys) and the prompts a filter must leave alone, from two projects none
of the fourteen other outside sets uses, measured before anybody tunes on it (issue 16).

    .venv/bin/python -m benchmarks.redaction.fifteenth.harvest --mirrors /work/.mirror

Same shape as ``twelfth/harvest.py``: every item names its source (``sources.json``:
project, commit, licence) and file, and the label is the other project's, mapped onto
the suite's types by kind. Two sources, each with its label rules in its module:

* protectai/llm-guard's scanner tests (``llmguard.py``): each prompt (or LLM output) with
  the sanitized text the scanner must give back, so what it replaced is known exactly,
  the prompts it must give back unchanged, and its regex patterns' examples;
* newrelic/rusty-hog's scanner unit tests (``rustyhog.py``): it has no fixture files;
  its tests' lines with the findings they assert.

The label rules by kind are the seventh and tenth sets': a card only where Luhn holds
(else ``NOT_ASKED:CARD_NO_LUHN``); a secret by its shape (a known prefix
``TOKEN_PREFIXED``, a JWT, a URL's password, a value after a key word
``KEYWORD_SECRET``); kinds SPEC §4 does not ask for (names, organisations, places, the
user's hidden names, UUIDs, BTC addresses, URLs, dates, times, colours, prices, PO
boxes) scored apart as ``NOT_ASKED:*``; a negative only where nothing of an asked
kind's shape is in it, and never a text kept by configuration. Values that came with a
prompt are scored in it (``run.py``). Items whose value another set already holds are
dropped (``Harvest.write_unseen``).
"""

from __future__ import annotations

from pathlib import Path

from ..mirrors import PinnedSources
from ..outside.harvest import Harvest, write_set
from . import llmguard, rustyhog

HERE = Path(__file__).parent
PINNED = PinnedSources(HERE / "sources.json")
SEEN = tuple(
    p
    for name in (
        "outside", "holdout", "fresh", "fourth", "fifth", "sixth", "seventh", "eighth",
        "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
    )
    if (p := HERE.parent / name / "values.jsonl").exists()
)  # fmt: skip


def collect(mirrors: Path) -> Harvest:
    """Every source's items, in order."""
    h = Harvest()
    llmguard.harvest(h, lambda path: PINNED.show(mirrors, "llm-guard", path))
    rustyhog.harvest(h, lambda path: PINNED.show(mirrors, "rusty-hog", path))
    return h


def main() -> None:
    """Write values.jsonl and print the counts per source and label."""
    write_set(__doc__, HERE / "values.jsonl", SEEN, collect)


if __name__ == "__main__":
    main()
