"""Kinds of miss the eighth outside set showed (issue 16), on our own examples.

SPEC §4 names IBANs among the national identifiers with checksums. The eighth set
(schwifty's experimental territories) showed IBANs of the CFA franc unions' members the
length table lacked: the UEMOA's (Niger, Togo; Guinea-Bissau at 25) and the CEMAC's
(Chad, Gabon, Congo, Equatorial Guinea, the Central African Republic), and the Comoros'.
Values are our own, with check digits computed by ISO 7064 mod 97-10. It also showed
Portuguese citizen card and Peruvian DNI numbers, printed with their check characters,
missed (below).
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor
from consentry.redaction.idnumbers import pe_cui, pt_cc

UNION_IBANS = [
    "TD5060001000111222333444556",
    "GA78 4001 1001 2345 6789 0123 456",
    "GW09 GW12 3001 0123 4567 8901 2",
    "NE65NE0120103456789012345678",
    "KM40 0000 5000 0200 1234 5678 901",
]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("value", UNION_IBANS)
def test_currency_union_iban_is_found_whole(native: bool, value: str) -> None:
    """SPEC §4: a CFA-franc union member's IBAN is found whole, grouped or not."""
    text = f"wire it to {value} today"
    assert Redactor(native=native).redact(text).text == "wire it to [IBAN] today"


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_currency_union_iban_with_a_wrong_check_is_left(native: bool) -> None:
    """SPEC §4: the mod-97 check still decides (check digits 50 -> 51)."""
    text = "wire it to TD5160001000111222333444556 today"
    assert Redactor(native=native).redact(text).findings == ()


# SPEC §4 national identifiers with checksums, in the layout the card prints: the eighth
# set (piisa's Portuguese and Peruvian tests) showed both missed, since stdnum's own
# modules take a tenth (pt.cc) or all (pe.cui) of bare digit runs and are not tried.
PRINTED_IDS = ["123456789 ZZ1", "154203556ZY7", "12345678-1", "45678901-C"]


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("value", PRINTED_IDS)
def test_printed_identifier_is_found_whole(native: bool, value: str) -> None:
    """SPEC §4: a Portuguese citizen card or Peruvian DNI number with its check character."""
    text = f"my identity number is {value}, please keep it"
    got = Redactor(native=native).redact(text).text
    assert got == "my identity number is [NATIONAL_ID], please keep it"


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    "text",
    [
        "my identity number is 123456789 ZZ2, please keep it",  # check digit fails
        "my identity number is 12345678-3, please keep it",  # check character fails
        "ticket 12345678-1 is closed",  # no ID word: digits alone need one
    ],
)
def test_printed_identifier_look_alikes_are_left(native: bool, text: str) -> None:
    """SPEC §4: the check character decides, and digits still need an ID word."""
    assert Redactor(native=native).redact(text).findings == ()


def test_printed_layouts_take_no_bare_digit_runs() -> None:
    """The two forms refuse what stdnum's modules take: digits without the layout."""
    assert pt_cc.is_valid("123456789ZZ1") and not pt_cc.is_valid("1234567890001")
    assert pe_cui.is_valid("12345678-1") and not pe_cui.is_valid("123456781")
    assert not pe_cui.is_valid("12345678")
