"""Kuwait's civil ID number (الرقم المدني): twelve digits, a century digit (``2`` for
the 1900s, ``3`` for the 2000s; ``1`` for the 1800s), the holder's birth date as
``YYMMDD``, four serial digits and a check digit.

The check digit is 11 less the weighted sum of the first eleven digits (weights 2 1 6 3 7
9 10 5 8 4 2) modulo 11; a sum that leaves 0 or 1 has no digit, so no number is issued
with it (the Public Authority for Civil Information's check). The birth date must be a
date, which most twelve-digit runs are not.
"""

from __future__ import annotations

import datetime

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.util import clean, isdigits

from . import accepts

_WEIGHTS = (2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CENTURY = {"1": 1800, "2": 1900, "3": 2000}


def compact(number: str) -> str:
    """The number without spaces and dashes."""
    return str(clean(number, " -")).strip()


def validate(number: str) -> str:
    """The compact number, or a stdnum ``ValidationError``."""
    number = compact(number)
    if len(number) != 12:
        raise InvalidLength()
    if not isdigits(number) or number[0] not in _CENTURY:
        raise InvalidFormat()
    try:
        year = _CENTURY[number[0]] + int(number[1:3])
        datetime.date(year, int(number[3:5]), int(number[5:7]))
    except ValueError:
        raise InvalidComponent() from None
    total = sum(int(d) * w for d, w in zip(number[:11], _WEIGHTS, strict=True))
    if 11 - total % 11 != int(number[11]):
        raise InvalidChecksum()
    return number


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the number."""
    return accepts(validate, number)
