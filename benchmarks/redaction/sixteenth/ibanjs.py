"""arhs/iban.js's tests for the sixteenth set (issue 16).

``test/ibanTest.js`` (string literals only, no JavaScript run) and the country
examples of ``iban.js`` (``new Specification("BE", 16, "F03F07F02", "BE68539007547034")``),
which the test ``should return true for all examples`` asserts valid. Labels by kind:

* an IBAN the tests assert valid (``isValid('…')).to.be.true``), format
  (``electronicFormat``, ``printFormat``, ``toBBAN`` arguments; ``equal('…')`` results)
  or take as a country's example is ``IBAN`` where the mod-97 check holds (checked here,
  not by the library); one failing it (``ZZ68…``: no such country, ``BE68…035``: a
  changed digit) is a look-alike, left out, never a negative;
* a BBAN (the account number inside an IBAN, without country and check digits) that
  ``isValidBBAN`` accepts or ``toBBAN`` gives back is ``NOT_ASKED:BANK_ACCOUNT``, as the
  fourteenth set's bank accounts are.

No negatives: every value the tests reject is IBAN- or BBAN-shaped.
"""

from __future__ import annotations

import re
from collections import Counter

from ..eighth.schwifty import mod97
from ..outside.harvest import Harvest

SOURCE = "ibanjs"
TEST = "test/ibanTest.js"
LIBRARY = "iban.js"
_SHAPE = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}")
_VALID = re.compile(r"isValid\('([^']*)'\)\)\.to\.be\.true")
_FORMATTED = re.compile(r"(?:electronicFormat|printFormat|toBBAN)\('([^']*)'")
_RESULT = re.compile(r"equal\('([^']*)'\)")
_BBAN = re.compile(r"isValidBBAN\('[A-Z]{2}', '([^']*)'\)\)\.to\.be\.true")
_EXAMPLE = re.compile(r'new Specification\("[A-Z]{2}",\s*\d+,\s*"\w+",\s*"(\w+)"\)')


def iban_label(value: str) -> str | None:
    """``IBAN`` for an IBAN-shaped value whose check holds, else None."""
    return "IBAN" if _SHAPE.fullmatch(value) and mod97(value) else None


def harvest(h: Harvest, test_js: str, library_js: str) -> Counter[str]:
    """Add the tests' IBANs and BBANs, then the library's examples; returns the look-alikes
    left out, by why."""
    skipped: Counter[str] = Counter()
    ibans = [(TEST, v) for r in (_VALID, _FORMATTED) for v in r.findall(test_js)]
    bbans = _BBAN.findall(test_js)
    for value in _RESULT.findall(test_js):
        if _SHAPE.fullmatch(value):
            ibans.append((TEST, value))
        else:
            bbans.append(value)
    ibans += [(LIBRARY, v) for v in _EXAMPLE.findall(library_js)]
    for path, value in ibans:
        if iban_label(value):
            h.add("IBAN", value, SOURCE, path)
        else:
            skipped["an IBAN-shaped value whose mod-97 check fails: a look-alike"] += 1
    for value in bbans:
        h.add("NOT_ASKED:BANK_ACCOUNT", value, SOURCE, TEST)
    return skipped
