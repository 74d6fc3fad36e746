"""Letter-led national identifiers in lower case, and India's PAN (issue 16, helper h19).

SPEC §4 asks the filter to find national identifiers that carry a checksum. Issuers
print letter-led identifiers in capitals (Hong Kong ``KP246813(6)``, Spain's NIE
``Y4821937R``, Taiwan's ``B218374657``); people type them in lower case too, and the
pattern read capitals only. India's PAN (five letters, four digits, a letter; python-
stdnum's ``in_.pan`` checks the holder type in its fourth letter) is shorter than that
pattern's minimum. Neither shape is rare in code and a PAN has no check digit, so both
are identifiers only after an ID word (or "PAN") in their own field. Every value here
is our own, made to pass its check; both scans must agree.
"""

from __future__ import annotations

import pytest
from tests.both_scans import found as _found


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("HK identity card: kp246813(6)", "kp246813(6)"),  # two letters, check in brackets
        ('{"identity_card": "r715024(4)"}', "r715024(4)"),
        ("id card no c9042162, thanks", "c9042162"),  # brackets left out
        ("my NIE is y4821937r", "y4821937r"),
        ("national id: x2650418j", "x2650418j"),
        ("identity number b218374657", "b218374657"),  # Taiwan, lower case
        ("PAN: BNZPM2501F", "BNZPM2501F"),
        ('{"citizen_id": "BNZPM2501F"}', "BNZPM2501F"),
        ("Permanent Account Number BNZPM2501F", "BNZPM2501F"),
    ],
)
def test_a_letter_led_identifier_after_an_id_word_is_found_whole(text: str, value: str) -> None:
    """SPEC §4, national identifiers: the whole value, check character included."""
    assert ("NATIONAL_ID", value) in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        "build kp246813(6) passed",  # no ID word
        "commit r7150244 on main",
        "see x2650418j in the log",
        "BNZPM2501F",  # a PAN's shape alone
        "PAN: BNZQM2501F",  # Q is no holder type
        "HK identity card: kp246813(7)",  # wrong check character
        "my NIE is y4821937a",
        "id: abc1234567x",  # three letters: no such identifier
    ],
)
def test_no_identifier_without_a_word_or_a_check(text: str) -> None:
    """SPEC §4: letters and digits alone, or a failed check, are not an identifier."""
    assert all(kind != "NATIONAL_ID" for kind, _ in _found(text))
