"""braintree/card-validator's card number tests for the sixteenth set (issue 16).

``src/__tests__/card-number.ts`` (string literals only, no TypeScript run): every number
the tests hand ``cardNumber``, in the ``describe.each`` tables and the option tests.
Labels by the seventh and eighth sets' rule for cards (holds for the whole kind):

* a full card number, 12 to 19 digits bare or in groups of three or more digits split
  by one space or hyphen (``4111-1111-1111-1111``), is ``CARD`` where Luhn holds and it
  is not one digit repeated, whatever the test expects of its brand's length rules;
* a number Luhn fails (``6212345000000001``: UnionPay's, valid to the library without
  Luhn; ``5732806135556590``: the skipLuhnValidation test's) is a look-alike, left out,
  never a negative;
* a partial number (``6011``, ``41111``) and one spread by irregular spacing
  (``601 1 1 1  1 1 1 1 …``: not one span in a text) are left out.
"""

from __future__ import annotations

import re
from collections import Counter

from stdnum import luhn

from ..outside.harvest import Harvest

SOURCE = "cardvalidator"
PATH = "src/__tests__/card-number.ts"
_LITERAL = re.compile(r'"([^"\\\n]*)"')
_GROUPED = re.compile(r"\d{3,}(?:[ -]\d{3,})*")


def label(value: str) -> tuple[str | None, str]:
    """(``CARD`` or None, why it was left out)."""
    if not _GROUPED.fullmatch(value):
        return None, "not a number in one span"
    digits = re.sub(r"\D", "", value)
    if not 12 <= len(digits) <= 19:
        return None, "a partial number (or too long)"
    if len(set(digits)) == 1 or not luhn.is_valid(digits):
        return None, "Luhn fails: a look-alike"
    return "CARD", ""


def harvest(h: Harvest, test_ts: str) -> Counter[str]:
    """Add every card number; returns what was left out, by why."""
    skipped: Counter[str] = Counter()
    for value in _LITERAL.findall(test_ts):
        got, why = label(value)
        if got:
            h.add(got, value, SOURCE, PATH)
        elif any(c.isdigit() for c in value):
            skipped[why] += 1
    return skipped
