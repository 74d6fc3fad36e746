"""Digit groups no numbering plan prints are not phone numbers (issue 16, SPEC §4).

SPEC §4 (R24 for exports): the filter finds "phone numbers"; issue 16 asks it not to flag
identifiers and bare digit runs. The seventh set (DataFog's explicit negatives) showed
three kinds read as phones where the text names no phone:

* ZIP+4 codes and codes of their shape: five digits, "-", three to five. libphonenumber's
  formats print a five-digit first group before 3-5 digits only where the trunk prefix 0
  leads it (AT, BD, DE...) or a mobile's leading digit does (Brazil's 9xxxx-xxxx,
  India's 6-9 five and five); led otherwise and joined by "-" it is no phone number;
* blocks of four from the left with a remainder of one or two digits, as cards, IBANs
  and serials are printed: no plan's format groups a number so, and no prefix of such a
  run (its first eight digits) is a phone number either;
* after "number" alone (no "phone", "call", "tel"...), a bare run of 12 or more digits
  not led by a trunk 0: only the digits of a possible E.164 number make it a phone.

After a phone word every one of them is still a phone number. Every value below is my
own; both scans must give the same findings.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor
from consentry.redaction.notphones import _no_plan_groups
from consentry.redaction.phoneplans import _possible_as_e164, _valid_nationally

COMPILED = Redactor()
PYTHON = Redactor(native=False)
NO_WORD = ["Here you go: {}.", "ref: {}\nverified: true", "row = {{'id': 42, 'ref': '{}'}}"]
PHONE_WORD = ["call {} after six", "my number is {}, thanks", "Tel: {}\n", "whatsapp {} please"]

ZIP_SHAPED = ["60601-1234", "30303-2145", "73301-0001", "45678-123", "98765-432", "45678-12345"]
PLAN_FIVES = ["98123-4567", "91234-5678", "05361-12345", "02541-1234", "78123-45678"]
FOURS = ["4321 8765 09", "5678-1234-90", "2468.1357.24", "4321 8765 0912 34"]
PLAN_FOURS = ["0812-3456-789", "4321 8765 091", "8123 4567"]


def found(text: str) -> list[str]:
    """The text of every finding; both scans must give the same findings."""
    assert COMPILED.redact(text).findings == PYTHON.redact(text).findings, text
    return [text[f.start : f.end] for f in COMPILED.redact(text).findings]


def test_the_examples_are_what_they_claim() -> None:
    """The refused shapes are valid in some plan (so only their grouping refuses them);
    the kept ones are not of the refused shapes."""
    for value in ZIP_SHAPED + FOURS:
        assert _no_plan_groups(value.encode()), value
        assert _valid_nationally("".join(c for c in value if c.isdigit())), value
    for value in PLAN_FIVES + PLAN_FOURS:
        assert not _no_plan_groups(value.encode()), value
    assert not _possible_as_e164("734512349876") and _possible_as_e164("491701234567")


@pytest.mark.parametrize("template", NO_WORD)
@pytest.mark.parametrize("value", ZIP_SHAPED + FOURS)
def test_a_grouping_no_plan_prints_is_not_a_phone_without_a_phone_word(
    template: str, value: str
) -> None:
    """SPEC §4 with issue 16 (no bare digit runs), kinds "ZIP+4" and "blocks of four": a
    ZIP+4-shaped code or a run printed in fours is left as it is, and so is its prefix."""
    assert found(template.format(value)) == []


@pytest.mark.parametrize("template", PHONE_WORD)
@pytest.mark.parametrize("value", ZIP_SHAPED + FOURS)
def test_the_same_groups_after_a_phone_word_are_a_phone_number(template: str, value: str) -> None:
    """SPEC §4 phone numbers, kinds "ZIP+4" and "blocks of four": where the text names a
    phone, the number is found whole however it is grouped."""
    assert found(template.format(value)) == [value]


@pytest.mark.parametrize("template", NO_WORD)
@pytest.mark.parametrize("value", PLAN_FIVES + PLAN_FOURS)
def test_groupings_numbering_plans_print_are_still_found(template: str, value: str) -> None:
    """SPEC §4 phone numbers, kind "ZIP+4": Brazil's mobiles (9xxxx-xxxx), trunk-0 numbers
    (05361-12345), India's mobile leads (five and five), four-four-three (Indonesia,
    Singapore, Viet Nam) and four-four are phone numbers without a phone word."""
    assert found(template.format(value)) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "reference number 734512349876",
        "Numbers 734512349876 are ours",
        "case number 123123123123123",
    ],
)
def test_a_long_run_after_number_alone_must_be_e164_digits(text: str) -> None:
    """SPEC §4 with issue 16 (no identifiers), kind "12+ digits after 'number'": with no
    phone named and no trunk 0, a bare run this long is no possible E.164 number here."""
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("number: 491701234567", "491701234567"),
        ("my number is 447911123456", "447911123456"),
        ("phone 734512349876", "734512349876"),
        ("call 734512349876", "734512349876"),
        ("number 0734512349876", "0734512349876"),
    ],
)
def test_a_long_run_is_found_as_e164_digits_or_after_a_phone_word(text: str, value: str) -> None:
    """SPEC §4 phone numbers, kind "12+ digits after 'number'": E.164 digits without
    ``+``, a run led by a trunk 0, or any run after "phone" or "call" stays a phone."""
    assert found(text) == [value]
