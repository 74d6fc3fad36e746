"""Phone-number kinds the fifth set showed (issue 16), with examples written here (SPEC §4).

SPEC §4 (R24 for exports): the filter finds "phone numbers"; issue 16 asks it not to flag
identifiers and bare digit runs. The fifth set (benchmarks/redaction/fifth, validator.js'
isMobilePhone lists) showed three kinds:

* after a phone word ("reach me at", "call", "text me", "my number", "mobile", "cell",
  "whatsapp", "contact") a number valid in some numbering plan was refused when its
  digits also passed an ISBN-10 or EAN-13 checksum, which one number in ten or eleven
  does: national numbers with a trunk 0, E.164 digits without ``+``, ``00``-prefixed ones;
* without a phone word, the same bare runs stay unflagged;
* dates, books and amounts were read as phone numbers: ISO 8601 ordinal dates
  (``2019-045``), dates written ``YYYY MM DD``, ISBNs as ISO 2108 prints them (the run
  minus its check digit was taken) and amounts after a currency sign or code.

Every value below is my own (made to the documented shape, checked with phonenumbers and
python-stdnum); both scans must give the same findings.
"""

from __future__ import annotations

import pytest
from stdnum import ean, isbn

from consentry.redaction import Redactor
from consentry.redaction.phoneplans import _valid_internationally, _valid_nationally

COMPILED = Redactor()
PYTHON = Redactor(native=False)


def found(text: str) -> list[str]:
    """The text of every finding; both scans must give the same findings."""
    assert COMPILED.redact(text).findings == PYTHON.redact(text).findings, text
    return [text[f.start : f.end] for f in COMPILED.redact(text).findings]


# Valid phone numbers whose digits pass a book's or product's checksum.
ISBN_SHAPED = ["4155879158", "6905899151", "0792499751", "0786047593"]  # ISBN-10 valid
EAN_SHAPED = ["4915826383960", "4915546016377", "0031321911140", "0031202916264"]  # EAN-13
PHONE_WORDS = [
    "Hi, you can reach me at {} if anything changes.",
    "call {} after six",
    "text me at {} tonight",
    "my number is {}, thanks",
    "mobile: {}\n",
    "cell {}",
    "whatsapp {} please",
    '{{"contact": "{}"}}',
]
NO_WORD = ["Here you go: {}.", "ref: {}\nverified: true", "row = {{'id': 42, 'ref': '{}'}}"]


def test_the_examples_are_valid_numbers_and_checksums() -> None:
    """The examples are what they claim: a valid number that also passes the checksum."""
    for value in ISBN_SHAPED:
        assert isbn.is_valid(value) and _valid_nationally(value)
    for value in EAN_SHAPED:
        digits = value[2:] if value.startswith("00") else value
        assert ean.is_valid(value) and _valid_internationally(digits)


@pytest.mark.parametrize("template", PHONE_WORDS)
@pytest.mark.parametrize("value", ISBN_SHAPED + EAN_SHAPED)
def test_a_valid_number_after_a_phone_word_is_found_whatever_its_checksum(
    template: str, value: str
) -> None:
    """SPEC §4 phone numbers, kind "bare digits after a phone word": a trunk-0 national
    number, E.164 digits without ``+`` or a ``00``-prefixed number valid in some plan is
    a phone number where the text names one, even if it passes an ISBN/EAN checksum."""
    assert found(template.format(value)) == [value]


@pytest.mark.parametrize("template", NO_WORD)
@pytest.mark.parametrize("value", ISBN_SHAPED + EAN_SHAPED)
def test_the_same_runs_without_a_phone_word_stay_unflagged(template: str, value: str) -> None:
    """SPEC §4 with issue 16 (no ids, no bare digit runs), kind "bare digits": without a
    phone word a run that is also a valid ISBN or EAN is left as it is."""
    assert found(template.format(value)) == []


@pytest.mark.parametrize("template", NO_WORD)
@pytest.mark.parametrize(
    "value",
    [
        "2019-045",  # ISO 8601 ordinal dates: year and day of the year (001-366)
        "1999-365",
        "2024-366",
        "2021 11 30",  # year, month, day with spaces
        "1987 06 05",
    ],
)
def test_dates_are_not_phone_numbers(template: str, value: str) -> None:
    """SPEC §4 phone numbers, kind "date": an ISO 8601 ordinal date or a date written
    ``YYYY MM DD`` is not a phone number."""
    assert found(template.format(value)) == []


@pytest.mark.parametrize("template", [*NO_WORD, "call {} after six"])
@pytest.mark.parametrize(
    "value",
    [
        "0 306 40615 2",  # ISBN-10: group, publisher, title, check digit
        "99921 58 10 7",
        "1 4028 9462 7",
        "0 8044 2957 X",  # check character X
        "0-8044-2957-X",
        "978 0 306 40615 7",  # ISBN-13
    ],
)
def test_an_isbn_as_printed_is_not_a_phone_number(template: str, value: str) -> None:
    """SPEC §4 phone numbers, kind "ISBN": a valid ISBN grouped as ISO 2108 prints it
    (a single check character last) is a book, and the run without its check digit is
    not taken as a phone number either."""
    assert found(template.format(value)) == []


@pytest.mark.parametrize(
    "text",
    [
        "the price was R 7 125 480 in total",
        "it costs $ 2 450 000 now",
        "it costs € 1 299 999 now",
        "budget: USD 3 750 125\nok",
        "budget: £ 12 500 000\nok",
        "Rs 4 500 250 paid",
    ],
)
def test_an_amount_is_not_a_phone_number(text: str) -> None:
    """SPEC §4 phone numbers, kind "amount": a currency sign or code before a number
    grouped in thousands is money, not a phone number."""
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Here you go: 612 345 678.", "612 345 678"),  # grouped 3-3-3, no currency
        ("call 612 345 678 after six", "612 345 678"),
        ("Tel R 612 345 678", "612 345 678"),  # a phone word: not an amount
        ("call 0 306 40615 28", "0 306 40615 28"),  # not an ISBN's grouping
    ],
)
def test_phone_numbers_near_these_shapes_are_still_found(text: str, number: str) -> None:
    """SPEC §4 phone numbers: the refusals above hold for their kind only."""
    assert found(text) == [number]
