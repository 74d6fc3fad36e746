"""Taiwanese national identification card number (國民身分證統一編號).

A letter (the place of first registration), ``1`` or ``2`` (the holder's sex), seven
digits and a check digit. The letter stands for two digits (``A`` = 10 … ``Z`` = 33, in
the authority's order, with ``I``, ``O``, ``W``-``Z`` out of sequence); the weighted sum
(1, 9, then 8 down to 1, then 1) of those two and the nine digits is a multiple of 10.
"""

from __future__ import annotations

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.util import clean, isdigits

from . import accepts

# The two digits each letter stands for (Ministry of the Interior's table).
_LETTERS = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))


def compact(number: str) -> str:
    """The number without spaces and dashes, in upper case."""
    return str(clean(number, " -")).strip().upper()


def validate(number: str) -> str:
    """The compact number, or a stdnum ``ValidationError``."""
    number = compact(number)
    if len(number) != 10:
        raise InvalidLength()
    if number[0] not in _LETTERS or not isdigits(number[1:]) or number[1] not in "12":
        raise InvalidFormat()
    code = _LETTERS[number[0]]
    digits = [code // 10, code % 10, *map(int, number[1:])]
    weights = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
    if sum(d * w for d, w in zip(digits, weights, strict=True)) % 10:
        raise InvalidChecksum()
    return number


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the number."""
    return accepts(validate, number)
