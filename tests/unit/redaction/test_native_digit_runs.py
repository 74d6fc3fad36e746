"""The compiled scan's shared digit-run list (issue 16, speed; SPEC §4, R24).

The compiled scan finds the first digit of every run of digits once per text, 16 bytes at
a time with a byte loop for the tail, and the number regions and the start rules of other
cards, IBANs in any case and phones in context all read that one list. A run missed or
split at a 16-byte boundary, at the first byte or in the tail would lose a candidate the
Python scan finds, so numbers are placed at every offset around those edges and the
compiled candidates are compared with the Python scan's.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor

NUMBERS = [
    "4111 1111 1111 1111",
    "6011.0009.9013.9424",
    "+1 555 123 4567",
    "(555) 123-4567",
    "030 1234567",
    "de89 3704 0044 0532 0130 00",
    "GB82WEST12345698765432",
    "123-45-6789",
    "SSN: 123456789",
    "192.168.10.20",
]


pytestmark = pytest.mark.usefixtures("compiled_scan")


def _texts() -> list[str]:
    """Each number after 0-33 bytes and before 0-17, so its digit runs start and end on
    either side of every 16-byte boundary and in the byte loop's tail."""
    texts = []
    for number in NUMBERS:
        for before in range(34):
            for after in (0, 1, 5, 16, 17):
                texts.append("x " * (before // 2) + " " * (before % 2) + number + " y" * after)
    return texts


def test_compiled_digit_runs_find_what_the_python_scan_finds() -> None:
    """SPEC §4: the same candidates for numbers at every offset around 16-byte blocks."""
    compiled = Redactor()
    reference = Redactor(native=False)
    assert compiled._native is not None
    found_any = 0
    for text in _texts():
        data = text.encode()
        expected: list[tuple[int, int, str, int]] = []
        reference._plan.collect(data, expected)
        assert compiled._native.candidates(data) == expected, text
        found_any += bool(expected)
    assert found_any >= len(_texts()) * 9 // 10
