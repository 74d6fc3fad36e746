"""The compiled scan's gates before the PII validators written in Python (issue 16, SPEC §4).

Phone numbers, national identifiers, irregular card numbers and IBANs in any
case are decided by Python validators (phonenumbers, python-stdnum) called back
from the compiled scan. A gate in C++ (``Gate`` in _native.cpp) checks a
necessary condition first, so most matches never reach Python. A gate may only
reject what the validator rejects: these tests compare both scans on texts at
the edges of each gate, and count the callbacks a gate saves.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor, fieldnumbers, nationalids, native, pii, spellings
from consentry.redaction.detector import PatternDetector
from consentry.redaction.model import CARD, IBAN, NATIONAL_ID, PHONE

PYTHON = Redactor(native=False)
COMPILED = Redactor() if native.available() else None


pytestmark = pytest.mark.usefixtures("compiled_scan")


# Edges of each gate (SPEC §4 phone numbers, national identifiers with checksums,
# cards, IBANs): glued on either side, a context word just inside or outside the
# window a gate reads, too few digits, an IBAN-like group before, Latin-1 bytes.
EDGES = [
    # fieldnumbers._phone: glued before, not-phone words within 24 bytes, < 7 digits
    "call me: 030 901820 or 030-9018-20",
    "id7 030 9018 2044, _030 9018 2044, +030 9018 2044, a.030 9018 2044",
    "order #  030 9018 2044 and an order then twenty-five bytes of words 030 9018 2044",
    "invoice: 212-555-0147 / version 212 555 0147 / tracking 0049 30 901820",
    "DE89 3704 0044 0532 0130 00 then BNBG 9661 1020 3456 78 and bnbg 9661 1020 3456",
    "Telefon: 0171 2345678 ext. 12, Tel. (0)30 901820 x235, 0049 30 901820",
    "num\xe9ro 01 23 45 67 89, n\xfamero 612 345 678, \xc3\x89 612 345 678",
    # pii._phone_in_context: a bare run after a phone word or not
    "0245247460 then phone 0245247460 then +44 20 7946 0958 123-45-6789",
    "(415) 555-2671 and 1-415-555-2671 and 415.555.2671x99",
    # nationalids._national_id: letters, ID words in and out of the 48-byte window
    "DNI 12345678Z, NIE X1234567L, 12345678Z alone, id:12345678Z",
    "national id " + "x" * 47 + " 7501011234567 and personnummer 811218-9876",
    "national id " + "x" * 30 + " 811218-9876 / PESEL 44051401359 / pesel44051401359",
    "ID 123.456.789-09 (CPF) and A1234567 and CPF 111.444.777-35, c\xe9dula 1234567",
    # spellings._card_other: UATP, groupings, Luhn, glued
    "UATP 1100 0000 0000 007, 1100-0000-0000-007, x110000000000007, 110000000000004",
    "UnionPay 6212 3456 7890 1234 562 and 62123456789012345-62 and 4111.1111.1111.1111",
    # spellings._iban_any_case
    "de89 3704 0044 0532 0130 00, De89-3704-0044-0532-0130-00, xde89370400440532013000",
    "zz89 3704 0044 0532 0130 00 and gb82 west 1234 5698 7654 32",
]


@pytest.mark.parametrize("text", EDGES)
def test_gates_keep_the_findings_of_the_python_scan(text: str) -> None:
    """SPEC §4: a gate changes where the time goes, never what is found."""
    assert COMPILED is not None and COMPILED.compiled
    assert COMPILED.redact(text) == PYTHON.redact(text)


def test_each_python_pii_validator_has_a_gate() -> None:
    specs = {
        id(s[7]): s
        for s in map(native._spec, native._BUILTIN)
        if s and s[0] == "pattern" and s[5] == "python"
    }
    for function, gate in (
        (fieldnumbers._phone, "field_phone"),
        (nationalids._national_id, "national_id"),
        (spellings._card_other, "card_other"),
        (spellings._iban_any_case, "iban_any_case"),
        (pii._phone_in_context, "phone_in_context"),
    ):
        assert specs[id(function)][8] == gate


def _counting_engine(
    kind: str, function: object, gate: str, words: tuple[bytes, ...], pattern: str
) -> tuple[object, list[int]]:
    calls: list[int] = []

    def counted(data: bytes, start: int, end: int) -> tuple[int, int] | None:
        calls.append(start)
        result: tuple[int, int] | None = function(data, start, end)  # type: ignore[operator]
        return result

    spec = ("pattern", kind, 50, pattern, [], "python", False, counted, gate, list(words))
    assert native._native is not None
    from consentry.redaction.model import Finding

    engine = native._native.Engine([spec], native._tables(), lambda _h: True, Finding)
    return engine, calls


@pytest.mark.parametrize(
    ("kind", "detector", "gate", "text", "found"),
    [
        # glued, no ID word, letters only in the last place: rejected in C++
        (
            NATIONAL_ID,
            nationalids.DETECTORS[0],
            "national_id",
            "ref 811218-9876 and abc811218-9876 and 7501011234567",
            0,
        ),
        # glued before, a not-phone word, too few digits
        (
            PHONE,
            fieldnumbers.DETECTORS[0],
            "field_phone",
            "a030 9018 2044, invoice 030 9018 2044, 12.34.56",
            0,
        ),
        # fully decided in C++: a valid UATP number is accepted without Python
        (
            CARD,
            spellings.DETECTORS[1],
            "card_other",
            "card 1100 0000 0000 007 and 1100 0000 0000 004",
            1,
        ),
        (
            IBAN,
            spellings.DETECTORS[0],
            "iban_any_case",
            "xde89 3704 0044 0532 0130 00, zz89 3704 0044 0532 0130",
            0,
        ),
    ],
)
def test_gates_reject_in_cpp_without_calling_python(
    kind: str, detector: PatternDetector, gate: str, text: str, found: int
) -> None:
    assert detector.type == kind
    spec = native._spec(detector)
    assert spec is not None and spec[8] == gate
    engine, calls = _counting_engine(
        kind, detector.validate, gate, tuple(spec[9]), detector.regex.pattern
    )
    candidates = engine.candidates(text.encode())  # type: ignore[attr-defined]
    assert calls == []
    assert len(candidates) == found


# Issue 16 (speed): the phone gate refuses in C++ what _one_phone refuses for every
# prefix it tries (dates, addresses, dotted numbers, SSN shapes and short groups
# without a phone word, bare runs that are no bare mobile). Texts at those edges,
# with and without a phone word, a "number" word with and without an identifier named,
# a field break, non-ASCII context, a country code, an extension.
_PHONE_CONTEXTS = [
    "",
    "build ",
    "call ",
    "phone: ",
    "number ",
    "ID number ",
    "social security number: ",
    "my number, ref ",
    "t\xe9l ",
    "n\xfamero ",
    '{"id": 7, "v": "',
    "tracking ",
    "x",
    "+",
    "a.",
    "R ",
    "USD ",
]
_PHONE_VALUES = [
    "2025-11-26",
    "2025-11-26 23",
    "01/09/2024 17",
    "172.29.35.234",
    "218.80.194.251/24",
    "1.0.0.65458",
    "3.601555716",
    "161-11-4081",
    "609 98 5152",
    "1702112588",
    "3702112588",
    "13812345678",
    "03812345678",
    "342904158463075",
    "9837231",
    "6011-0212-3977-1017",
    "0049 30 901820",
    "011 44 20 7946 0958",
    "(415) 555-2671",
    "415.555.2671",
    "415 555 2671 555 2671",
    "1 415 555 2671",
    "030 9018 20 44",
    "+44 20 7946 0958",
    "212-555-0147 x12",
    "212 555 0147 #3",
    "12.345.678.901",
    "9780306406157",
    "0 306 40615 2",
    "0 8044 2957 X",
    "6905899151",
    "0031321911140",
    "2019-045",
    "2021 11 30",
    "7 125 480",
]


def _phone_gate_texts() -> list[str]:
    import random

    rng = random.Random(16)
    texts = [
        c + v + t for c in _PHONE_CONTEXTS for v in _PHONE_VALUES for t in ("", ".", "a", " x")
    ]
    for _ in range(3000):
        value = rng.choice(_PHONE_VALUES)
        chars = list(value)
        for _ in range(rng.randrange(3)):  # change a digit or a separator
            i = rng.randrange(len(chars))
            chars[i] = rng.choice("0123456789 .-/()+")
        texts.append(
            rng.choice(_PHONE_CONTEXTS) + "".join(chars) + rng.choice(["", ", ", "5", "."])
        )
    return texts


def test_phone_gate_refuses_only_what_python_refuses() -> None:
    """SPEC §4 (phone numbers): the field-phone gate keeps the validator's findings exactly,
    compared with the same validator called back on every match, and saves callbacks."""
    detector = fieldnumbers.DETECTORS[0]
    spec = native._spec(detector)
    assert spec is not None and spec[8] == "field_phone" and len(spec[9]) == 10
    pattern = detector.regex.pattern
    gated, gated_calls = _counting_engine(
        PHONE, detector.validate, "field_phone", tuple(spec[9]), pattern
    )
    plain, plain_calls = _counting_engine(PHONE, detector.validate, "", (), pattern)
    for text in _phone_gate_texts():
        data = text.encode()
        assert gated.candidates(data) == plain.candidates(data), text  # type: ignore[attr-defined]
    assert len(gated_calls) < 0.7 * len(plain_calls)


@pytest.mark.parametrize(
    "text",
    [
        "2025-11-26, 172.29.35.234, 218.80.194.251/24, 3.601555716, 12.345.678.901",
        "build 1.0.0.65458, social security number: 161-11-4081, ID number 609 98 5152",
        "paid 1702112588, 342904158463075, 03812345678, ref 9837231",
    ],
)
def test_phone_gate_refuses_in_cpp(text: str) -> None:
    """SPEC §4: dates, addresses, SSN shapes, short groups and bare runs that are no bare
    mobile never reach the Python phone validator."""
    detector = fieldnumbers.DETECTORS[0]
    spec = native._spec(detector)
    assert spec is not None
    engine, calls = _counting_engine(
        PHONE, detector.validate, "field_phone", tuple(spec[9]), detector.regex.pattern
    )
    assert engine.candidates(text.encode()) == []  # type: ignore[attr-defined]
    assert calls == []


def _gate_against_call_back(
    detector: PatternDetector, kind: str, texts: list[str]
) -> tuple[list[int], list[int]]:
    """Candidates of the detector's gate and of its validator called back on every match
    compared on ``texts``; (callbacks with the gate, callbacks without)."""
    spec = native._spec(detector)
    assert spec is not None and spec[8]
    pattern = detector.regex.pattern
    gated, gated_calls = _counting_engine(kind, detector.validate, spec[8], tuple(spec[9]), pattern)
    plain, plain_calls = _counting_engine(kind, detector.validate, "", (), pattern)
    for text in texts:
        data = text.encode()
        assert gated.candidates(data) == plain.candidates(data), text  # type: ignore[attr-defined]
    return gated_calls, plain_calls


def _mutated(rng: object, values: list[str], alphabet: str, contexts: list[str]) -> list[str]:
    import random

    assert isinstance(rng, random.Random)
    out = []
    for _ in range(3000):
        chars = list(rng.choice(values))
        for _ in range(rng.randrange(3)):
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        out.append(rng.choice(contexts) + "".join(chars) + rng.choice(["", " ", "x", "7", "."]))
    return out


def test_iban_any_case_port_decides_as_the_validator() -> None:
    """SPEC §4 (IBAN in any case and grouping): the C++ port of _iban_any_case (length
    table, grouping, glued, mod-97) accepts and rejects exactly as the Python validator,
    which it replaces (pinned in native.GATE_PINS)."""
    import random

    values = [
        "de89 3704 0044 0532 0130 00",
        "De89-3704-0044-0532-0130-00",
        "gb82 west 1234 5698 7654 32",
        "fr14 2004 1010 0505 0001 3m02 606",
        "nl91abna0417164300",
        "zz89 3704 0044 0532 0130 00",
        "de89 3704 0044 0532 0130",
        "de89 3704 0044 0532 0130 001",
    ]
    contexts = ["", "iban ", "x", "wire to ", "-"]
    texts = _mutated(random.Random(16), values, "0123456789abcdefXYZ -", contexts)
    gated_calls, plain_calls = _gate_against_call_back(spellings.DETECTORS[0], IBAN, texts)
    assert gated_calls == [] and len(plain_calls) > 1000


def test_national_id_gate_refuses_only_what_python_refuses() -> None:
    """SPEC §4 (national identifiers): the gate reads the ID word in the value's own field
    and the not-phone words as _national_id does; same findings as the call-back."""
    import random

    values = [
        "811218-9876",
        "7501011234567",
        "12345678Z",
        "X1234567L",
        "44051401359",
        "111.444.777-35",
        "AKIAH2Y3FXJDS3L2SGNA",
        "DE37 6052 1728 0095 6210 62",
    ]
    contexts = [
        "",
        "ID ",
        "national id: ",
        "account: ",
        "ID 7, account: ",
        '{"id": 42, "ref": "',
        "personnummer; ",
        "c\xe9dula ",
        "order # ",
        "isbn ",
        "DNI|",
    ]
    texts = _mutated(random.Random(16), values, "0123456789AZ -./", contexts)
    gated_calls, plain_calls = _gate_against_call_back(nationalids.DETECTORS[0], NATIONAL_ID, texts)
    assert len(gated_calls) < 0.8 * len(plain_calls)


def _random_id_values(rng: object, count: int) -> list[str]:
    """Values of the national-id pattern's alphabet and lengths: digits, letters,
    separators and spaces in every mix, 6 to 60 characters."""
    import random

    assert isinstance(rng, random.Random)
    pools = [
        "0123456789",
        "0123456789ABCKXZ",
        "0123456789 -./+",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    ]
    out = []
    for _ in range(count):
        pool = rng.choice(pools)
        body = "".join(rng.choice(pool) for _ in range(rng.randint(5, 58)))
        out.append(
            rng.choice(["", "CL", "X", "AB", "ES", "SE", "CN"])
            + rng.choice("0123456789")
            + body.strip()
            + "7"
        )
    return out


def _length_possible(row: tuple[str, int, int, int, tuple[int, ...]], value: str) -> bool:
    """national_id_length_possible in _native.cpp for one module's row."""
    deletes, pad, strip, grow, accepted = row
    low = max(0, len(value) - sum(c in deletes for c in value) - strip)
    lengths = set(range(low, len(value) + grow + 1)) | ({pad} if low <= pad else set())
    return any(n in accepted or n > nationalids._PROBED_LENGTHS for n in lengths)


