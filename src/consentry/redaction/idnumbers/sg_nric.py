"""Singapore's NRIC and FIN (National Registration Identity Card, Foreign
Identification Number): a series letter, seven digits and a check letter (``S1234567D``).

``S``/``T`` are citizens and permanent residents born before/from 2000, ``F``/``G``
foreigners issued before/from 2000. The check letter comes from the digits weighted
2 7 6 5 4 3 2, plus 4 for the ``T`` and ``G`` series, modulo 11: ``JZIHGFEDCBA`` for
``S``/``T``, ``XWUTRQPNMLK`` for ``F``/``G`` (the registry's published check). The ``M``
series (from 2022) is not taken: its table is not the one published for the others.
"""

from __future__ import annotations

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.util import clean, isdigits

from . import accepts

_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_TABLES = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK"}


def compact(number: str) -> str:
    """The number without spaces, upper case."""
    return str(clean(number, " ")).strip().upper()


def validate(number: str) -> str:
    """The compact number, or a stdnum ``ValidationError``."""
    number = compact(number)
    if len(number) != 9:
        raise InvalidLength()
    if number[0] not in _TABLES or not isdigits(number[1:8]) or not number[8].isalpha():
        raise InvalidFormat()
    total = sum(int(d) * w for d, w in zip(number[1:8], _WEIGHTS, strict=True))
    total += 4 if number[0] in "TG" else 0
    if _TABLES[number[0]][total % 11] != number[8]:
        raise InvalidChecksum()
    return number


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the number."""
    return accepts(validate, number)
