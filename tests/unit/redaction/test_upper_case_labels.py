"""Upper-case field labels before a number are words, not an IBAN's groups (issue 16).

SPEC §4 (phone numbers, national identifiers with checksums). Forms and CSV exports write
labels in capitals ("CELL", "HOME", "PESEL", "TCKN"). The rule that keeps the digit groups
of an IBAN ("NL91 ABNA 0417 …") from being read as a phone number took any four capitals
before a space for such a group, so a number after a four-letter label, or after the last
four letters of a longer one, was left in the text. Values are our own: the phone numbers
are in ranges reserved for fiction or examples; the identifiers' check digits are computed.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CELL 0612345678 is mine", "CELL [PHONE] is mine"),
        ("MOBILE 06 12 34 56 78", "MOBILE [PHONE]"),
        ("HOME 202-555-0143", "HOME [PHONE]"),
        ("WORK: ok, HOME 020 7946 0958", "WORK: ok, HOME [PHONE]"),
        ("TCKN 10000000146", "TCKN [NATIONAL_ID]"),
        ("PESEL 44051401359", "PESEL [NATIONAL_ID]"),
    ],
)
def test_number_after_a_capital_label_is_found(native: bool, text: str, expected: str) -> None:
    """SPEC §4: a phone or national id after an upper-case label is found whole."""
    assert Redactor(native=native).redact(text).text == expected


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    "text",
    [
        "iban BG80 BNBG 9661 1020 3456 78",
        "NL91 ABNA 0417 1643 00",
        "GB29 NWBK 6016 1331 9268 19",
    ],
)
def test_iban_groups_stay_one_iban(native: bool, text: str) -> None:
    """SPEC §4: an IBAN with a letters-only bank code is one IBAN, no phone inside it."""
    findings = Redactor(native=native).redact(text).findings
    assert [f.type for f in findings] == ["IBAN"]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_broken_iban_groups_are_not_phones(native: bool) -> None:
    """SPEC §4 (false positives): the groups of a mangled account number after a bank
    code are still groups, not a phone number."""
    assert Redactor(native=native).redact("ref G T82 TRAJ 0102 0000 0012 1002").findings == ()
