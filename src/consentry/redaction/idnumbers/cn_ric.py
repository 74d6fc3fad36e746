"""China's Resident Identity Card number, checked as python-stdnum checks it but for the
place of birth: 17 digits and a check character (ISO 7064 mod 11-2, ``X`` for 10), the
birth date in digits 7-14, and the first two digits a province-level code.

stdnum's ``cn.ric`` also looks the first six digits up in its table of counties and the
years each existed; numbers of counties missing from that table, or renumbered, fail
there although their checksum and date hold (Faker's zh_CN identity numbers and
validator.js's zh-CN examples: issue 16, round fifteen). The check character and the date
already take about one 18-digit run in 2,000.
"""

from __future__ import annotations

from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from . import accepts

# Province-level divisions: the first two digits of every county code (GB/T 2260).
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50,
     51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)  # fmt: skip


def compact(number: str) -> str:
    """The number without separators, upper case (stdnum's ``compact``)."""
    return str(ric.compact(number))


def validate(number: str) -> str:
    """The compact number, or a stdnum ``ValidationError``."""
    number = compact(number)
    if len(number) != 18:
        raise InvalidLength()
    if not number[:-1].isdigit() or not number[:-1].isascii():
        raise InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidChecksum()
    if int(number[:2]) not in _PROVINCES or not 1880 <= ric.get_birth_date(number).year <= 2100:
        raise InvalidComponent()
    return number


def is_valid(number: str) -> bool:
    """True when ``validate`` accepts the number."""
    return accepts(validate, number)
