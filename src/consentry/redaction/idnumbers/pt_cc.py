"""Portuguese Cartão de Cidadão number as the card prints it: nine digits (the civil
identification number and its check digit), two version letters, one check digit.

python-stdnum's ``pt.cc`` checks the mod-10 digit over any digit count before the two
version characters, so it takes about a tenth of all digit runs; this form narrows it
to the printed layout (``00000000 0 ZZ4``): twelve characters, letters where the version
stands. stdnum's check digit then decides.
"""

from __future__ import annotations

import re

from stdnum.exceptions import InvalidFormat, InvalidLength
from stdnum.pt import cc

from . import accepts

_LAYOUT = re.compile(r"[0-9]{9}[A-Z]{2}[0-9]")


def compact(number: str) -> str:
    """The number without spaces, upper case (stdnum's ``compact``)."""
    return str(cc.compact(number))


def validate(number: str) -> str:
    """The compact number, or a stdnum ``ValidationError``."""
    number = compact(number)
    if len(number) != 12:
        raise InvalidLength()
    if not _LAYOUT.fullmatch(number):
        raise InvalidFormat()
    return str(cc.validate(number))


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the number."""
    return accepts(validate, number)
