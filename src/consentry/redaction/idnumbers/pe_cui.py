"""Peruvian DNI (CUI) written with its check character after a hyphen, as the card
prints it: eight digits, ``-``, one check digit or letter (``10117410-2``).

python-stdnum's ``pe.cui`` also takes the eight digits alone, which any eight-digit run
is; the check character is the only evidence a number is a DNI, so this form asks for
it, and for the hyphen that sets it apart from a nine-digit run (a tenth of which
would pass). stdnum's check decides.
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidFormat, InvalidLength
from stdnum.pe import cui
from stdnum.util import clean

from . import accepts

_LAYOUT = re.compile(r"[0-9]{8}-[0-9A-K]")


def compact(number: str) -> str:
    """The number without spaces, upper case; the hyphen is kept (it is the layout)."""
    return str(clean(number, " ")).strip().upper()


def validate(number: str) -> str:
    """The compact number, or a stdnum ``ValidationError``."""
    number = compact(number)
    if len(number) != 10:
        raise InvalidLength()
    if not _LAYOUT.fullmatch(number):
        raise InvalidFormat()
    return str(cui.validate(number))


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the number."""
    return accepts(validate, number)
