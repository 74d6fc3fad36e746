"""Uruguay's identity card number (cédula de identidad) written with its check digit
after a hyphen, as the card prints it: six or seven digits, maybe grouped by dots, ``-``,
one check digit (``1.234.567-2``, ``123.456-7``).

The check digit is 10 less the sum of the digits weighted 2 9 8 7 6 3 4 (the last
seven, right-aligned), modulo 10 (Dirección Nacional de Identificación Civil's check).
One digit in ten passes, so the bare digits are not taken: the hyphen before the check
digit is the layout that says it is a CI (as ``pe_cui``'s).
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from . import accepts

_LAYOUT = re.compile(r"(?:[0-9]{1,3}(?:\.[0-9]{3}){2}|[0-9]{6,7}|[0-9]{3}\.[0-9]{3})-[0-9]")
_WEIGHTS = (2, 9, 8, 7, 6, 3, 4)


def compact(number: str) -> str:
    """The number without spaces; the dots and the hyphen are kept (they are the layout)."""
    return number.replace(" ", "").strip()


def validate(number: str) -> str:
    """The compact number, or a stdnum ``ValidationError``."""
    number = compact(number)
    if not 8 <= len(number) <= 11:
        raise InvalidLength()
    if not _LAYOUT.fullmatch(number):
        raise InvalidFormat()
    digits = number.replace(".", "").replace("-", "").rjust(8, "0")
    total = sum(int(d) * w for d, w in zip(digits[:7], _WEIGHTS, strict=True))
    if (10 - total % 10) % 10 != int(digits[7]):
        raise InvalidChecksum()
    return number


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the number."""
    return accepts(validate, number)
