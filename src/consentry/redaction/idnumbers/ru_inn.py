"""Russian taxpayer number of a person (ИНН физического лица): twelve digits.

python-stdnum's ``ru.inn`` checks both forms. The ten-digit form is an organisation's,
and with one check digit it takes one random ten-digit run in ten. A person's number has
twelve digits and two check digits, so this module accepts only that form and leaves the
checking to stdnum.
"""

from __future__ import annotations

from stdnum.exceptions import InvalidLength
from stdnum.ru import inn

from . import accepts


def compact(number: str) -> str:
    """The number without spaces."""
    return str(inn.compact(number))


def validate(number: str) -> str:
    """The compact number, or a stdnum ``ValidationError``."""
    number = compact(number)
    if len(number) != 12:
        raise InvalidLength()
    return str(inn.validate(number))


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the number."""
    return accepts(validate, number)
