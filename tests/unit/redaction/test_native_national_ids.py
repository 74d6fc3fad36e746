"""The national identifier validator ported into the compiled scan (SPEC §4; issue 16, speed).

``nationalids._national_id`` was called back from C++ on every identifier-shaped match
its gate could not refuse (~315 per pass over the labelled corpus: two regex searches
of the context each). Its port (``national_id`` in _native.cpp) decides in C++ where
the match and the 48 bytes before it are ASCII, and makes only the library calls
(stdnum: ``_other_number``, ``_valid_national_id``) back into Python; elsewhere it asks
the validator. It must decide exactly as the validator does: an ID word in the value's
own field, letters, book and product numbers, "not a phone" words (with Python's "$"
before a final newline), valid and invalid checksums.
"""

from __future__ import annotations

import random

import pytest

from consentry.redaction import _native, credentials, nationalids, native
from consentry.redaction.model import Finding

pytestmark = pytest.mark.usefixtures("compiled_scan")

# Valid ids (python-stdnum's documented examples) and look-alikes, my own selection.
VALUES = [
    "12345678Z", "X1234567L", "131052-308T", "RSSMRA85T10A562S", "BOVW630219HMCRLN07",
    "8112289874", "811228-9874", "16101018811", "2110625629", "120174-3399", "12.531.909-2",
    "760329-1234567", "11010519491231002X", "7801015009087", "17291716060", "3100701076011",
    "00123456789", "01234567891", "38005121234", "111.444.777-35", "37605030299",
    "1800101226591", "93051822361", "111222333", "499999998", "046 454 286",
    "978-3-16-148410-0", "0317-8471", "4006381333931", "3-16-148410-X", "12345678901",
    "2023-12-07", "1234567", "ABC12345", "AB 12 34 56 C", "07.12.2023.1",
]  # fmt: skip
BEFORE = [
    "", "ID: ", "my national id is ", "DNI ", "personnummer ", "ref 12, id ", "id: 4, ref: ",
    "order #", "Invoice no. ", "invoice\n", "Order #   \n", "number: ", "passport no ",
    "phone ", "tel ", "x", "a.", "version ", "CPF: ", "Aadhaar ", "isbn ", "account ",
]  # fmt: skip
AFTER = ["", ".", " ", ", thanks", "a", "_", "-x", ".5", "/", ")"]


def _engines() -> tuple[object, object]:
    """The national id detector with its gate and port, and with its validator called back."""
    detector = next(
        d for d in native._BUILTIN if getattr(d, "validate", None) is nationalids._national_id
    )
    spec = native._spec(detector)
    assert spec is not None and spec[8] == "national_id" and _native is not None
    tables = native._tables()
    assert "national_library" in tables
    return (
        _native.Engine([spec], tables, credentials.jwt_header_ok, Finding),
        _native.Engine([(*spec[:8], "", [])], tables, credentials.jwt_header_ok, Finding),
    )


def test_port_decides_as_the_validator() -> None:
    ported, called_back = _engines()
    found = 0
    for value in VALUES:
        for before in BEFORE:
            for after in AFTER:
                data = f"{before}{value}{after}".encode()
                ours = ported.candidates(data)  # type: ignore[attr-defined]
                assert ours == called_back.candidates(data), data  # type: ignore[attr-defined]
                found += bool(ours)
    assert 300 < found < len(VALUES) * len(BEFORE) * len(AFTER) // 2


def test_port_decides_as_the_validator_on_random_ids() -> None:
    ported, called_back = _engines()
    rng = random.Random(16)
    for _ in range(3000):
        value = rng.choice(VALUES)
        chars = list(value)
        for _ in range(rng.randint(0, 2)):
            chars[rng.randrange(len(chars))] = rng.choice("0123456789X-. ")
        text = f"{rng.choice(BEFORE)}{''.join(chars).strip()}{rng.choice(AFTER)}"
        data = text.encode()
        assert ported.candidates(data) == called_back.candidates(data), data  # type: ignore[attr-defined]


def test_non_ascii_context_asks_the_validator() -> None:
    detector = next(
        d for d in native._BUILTIN if getattr(d, "validate", None) is nationalids._national_id
    )
    spec = native._spec(detector)
    assert spec is not None and _native is not None
    calls: list[bytes] = []

    def validator(data: bytes, start: int, end: int) -> tuple[int, int] | None:
        calls.append(data[start:end])
        return nationalids._national_id(data, start, end)

    tables = native._tables()
    tables["national_library"] = (
        validator,
        *tables["national_library"][1:],
    )  # the port stands for this validator
    engine = _native.Engine(
        [(*spec[:7], validator, *spec[8:])], tables, credentials.jwt_header_ok, Finding
    )
    assert engine.candidates(b"my national id is 12345678Z") != []
    assert calls == []
    assert engine.candidates("numéro national: 12345678Z".encode()) != []
    assert calls == [b"12345678Z"]
