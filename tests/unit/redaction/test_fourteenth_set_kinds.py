"""Kinds the fourteenth outside set showed (issue 16), on our own examples.

SPEC §4 asks for national identifiers with checksums. django-localflavor's field tests held
people's identifiers whose checks python-stdnum lacks (Singapore's NRIC/FIN, Kuwait's civil
ID, Uruguay's CI as its card prints it), a Spanish NIE with its letter set apart
(``X-1234567-L``), an Italian codice fiscale typed in lower case, and ID words with an
accented letter ("cédula") that the ID-word pattern never read; and, as its negatives,
Malaysian identity card numbers that failed their field's check, read as phone numbers
although no numbering plan groups a phone 6-2-4. Every value here is made up for this test
(checks computed by hand, not taken from the set), and each is asked of both scans.
"""

from __future__ import annotations

import random

import pytest

from consentry.redaction import Redactor
from consentry.redaction.idnumbers import kw_civil, sg_nric, uy_ci

SCANS = (Redactor(native=True), Redactor(native=False))


def found(text: str) -> list[tuple[str, str]]:
    """The findings (type, text) of ``text``; the two scans must agree."""
    compiled, python = ([(f.type, text[f.start : f.end]) for f in r.redact(text).findings]
                        for r in SCANS)  # fmt: skip
    assert compiled == python
    return compiled


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # SPEC §4: Singapore's NRIC/FIN, every series, upper and lower case
        ("NRIC S7034521H on file", "S7034521H"),
        ("NRIC T0312874H", "T0312874H"),
        ("FIN F2658301L", "F2658301L"),
        ("work pass id g5120947n", "g5120947n"),
        # Kuwait's civil ID (birth date, serial, check digit) after an ID word
        ("civil id 285031201237", "285031201237"),
        ("national id: 302071407899", "302071407899"),
        # Uruguay's CI with its check digit after a hyphen
        ("cédula de identidad 3.456.789-4", "3.456.789-4"),
        ("id: 654.321-0", "654.321-0"),
        ("documento de identidad 5123406-6", "5123406-6"),
        ("mi cédula es 0.654.321-0", "0.654.321-0"),  # an accented ID word
        # Spain's NIE with its letter set apart by a hyphen or a space, any case
        ("NIE: Y-1234567-X", "Y-1234567-X"),
        ("su NIE es Z 7654321 H", "Z 7654321 H"),
        ("my NIE is x-2468135-m", "x-2468135-m"),
        # an Italian codice fiscale and a Mexican CURP typed in lower case after an ID word
        ("codice fiscale: bncgpp77c52f205a", "bncgpp77c52f205a"),
        ("CURP gomr850312hdfrrn09", "gomr850312hdfrrn09"),
    ],
)
def test_national_ids_found_whole(text: str, value: str) -> None:
    assert ("NATIONAL_ID", value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "NRIC S7034521A on file",  # wrong check letter
        "civil id 285031201235",  # wrong check digit
        "civil id 285133201237",  # no such birth date (month 13)
        "cédula de identidad 3.456.789-5",  # wrong check digit
        "cédula de identidad 3456789",  # bare digits: one run in ten passes, not taken
        "NIE: Y-1234567-Y",  # wrong check letter
    ],
)
def test_look_alikes_are_no_national_id(text: str) -> None:
    assert not [t for t, _ in found(text) if t == "NATIONAL_ID"]


def test_modules_refuse_random_runs() -> None:
    # The checks take few random values of their shape: the date and the check digit
    # together (Kuwait), the layout (Uruguay's bare digits never pass).
    rng = random.Random(16)
    runs = ["".join(rng.choice("0123456789") for _ in range(12)) for _ in range(5000)]
    assert sum(kw_civil.is_valid(r) for r in runs) <= len(runs) // 100
    assert not any(uy_ci.is_valid(r[:7]) for r in runs)
    assert not sg_nric.is_valid("M1234567K")  # the M series: its table is not taken


@pytest.mark.parametrize(
    "text",
    [
        "Could you check 880512-14-5567 for me?",  # 6-2-4: a MyKad's layout
        'ic = "750101-08-1234"',
    ],
)
def test_six_two_four_is_no_phone(text: str) -> None:
    # SPEC §4 phone numbers: no plan prints six, two and four digits joined by "-".
    assert not found(text)


def test_six_two_four_after_a_phone_word_is_still_one() -> None:
    # A phone word says it is a phone number, whatever its grouping.
    assert found("call me at 880512-14-5567") == [("PHONE", "880512-14-5567")]
