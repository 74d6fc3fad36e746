"""IBANs of territories that use another country's format under their own code (issue 16).

SPEC §4 names IBANs. The IBAN registry notes that banks in France's overseas territories
(Réunion, Guadeloupe, New Caledonia…) and in Åland issue IBANs in France's and Finland's
formats under the territory's own code; the sixth outside set showed them missed. Values
are our own, with check digits computed by ISO 7064 mod 97-10.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    "value",
    ["RE972004101005050001300M026", "RE97 2004 1010 0505 0001 300M 026", "AX2112345600000785"],
)
def test_territory_iban_is_found_whole(native: bool, value: str) -> None:
    """SPEC §4: a territory's IBAN is found whole, grouped or not."""
    text = f"pay to {value} please"
    assert Redactor(native=native).redact(text).text == "pay to [IBAN] please"


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
def test_territory_iban_with_a_wrong_check_is_left(native: bool) -> None:
    """SPEC §4: the mod-97 check still decides (check digits 97 -> 98)."""
    text = "pay to RE982004101005050001300M026 please"
    assert Redactor(native=native).redact(text).findings == ()
