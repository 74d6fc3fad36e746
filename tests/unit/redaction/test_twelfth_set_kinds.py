"""Kinds of false positive the twelfth outside set showed (issue 16), on our own examples.

SPEC §4 asks for phone numbers, not for the other numbers a sentence names. The twelfth
set (philterd/phileas's filter tests) showed:

* a bare digit run glued to ``x`` and more digits read as a phone number and its
  extension (``the vin is 11131517191X11111``): glued so, with no phone word, it is one
  code (a VIN, a serial); a grouped number with a glued extension, or a bare one the text
  calls a phone, is still a phone;
* a number the sentence names as something else, with "is" or "was" between, read as a
  phone (``the zip is 90213-1544``, ``the tracking number is 9400 …``, ``the routing
  number is 111000025``, ``the ein is 12-3456789``): the name words were only heard right
  before the number; a copula between them no longer hides the name, and a bank's routing
  number and an employer's EIN are names of that kind too;
* zeros only (``the id is 000-00-00-00``) read as a phone: some numbering plan's pattern
  takes them, but no number is zeros only; a placeholder (as ``000-00-0000`` is no SSN).

Phone numbers the text calls phones, and the national ids after ID words, stay found.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

NOT_PHONES = [
    "the chassis code is 52608413770X20931, see the registration",
    "serial: 73920164851x40022",
    "the zip is 94107-1544 in california.",
    "the tracking number is 7310 4482 9901 2288 0043",
    "the tracking number was 7310 4482 9901",
    "our routing number is 267084131 for wires",
    "Routing no. 267084131",
    "the ein is 36-2241870.",
    "EIN: 36-2241870",
    "the order number was 2671 8842 0931",
    "ref 000-00-00-00",
    "call 0000 000 000",
    "the id is 000 000 000 on file",
]

PHONES = [
    ("call 4155550137x22 after noon", "4155550137x22"),
    ("office (415) 555-0137x22", "(415) 555-0137x22"),
    ("reach me at 415-555-0137 x22", "415-555-0137 x22"),
    ("my phone number is 415-555-0137", "415-555-0137"),
    ("the number is (415) 555-0137.", "(415) 555-0137"),
    ("the main line is +44 20 7946 0321", "+44 20 7946 0321"),
]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_named_numbers_and_glued_codes_are_not_phones(text: str) -> None:
    """SPEC §4 phone numbers: a number the text names as a ZIP code, tracking, routing or
    EIN number (a copula between), a bare run glued to x and digits, or zeros only, is
    no phone."""
    assert [f.type for f in Redactor().redact(text).findings if f.type == "PHONE"] == []


@pytest.mark.parametrize(("text", "phone"), PHONES)
def test_phones_stay_found(text: str, phone: str) -> None:
    """SPEC §4 phone numbers: said or grouped, with or without an extension, still found."""
    found = [text[f.start : f.end] for f in Redactor().redact(text).findings]
    assert phone in found
