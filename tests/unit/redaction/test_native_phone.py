"""The phone validator ported into the compiled scan (SPEC §4 phone numbers; issue 16, speed).

``fieldnumbers._phone`` was called back from C++ on every phone-shaped match that its
gate could not refuse (~800 per pass over the labelled corpus, most of the scan's
Python time). Its port (``field_phone`` in _native.cpp) runs ``_phone`` and
``_one_phone`` in C++ where the match holds no extension and the context before it is
ASCII, and makes only the library calls (phonenumbers, stdnum) back into
``fieldnumbers``; elsewhere it asks the validator. It must decide exactly as the
validator does: numbers with country codes, trunk prefixes and groupings, dates,
addresses, SSN shapes, book numbers, runs of several numbers, phone, number and
identifier words, clause breaks and the newline before a "not a phone" word.
"""

from __future__ import annotations

import random

import pytest

from consentry.redaction import _native, credentials, fieldnumbers, native, pii
from consentry.redaction.model import Finding

pytestmark = pytest.mark.usefixtures("compiled_scan")

NUMBERS = [
    "+1 415 555 2671", "+44 20 7946 0958", "+(371) 5417 5651", "(+49) 30 901820",
    "00421 2 4707 8129", "001-874-845-0334", "011 44 20 7946 0958", "0044 20 7946 0958",
    "(415) 555-2671", "415.555.2671", "415-555-2671 555-2671", "020 7946 0958",
    "3582268663", "13812345678", "1700000000", "0123456789", "123456789012",
    "078-05-1120", "078 05 1120", "078-05-1120-5", "1 078-05-1120", "693.09.4444",
    "2023-12-07", "07/12/2023", "192.168.1.10", "3.14159265", "1.0.0.12345",
    "978-3-16-148410-0", "3-16-148410-X", "0317-8471", "4006381333931",
    "+1-439-577-6340", "+999 1234 5678", "+1 (202) 555-0143", "12 34 56 78 90",
    "06 12 34 56 78", "+33 6 12 34 56 78", "+7 (495) 123-45-67", "8 800 555 35 35",
    "555 1234 5678 9012 3456", "1 2 3 4 5 6 7 8", "+61 2 9374 4000 x", "(0) 20 7946 0958",
    "123.456)789", "(12.345)678", "12.345)678.90", "000-00-00-00", "000 000 0000",
    "11131517191X11111", "90213-1544",
]  # fmt: skip
BEFORE = [
    "", "call me on ", "Phone: ", "my number is ", "ID number ", "Personal number: ",
    "order #", "Invoice no. ", "order\n", "Order #   \n", "isbn ", "tel.", "Tel ",
    "ref: 12, id: 4, phone ", "id: 4; ", "dial ", "version ", "contact | ", "whatsapp\t",
    "text me at ", "passport ", "The SSN ", "x", "a.", "DE89 ", "the zip is ",
    "routing number was ", "the ein is ",
]  # fmt: skip
AFTER = ["", ".", " ", ", thanks", "a", "_", "-x", ".5", " ext. 12", " x235", "/", ")"]


def _engines() -> tuple[object, object]:
    """The phone field detector with its gate and port, and with its validator called back."""
    detector = next(
        d for d in native._BUILTIN if getattr(d, "validate", None) is fieldnumbers._phone
    )
    spec = native._spec(detector)
    assert spec is not None and spec[8] == "field_phone" and _native is not None
    tables = native._tables()
    assert "phone_library" in tables
    return (
        _native.Engine([spec], tables, credentials.jwt_header_ok, Finding),
        _native.Engine([(*spec[:8], "", [])], tables, credentials.jwt_header_ok, Finding),
    )


def test_port_decides_as_the_validator() -> None:
    ported, called_back = _engines()
    found = 0
    for number in NUMBERS:
        for before in BEFORE:
            for after in AFTER:
                data = f"{before}{number}{after}".encode()
                ours = ported.candidates(data)  # type: ignore[attr-defined]
                assert ours == called_back.candidates(data), data  # type: ignore[attr-defined]
                found += bool(ours)
    assert 1000 < found < len(NUMBERS) * len(BEFORE) * len(AFTER)


