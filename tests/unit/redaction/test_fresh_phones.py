"""Phone kinds the fresh set showed (issue 16; SPEC §4: "phone numbers", the whole value).

Found: a number glued to the phone word before it (``is+44 …``, ``is(+49) …``,
``is:9018 2077``), a number after a ``#Name#`` placeholder and ``-`` or ``@``, spaces
inside the parentheses (``( 20 ) 7946 0958``, no partial leak), and an extension after
``-`` on a number written with its country code (``+86 10 65529988-8123``: the whole),
a number after the Hindi word for phone (फोन, फ़ोन).
Not phones: terms of arithmetic (``12*34-5678901``, ``(12)+(44)-7946095``), negative
numbers, ranges of years, and numbers after "account number" or after "No." that the
text does not call a phone. The examples are ours, not the fresh set's items. Both scans
decide the same (the compiled scan's port of ``fieldnumbers._phone``).
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor, _native, credentials, fieldnumbers, native
from consentry.redaction.model import PHONE, Finding

FOUND = [
    ("My number is+44 20 7946 0958.", "+44 20 7946 0958"),
    ("Ring me at(+49) 30 901820 tonight", "(+49) 30 901820"),
    ("Phone:(+33)6 12 34 56 78", "(+33)6 12 34 56 78"),
    ("my cell is:9018 2077", "9018 2077"),
    ("tel:1234 5678", "1234 5678"),
    ("Escalation - #Owner#-123 456 7890.", "123 456 7890"),
    ("Escalation - #Owner#@123.456.7890 today", "123.456.7890"),
    ("Ask #Agent# @ 123)456-7890 today", "123)456-7890"),
    ("Phone: ( 20 ) 7946 0958", "( 20 ) 7946 0958"),
    ("Switchboard +86 10 65529988-8123, ask for Sam", "+86 10 65529988-8123"),
    ("Office: +86 21 6130-2222-8866", "+86 21 6130-2222-8866"),
    ("Phone No. 0301-2345", "0301-2345"),
    ("मेरा फ़ोन 26741570 है", "26741570"),
    ("फोन: 26741570", "26741570"),
]
NOT_PHONES = [
    "the ratio 12*34-5678901 is fixed",
    "cell C3 holds (12)+(44)-7946095",
    "offset -3155760000 seconds",
    "seasons 1998-1999 and 2019/2020",
    "savings account number 40123456",
    "Part No. 0301-2345",
    "ref:1234 5678",
    "order #: 4155552671",
    "कुल 26741570 है",
]


def _phones(text: str, native_scan: bool) -> list[str]:
    findings = Redactor(native=native_scan).redact(text).findings
    return [text[f.start : f.end] for f in findings if f.type == PHONE]


@pytest.mark.parametrize(("text", "value"), FOUND)
def test_phone_found_whole_in_both_scans(text: str, value: str) -> None:
    assert _phones(text, False) == [value]
    assert _phones(text, True) == [value]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_not_a_phone_in_either_scan(text: str) -> None:
    assert _phones(text, False) == []
    assert _phones(text, True) == []


NUMBERS = [
    "+44 20 7946 0958", "(+49) 30 901820", "( 20 ) 7946 0958", "9018 2077", "123 456 7890",
    "+86 10 65529988-8123", "+86 21 6130-2222-8866", "+1 415 555 2671-2", "1998-1999",
    "2019/2020", "4155552671", "3155760000", "0301-2345", "+(44)-7946095", "34-5678901",
    "+4930901820", "(+33)6 12 34 56 78", "+44 20 7946 0958-123456",
]  # fmt: skip
BEFORE = [
    "", "My number is", "tel:", "ref:", "is:", "#Owner#-", "#Owner#@", "#Owner# @ ", "12*",
    "(45)", "x)", "-", "call -", "x=-", "OMB No. ", "Phone No. ", "Nr.", "account number ",
    "order #: ", "call me at ", "a1*", "no.",
]  # fmt: skip
AFTER = ["", ".", " ", "a", "-x", "-12", ":5"]


@pytest.mark.usefixtures("compiled_scan")
def test_port_decides_as_the_validator_around_these_kinds() -> None:
    """The compiled port of fieldnumbers._phone and the validator called back agree."""
    detector = next(
        d for d in native._BUILTIN if getattr(d, "validate", None) is fieldnumbers._phone
    )
    spec = native._spec(detector)
    assert spec is not None and spec[8] == "field_phone" and _native is not None
    tables = native._tables()
    ported = _native.Engine([spec], tables, credentials.jwt_header_ok, Finding)
    called_back = _native.Engine([(*spec[:8], "", [])], tables, credentials.jwt_header_ok, Finding)
    found = 0
    for number in NUMBERS:
        for before in BEFORE:
            for after in AFTER:
                data = f"{before}{number}{after}".encode()
                ours = ported.candidates(data)
                assert ours == called_back.candidates(data), data
                found += bool(ours)
    assert 300 < found < len(NUMBERS) * len(BEFORE) * len(AFTER)
