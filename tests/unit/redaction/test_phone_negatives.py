"""Numbers after a phone word that are not phone numbers (issue 16, the labelled corpus).

SPEC §4: "phone numbers". After a phone word ("tel", "call", "contact", ...) a run of a
possible length is taken as a phone number even where no numbering plan has it, so a
version, a compact date-time or Unix time in milliseconds that follows such a word was
taken too. Their shapes say what they are, phone word or not: a dotted run with two or
more one-digit groups is a version; a bare run of 14 digits that is YYYYMMDDhhmmss
(1970-2099), or of 13 that is Unix time in milliseconds (2001-2039), is a time. Examples
of my own; the compiled scan (``field_phone``) and the Python one must agree.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor, native

PYTHON = Redactor(native=False)
SCANS = (PYTHON, Redactor()) if native.available() else (PYTHON,)


def _phones(redactor: Redactor, text: str) -> list[str]:
    return [text[f.start : f.end] for f in redactor.redact(text).findings if f.type == "PHONE"]


NOT_PHONES = [
    "call me later, release 2.4.1.30571",  # a version: three one-digit groups
    "phone support fixed it in 3.0.58812",  # two one-digit groups
    "Contact the owner.\n20230705142259 started",  # YYYYMMDDhhmmss
    "tel: see log 19991231235959",  # the last second of 1999
    "reach us any time. 1690000123456 ms",  # Unix time in ms, 2023
    "mobile app event at 2145916800000",  # Unix time in ms, 2038
]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_a_version_or_a_time_after_a_phone_word_is_not_a_phone(text: str) -> None:
    """SPEC §4: the shape of a version or a time says it is not a phone number."""
    for redactor in SCANS:
        assert _phones(redactor, text) == [], text


PHONES = [
    ("tel 1.800.555.0199", "1.800.555.0199"),  # one one-digit group: a trunk digit
    ("call 0800.555.0199", "0800.555.0199"),  # dotted, no one-digit group
    ("phone 8613812345678", "8613812345678"),  # 13 digits, a Chinese mobile without '+'
    ("tel 20221399123456", "20221399123456"),  # 14 digits, month 13: not a date-time
    ("call 2125550143", "2125550143"),  # 10 digits, New York
    ("contact +1 202 555 0143", "+1 202 555 0143"),
]


@pytest.mark.parametrize(("text", "phone"), PHONES)
def test_phones_after_a_phone_word_are_still_found(text: str, phone: str) -> None:
    for redactor in SCANS:
        assert _phones(redactor, text) == [phone], text
