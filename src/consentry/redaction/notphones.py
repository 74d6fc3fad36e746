"""Numbers that look like phone numbers and are something else (issue 16, SPEC §4).

The phone validator of :mod:`.fieldnumbers` refuses these by their documented shape:
dates (ISO 8601 calendar and ordinal dates, year month day with spaces, ranges of years), times
(``YYYYMMDDhhmmss``, Unix time in milliseconds), amounts (a currency sign or code before
a number grouped in thousands), ISBNs as ISO 2108 prints them, and, where the text names no
phone, groupings no numbering plan prints: ZIP+4 codes, blocks of four with a remainder, and
six, two and four digits joined by "-" (an identity card's).
The compiled scan's port of that validator reads the same patterns
(``fieldnumbers.NATIVE_GATE_WORDS``, ``NATIVE_PORTED`` below).
"""

from __future__ import annotations

import re

_DATE_LIKE = re.compile(
    rb"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,3}(?:\.\d{1,3}){3}"
    rb"|(?:19|20)\d\d[-/](?:19|20)\d\d"  # 2009/2010: a range of years
    rb"|(?:19|20)\d\d-(?:00[1-9]|0[1-9]\d|[12]\d\d|3[0-5]\d|36[0-6])"  # ISO 8601 ordinal 2020-366
    rb"|(?:19|20)\d\d (?:0[1-9]|1[0-2]) (?:0[1-9]|[12]\d|3[01])"  # 2020 02 29: year, month, day
)
# An amount: a currency sign or code just before a number grouped in thousands ("R 6 954 231",
# "$ 1 250 000", "EUR 12.500.000"); UTF-8 signs: U+00A2-U+00A5 and the U+20A0-U+20BF block.
_CURRENCY_BEFORE = re.compile(
    rb"(?:\$|\xc2[\xa2-\xa5]|\xe2\x82[\xa0-\xbf]|\b(?:[A-Z]{3}|R\$?|Rs\.?|kr\.?))[ \t]?$"
)
_THOUSANDS = re.compile(rb"[0-9]{1,3}(?:(?: [0-9]{3})+|(?:\.[0-9]{3})+)")
# A ZIP+4 (USPS: five digits, "-", four) and codes of its shape (five, "-", three to five):
# libphonenumber's formats print a five-digit first group before 3-5 digits only where the
# trunk prefix 0 leads it (AT, BD, DE...) or a mobile's leading digit does: Brazil's
# 9xxxx-xxxx, India's 6-9 (five and five). Led otherwise and joined by "-", it is no phone's.
_ZIP_SHAPED = re.compile(rb"[1-9][0-9]{4}-[0-9]{3}|[1-8][0-9]{4}-[0-9]{4}|[1-5][0-9]{4}-[0-9]{5}")
# Blocks of four from the left and a remainder of one or two digits ("1234 5678 90"): a card,
# an IBAN or a serial as printed in fours; no plan's format groups a number so.
_FOURS = re.compile(rb"[0-9]{4}(?:[ .-][0-9]{4})+[ .-][0-9]{1,2}")
# Six, two and four digits joined by "-" ("940827-00-1234"): Malaysia's identity card
# (MyKad: birth date, place code, serial) prints its number so; no plan's format groups a
# phone number as 6-2-4 (libphonenumber's national and international formats, trunk
# prefix or not). Spaced, a prefix of it may still be one ("940827 17").
_SIX_TWO_FOUR = re.compile(rb"[0-9]{6}-[0-9]{2}-[0-9]{4}")
# An ISBN as ISO 2108 prints it: [978/979,] group, publisher, title, one check character.
_ISBN_WRITTEN = re.compile(rb"(?:97[89][ -])?[0-9]{1,5}[ -][0-9]{1,7}[ -][0-9]{1,7}[ -][0-9X]")


def _no_plan_groups(main: bytes) -> bool:
    """``main`` (a number as written, trimmed) is grouped as no numbering plan groups a phone
    number: a ZIP+4's shape, blocks of four with a remainder of one or two digits, or six,
    two and four digits joined by "-"."""
    return (
        _ZIP_SHAPED.fullmatch(main) is not None
        or _FOURS.fullmatch(main) is not None
        or _SIX_TWO_FOUR.fullmatch(main) is not None
    )


# What the compiled scan's phone port reproduces from this module beyond its gate words.
NATIVE_PORTED = (_no_plan_groups, _ZIP_SHAPED, _FOURS, _SIX_TWO_FOUR)


def _timestamp(digits: str) -> bool:
    """A bare run of 14 digits that is a date and time (``YYYYMMDDhhmmss``, 1970-2099) or
    of 13 that is Unix time in milliseconds (2001-2039): no phone number of these lengths
    starts so (a national number has a trunk digit; no calling code is 19, 20 or 21 with
    this many digits after it)."""
    if len(digits) == 13:
        return 1_000_000_000_000 <= int(digits) < 2_200_000_000_000
    if len(digits) != 14 or not 1970 <= int(digits[:4]) <= 2099:
        return False
    month, day, hour, minute, second = (int(digits[i : i + 2]) for i in range(4, 14, 2))
    return 1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 60