def test_national_id_length_table_bounds_every_compact_form() -> None:
    """SPEC §4 (national identifiers, issue 16 speed): the generated table's model of each
    stdnum module's compact(): the compact form of every random value has a length in
    [len - deletable - strip, len + grow] or the module's pad length."""
    import random

    table = nationalids.length_table()
    assert len(table) == len(nationalids._modules())
    for value in _random_id_values(random.Random(16), 1500):
        for module, (deletes, pad, strip, grow, _) in zip(
            nationalids._modules(), table, strict=True
        ):
            length = len(module.compact(value))
            low = len(value) - sum(c in deletes for c in value) - strip
            assert low <= length <= len(value) + grow or length == pad, (module.__name__, value)


def test_national_id_length_gate_keeps_every_valid_identifier() -> None:
    """SPEC §4: no valid identifier is refused by the length table: every national id of
    the outside suite (stdnum's own lists, 13 countries) and every stdnum doctest example
    after an ID word is found by the gated scan as by the call-back, and found."""
    import json
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    lines = (root / "benchmarks/redaction/outside/values.jsonl").read_text().splitlines()
    values = [v["value"] for v in map(json.loads, lines) if v["label"] == "NATIONAL_ID"]
    for module in nationalids._modules():
        for example in re.findall(r">>> validate\('([^']*)'\)\n'", module.__doc__ or ""):
            values.append(example)
    # modules without a doctest example or a listed value: valid numbers of my own,
    # their check characters computed by stdnum
    from stdnum.ie import vat
    from stdnum.mu import nid

    values += [
        "1234567" + vat.calc_check_digit("1234567"),
        "1234567" + vat.calc_check_digit("1234567W") + "W",
    ]
    values += [body + nid.calc_check_digit(body) for body in ("A010890123456", "Z311275123456")]
    assert len(values) > 300
    valid = 0
    for module, row in zip(nationalids._modules(), nationalids.length_table(), strict=True):
        for value in values:
            if module.is_valid(value):  # the module's own row allows the value's length
                valid += 1
                assert _length_possible(row, value.upper()), (module.__name__, value)
    assert valid >= len(values)
    texts = [f"ID {value.upper()} ok" for value in values]
    gated_calls, _ = _gate_against_call_back(nationalids.DETECTORS[0], NATIONAL_ID, texts)
    assert len(gated_calls) > 300  # every valid value is still asked of stdnum


def test_national_id_length_gate_on_random_values() -> None:
    """SPEC §4: on 3,000 random values after an ID word (and without one), the gate with
    the length table finds what the call-back finds, and saves most call-backs."""
    import random

    rng = random.Random(7)
    contexts = ["ID ", "national id: ", "", "personnummer ", "RUT "]
    texts = [rng.choice(contexts) + v for v in _random_id_values(rng, 3000)]
    gated_calls, plain_calls = _gate_against_call_back(nationalids.DETECTORS[0], NATIONAL_ID, texts)
    assert len(gated_calls) < 0.5 * len(plain_calls)
