"""Iranian national code (کد ملی): ten digits, the last a mod-11 check digit.

The check digit ``c`` of digits ``d1..d9`` with ``s = sum(d_i * (11 - i)) % 11`` is
``s`` when ``s < 2``, else ``11 - s``. A run of one repeated digit is refused.
"""

from __future__ import annotations

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.util import clean, isdigits

from . import accepts


def compact(number: str) -> str:
    """The number without spaces and dashes."""
    return str(clean(number, " -")).strip()


def validate(number: str) -> str:
    """The compact number, or a stdnum ``ValidationError``."""
    number = compact(number)
    if len(number) != 10:
        raise InvalidLength()
    if not isdigits(number) or len(set(number)) == 1:
        raise InvalidFormat()
    total = sum(int(d) * (10 - i) for i, d in enumerate(number[:9])) % 11
    if int(number[9]) != (total if total < 2 else 11 - total):
        raise InvalidChecksum()
    return number


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the number."""
    return accepts(validate, number)
