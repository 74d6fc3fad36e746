"""Luhn, IBAN mod-97 and length table, SSA rules for SSNs."""

from __future__ import annotations

import pytest

from consentry.redaction.checksums import iban_ok, ipv6_ok, luhn_ok, shannon_entropy, ssn_ok


@pytest.mark.parametrize("number", [b"4111111111111111", b"378282246310005", b"6011111111111117"])
def test_luhn_accepts_valid_numbers(number: bytes) -> None:
    assert luhn_ok(number)


@pytest.mark.parametrize("number", [b"4111111111111112", b"378282246310006", b"1234567812345678"])
def test_luhn_rejects_one_digit_off(number: bytes) -> None:
    assert not luhn_ok(number)


@pytest.mark.parametrize(
    "iban", [b"DE89370400440532013000", b"GB82WEST12345698765432", b"NO9386011117947"]
)
def test_iban_mod97_and_length(iban: bytes) -> None:
    assert iban_ok(iban)


@pytest.mark.parametrize(
    "iban",
    [
        b"DE89370400440532013001",  # checksum
        b"DE8937040044053201300",  # too short for DE
        b"XX89370400440532013000",  # unknown country
        b"GB82WEST1234569876543",  # too short for GB
    ],
)
def test_iban_rejects_bad_checksum_length_or_country(iban: bytes) -> None:
    assert not iban_ok(iban)


@pytest.mark.parametrize(
    ("area", "group", "serial", "ok"),
    [
        (b"123", b"45", b"6789", True),
        (b"000", b"45", b"6789", False),
        (b"666", b"45", b"6789", False),
        (b"900", b"45", b"6789", False),
        (b"999", b"45", b"6789", False),
        (b"123", b"00", b"6789", False),
        (b"123", b"45", b"0000", False),
    ],
)
def test_ssn_follows_ssa_rules(area: bytes, group: bytes, serial: bytes, ok: bool) -> None:
    assert ssn_ok(area, group, serial) is ok


def test_ipv6_needs_real_groups() -> None:
    assert ipv6_ok(b"2001:db8::1")
    assert not ipv6_ok(b"::1")
    assert not ipv6_ok(b"a::b")
    assert not ipv6_ok(b"1:2:3")


def test_entropy_of_uniform_and_constant_strings() -> None:
    assert shannon_entropy(b"aaaa") == 0
    assert shannon_entropy(b"abcd") == 2
