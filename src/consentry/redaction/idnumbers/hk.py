"""Hong Kong identity card number (香港身份證號碼), written without its brackets.

One or two letters, six digits and a check character (a digit or ``A``), which
is usually written in brackets: ``A123456(3)``. With letters counted ``A`` = 10 …
``Z`` = 35 and a missing first letter as 36, the weighted sum (9 down to 2) of the
eight places plus the check (``A`` = 10) is a multiple of 11.
"""

from __future__ import annotations

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.util import clean, isdigits

from . import accepts


def compact(number: str) -> str:
    """The number without spaces, dashes and the check's brackets, in upper case."""
    return str(clean(number, " -()[]")).strip().upper()


def validate(number: str) -> str:
    """The compact number, or a stdnum ``ValidationError``."""
    number = compact(number)
    if len(number) not in (8, 9):
        raise InvalidLength()
    head, digits, check = number[:-7], number[-7:-1], number[-1]
    if not (head.isalpha() and head.isascii() and isdigits(digits) and check in "0123456789A"):
        raise InvalidFormat()
    values = [36] * (2 - len(head)) + [ord(c) - 55 for c in head] + list(map(int, digits))
    total = sum(v * w for v, w in zip(values, range(9, 1, -1), strict=True))
    if (total + (10 if check == "A" else int(check))) % 11:
        raise InvalidChecksum()
    return number


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the number."""
    return accepts(validate, number)