def test_port_decides_as_the_validator_on_random_numbers() -> None:
    ported, called_back = _engines()
    rng = random.Random(16)
    for _ in range(3000):
        groups = [
            "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 5)))
            for _ in range(rng.randint(1, 5))
        ]
        seps = [rng.choice([" ", "-", ".", "/", " - ", ") ", ""]) for _ in groups]
        body = "".join(g + s for g, s in zip(groups, seps, strict=True)).rstrip()
        lead = rng.choice(["", "+", "(", "+(", "00", "011", "0", "1 "])
        text = f"{rng.choice(BEFORE)}{lead}{body}{rng.choice(AFTER)}"
        data = text.encode()
        assert ported.candidates(data) == called_back.candidates(data), data  # type: ignore[attr-defined]


def test_port_calls_only_the_library_back() -> None:
    """Of the validator's work only phonenumbers' and stdnum's calls reach Python."""
    detector = next(
        d for d in native._BUILTIN if getattr(d, "validate", None) is fieldnumbers._phone
    )
    spec = native._spec(detector)
    assert spec is not None and _native is not None
    calls: list[str] = []

    def validator(data: bytes, start: int, end: int) -> tuple[int, int] | None:
        calls.append("validator")
        return fieldnumbers._phone(data, start, end)

    tables = native._tables()
    tables["phone_library"] = (
        validator,
        *tables["phone_library"][1:],
    )  # the port stands for this validator
    engine = _native.Engine(
        [(*spec[:7], validator, *spec[8:])], tables, credentials.jwt_header_ok, Finding
    )
    assert engine.candidates(b"call me on +1 415 555 2671 or 020 7946 0958") != []
    assert calls == []
    assert engine.candidates("Telefon: 020 7946 0958 (é)".encode()) != []
    assert engine.candidates("Téléphone : 020 7946 0958".encode()) != []
    assert calls == ["validator"]  # non-ASCII context: the validator decides


def test_port_stands_only_for_the_validator_it_ports() -> None:
    """Another function behind the same gate (a wrapper, a replacement) is called as given."""
    detector = next(
        d for d in native._BUILTIN if getattr(d, "validate", None) is fieldnumbers._phone
    )
    spec = native._spec(detector)
    assert spec is not None and _native is not None
    calls: list[bytes] = []

    def validator(data: bytes, start: int, end: int) -> tuple[int, int] | None:
        calls.append(data[start:end])
        return None

    engine = _native.Engine(
        [(*spec[:7], validator, *spec[8:])], native._tables(), credentials.jwt_header_ok, Finding
    )
    assert engine.candidates(b"call me on +1 415 555 2671") == []
    assert calls == [b"+1 415 555 2671"]


def test_phone_in_context_gate_decides_as_the_validator() -> None:
    """pii._phone_in_context: a bare 0… run or an SSN's shape is a phone only after a phone
    word; its gate reads the phone words itself on an ASCII context."""
    detector = next(
        d for d in native._BUILTIN if getattr(d, "validate", None) is pii._phone_in_context
    )
    spec = native._spec(detector)
    assert spec is not None and spec[8] == "phone_in_context" and _native is not None
    tables = native._tables()
    gated = _native.Engine([spec], tables, credentials.jwt_header_ok, Finding)
    called_back = _native.Engine([(*spec[:8], "", [])], tables, credentials.jwt_header_ok, Finding)
    found = 0
    for number in [*NUMBERS, "0241 524 746", "024524746", "0800 123 4567", "(078) 05-1120"]:
        for before in [*BEFORE, "Téléphone ", "номер тел "]:
            for after in AFTER:
                data = f"{before}{number}{after}".encode()
                ours = gated.candidates(data)
                assert ours == called_back.candidates(data), data
                found += bool(ours)
    assert found > 500
