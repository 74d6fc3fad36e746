"""Card schemes beyond the first table (issue 16): Mir.

SPEC §4 asks for payment card numbers, Luhn-checked. Russia's Mir cards use the IIN range
2200–2204 (NSPK's published range, 16 to 19 digits), which the sixth outside set showed
missed. Values are our own, Luhn-checked.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    "value", ["2200555012345671", "2202 7001 3579 2460", "2201333000000000018"]
)
def test_mir_card_is_found(native: bool, value: str) -> None:
    """SPEC §4: a Mir card number, grouped or not, 16 or 19 digits."""
    text = f"card {value} expires soon"
    assert Redactor(native=native).redact(text).text == "card [CARD] expires soon"


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize("value", ["2200555012345678", "2205123456789014"])
def test_mir_look_alikes_are_left(native: bool, value: str) -> None:
    """SPEC §4: a wrong Luhn digit, or 2205 (outside Mir's range, below Mastercard's)."""
    findings = Redactor(native=native).redact(f"card {value} expires soon").findings
    assert not [f for f in findings if f.type == "CARD"]
