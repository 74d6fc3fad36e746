"""Kinds of miss the eighth outside set showed (issue 16), on our own examples.

SPEC §4 names IBANs among the national identifiers with checksums. The eighth set
(schwifty's experimental territories) showed IBANs of the CFA franc unions' members the
length table lacked: the UEMOA's (Niger, Togo; Guinea-Bissau at 25) and the CEMAC's
(Chad, Gabon, Congo, Equatorial Guinea, the Central African Republic), and the Comoros'.
Values are our own, with check digits computed by ISO 7064 mod 97-10.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

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
