"""Validators ported whole into the compiled scan's gates, pinned to their Python source.

SPEC §4 (secrets: high-entropy tokens) and issue 16 (the filter's speed): the
quoted-generated-literal validator (``tokens._quoted_generated``) was called back
from C++ on every quoted 20-100 character literal. Its port (``quoted_generated``
in _native.cpp) now accepts and rejects in C++. It must decide exactly as the
Python function does, and when that function changes the port must stop being
used until it is checked again: ``native.GATE_PINS`` holds the digest of the
function's source and constants.
"""

from __future__ import annotations

import random

import pytest

from consentry.redaction import _native, commands, credentials, native, tokens
from consentry.redaction.model import Finding

# Each condition of _quoted_generated at its edge (my own examples): matching
# quotes, ".", two and three "/", case, two and three digits, hex-only letters,
# subresource-integrity prefixes, low entropy, the 20 and 100 length bounds.
EDGES = [
    'key = "5po8TFGawiYNCc1ct4ofWkBqzIfA6IeO"',
    "key = '5po8TFGawiYNCc1ct4ofWkBqzIfA6IeO\"",
    "run(`Zq8wM2xR7vLp4nKs9TyBh3Jd`)",
    'v = "Zq8wM2xR.7vLp4nKs9TyBh3Jd"',
    'p = "Zq8w/M2xR7v/Lp4nKs9TyBh3Jd"',
    'p = "Zq8w/M2xR7v/Lp4n/Ks9TyBh3Jd"',
    'lower = "zq8wm2xr7vlp4nks9tybh3jd"',
    'upper = "ZQ8WM2XR7VLP4NKS9TYBH3JD"',
    'two = "ZqAwMBxRCvLpDnKsETyBhFJd2x9"',
    'three = "ZqAwMBxRCvLpDnKsETyBhFJd2x9y1"',
    'hex = "A1b2C3d4E5f6A7b8C9d0EaFbAc"',
    'sri = "sha384-oqVuAfXRKap7fdgcCY5uykM6"',
    'sri1 = "sha1-oqVuAfXRKap7fdgcCY5uykM6+"',
    'low = "Aa1Aa1Aa1Aa1Aa1Aa1Aa1Aa1"',
    'short = "Xy7Qw3Er9Tz2Ui5Op8As"',
    'short = "Xy7Qw3Er9Tz2Ui5Op8A"',
    'long = "' + "Xy7Qw3Er9Tz2Ui5Op8AsDf4Gh6Jk1Lz0Nm-_+=/Bv" * 3 + '"',
    'glued"Xy7Qw3Er9Tz2Ui5Op8AsDf4"glued and "Xy7Qw3Er9Tz2Ui5Op8AsDf4"',
    'two in a row "Xy7Qw3Er9Tz2Ui5Op8AsDf4""Hy7Qw3Er9Tz2Ui5Op8AsDf4"',
]
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+/=-."


pytestmark = pytest.mark.usefixtures("compiled_scan")


def _engines() -> tuple[object, object]:
    """The built-in scan with the quoted-literal gate, and with the Python validator."""
    specs = [native._spec(d) for d in native._BUILTIN]
    ported, called_back = [], []
    for spec in specs:
        assert spec is not None
        ported.append(spec)
        if spec[0] == "pattern" and spec[5] == "python" and spec[7] is tokens._quoted_generated:
            assert spec[8] == "quoted_generated"
            spec = (*spec[:8], "", [])
        called_back.append(spec)
    tables = native._tables()
    return (
        _native.Engine(ported, tables, credentials.jwt_header_ok, Finding),
        _native.Engine(called_back, tables, credentials.jwt_header_ok, Finding),
    )


def test_pinned_validators_are_unchanged() -> None:
    """SPEC §4: a gate that ports a whole validator is pinned to that validator's source."""
    for function, pinned in native.GATE_PINS.items():
        assert native.function_digest(function) == pinned, (
            f"{function.__qualname__} changed (digest {native.function_digest(function)}): "
            "check its port in _native.cpp, then update native.GATE_PINS"
        )


def test_a_changed_validator_is_called_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """SPEC §4: with a stale pin the compiled scan calls the Python validator, not the port."""
    detector = tokens.SHAPE_DETECTORS[1]
    spec = native._spec(detector)
    assert spec is not None and spec[8] == "quoted_generated"
    monkeypatch.setitem(native.GATE_PINS, tokens._quoted_generated, "0" * 16)
    stale = native._spec(detector)
    assert stale is not None and stale[8] == "" and stale[7] is tokens._quoted_generated


@pytest.mark.parametrize("text", EDGES)
def test_port_decides_as_the_python_validator(text: str) -> None:
    """SPEC §4 quoted generated literals: the C++ port finds what the call-back finds."""
    ported, called_back = _engines()
    data = text.encode()
    assert ported.candidates(data) == called_back.candidates(data)  # type: ignore[attr-defined]


def test_port_on_generated_literals() -> None:
    """SPEC §4: the same candidates on 3,000 seeded random quoted literals of every mix."""
    ported, called_back = _engines()
    rng = random.Random(16)
    decided = set()
    for _ in range(3000):
        pool = rng.choice(
            [_ALPHABET, _ALPHABET[:26] + "0123", _ALPHABET[26:], "abcdefABCDEF0123456789"]
        )
        value = "".join(rng.choice(pool) for _ in range(rng.randint(18, 102)))
        quote, close = rng.choice("\"'`"), rng.choice("\"'`")
        data = f"x = {quote}{value}{close};".encode()
        found = ported.candidates(data)  # type: ignore[attr-defined]
        assert found == called_back.candidates(data), data  # type: ignore[attr-defined]
        decided.add(any(c[0] == 5 for c in found))
    assert decided == {True, False}  # both verdicts were exercised


def _jwt_engines() -> tuple[object, object]:
    """The built-in scan with the two-part JWT gate, and with its Python validator."""
    ported, called_back = [], []
    for spec in (native._spec(d) for d in native._BUILTIN):
        assert spec is not None
        ported.append(spec)
        if spec[0] == "pattern" and spec[5] == "python" and spec[7] is credentials._two_part_jwt:
            assert spec[8] == "two_part_jwt"
            spec = (*spec[:8], "", [])
        called_back.append(spec)
    tables = native._tables()
    return (
        _native.Engine(ported, tables, credentials.jwt_header_ok, Finding),
        _native.Engine(called_back, tables, credentials.jwt_header_ok, Finding),
    )


def test_two_part_jwt_gate_decides_as_the_python_validator() -> None:
    """SPEC §4 (JWTs unsigned or split across lines): where the header is a flat JSON object
    the C++ gate decides alg/typ itself, elsewhere it asks; same candidates on 3,000 seeded
    headers (flat, nested, escaped, floats, padding lengths, not JSON) and line splits."""
    import base64
    import json

    ported, called_back = _jwt_engines()
    rng = random.Random(16)
    keys = ["alg", "typ", "kid", "ALG", "al", "typ ", "x"]
    values = ['"HS256"', '"none"', "1", "-0", "1.5", "true", "null", "[1]", '{"a": 1}', '"\\u0041"']
    decided = set()
    for _ in range(3000):
        members = [
            f'"{rng.choice(keys)}"{rng.choice(["", " "])}:{rng.choice(["", " "])}'
            + rng.choice(values)
            for _ in range(rng.randint(0, 3))
        ]
        header_json = "{" + rng.choice([",", ", "]).join(members) + "}"
        if rng.random() < 0.1:
            header_json = rng.choice(["[1]", '"alg"', "{", '{"alg": 1', " {}", "{}\n"])
        header = base64.urlsafe_b64encode(header_json.encode()).rstrip(b"=").decode()
        if rng.random() < 0.1:
            header = header[: rng.randint(8, len(header))] if len(header) > 8 else header
        payload = base64.urlsafe_b64encode(json.dumps({"sub": rng.random()}).encode())
        joint = rng.choice([".", " \\\n.", "\n.", ".\n  "])
        tail = rng.choice(["", ".", ".sig"])
        data = f"t={header}{joint}{payload.rstrip(b'=').decode()}{tail} end".encode()
        found = ported.candidates(data)  # type: ignore[attr-defined]
        assert found == called_back.candidates(data), data  # type: ignore[attr-defined]
        decided.add(bool(found))
    assert decided == {True, False}


def _called_back(function: object) -> tuple[object, object]:
    """The built-in scan as built, and with ``function``'s gate dropped (called back)."""
    ported, called_back = [], []
    for spec in (native._spec(d) for d in native._BUILTIN):
        assert spec is not None
        ported.append(spec)
        if spec[0] == "pattern" and spec[5] == "python" and spec[7] is function:
            assert spec[8] != ""
            spec = (*spec[:8], "", [])
        called_back.append(spec)
    tables = native._tables()
    return (
        _native.Engine(ported, tables, credentials.jwt_header_ok, Finding),
        _native.Engine(called_back, tables, credentials.jwt_header_ok, Finding),
    )


HEADER_EDGES = [
    "Authorization: Bearer Zq8wM2xR7vLp4nKs9TyBh3Jd",
    "curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='",
    'headers = {"Authorization": "Bearer ${TOKEN}"}',
    "Authorization: Bearer <token>",
    "Authorization: Bearer abc123",
    "X-Api-Key: production",
    "X-Api-Key: Zq8wM2xR7vLp4nKs9TyBh3Jd",
    "X-Auth-Token:  settings.local.token",
    "bearer   os.environ",
    "Authorization: Bearer your_token_here",
    "Authorization: Bearer \u00e9\u00e8\u00e0\u00e7\u00e9\u00e8\u00e0\u00e7",
    "Authorization: Bearer \u00e9\u00e8\u00e0\u00e7\u00e9\u00e8a1",
    "Authorization: Bearer " + "Zq8wM2xR7vLp4nKs9TyBh3Jd" * 20,
    'Authorization: Bearer "Zq8wM2xR7vLp4nKs9TyBh3Jd',
    "Proxy-Authorization: Negotiate YIIJvwYGKwYBBQUCoIIJszCCCa+gMDAuBgkqhkiC9xIB",
]


@pytest.mark.parametrize("text", HEADER_EDGES)
def test_header_gate_decides_as_the_python_validator(text: str) -> None:
    """SPEC §4 (secrets in commands and headers, issue 16): commands._header ported whole
    into the C++ gate finds what the call-back finds."""
    ported, called_back = _called_back(commands._header)
    data = text.encode()
    assert ported.candidates(data) == called_back.candidates(data)  # type: ignore[attr-defined]


def test_header_gate_on_generated_headers() -> None:
    """SPEC §4: the header gate against commands._header called back, same candidates on
    3,000 seeded headers (schemes, colon or not, quotes, placeholders, templates,
    references, short, long and non-ASCII values, line ends) and both verdicts seen."""
    ported, called_back = _called_back(commands._header)
    rng = random.Random(16)
    heads = [
        "Authorization: Bearer ", "authorization=token ", "Proxy-Authorization: Basic ",
        '"Authorization": "Bearer ', "bearer ", "Bearer\t", "X-Api-Key: ", "x-auth-token:",
        "X-Goog-Signature : ", "X-Session-Secret-Id:",
    ]  # fmt: skip
    pools = [_ALPHABET, "abcdefghij", "ABCDEF0123456789", "x*", "$${}<>%._-", "é漢a1 \t"]
    decided = set()
    for _ in range(3000):
        value = "".join(
            rng.choice(rng.choice(pools)) for _ in range(rng.choice([3, 7, 8, 9, 16, 40, 320]))
        )
        if rng.random() < 0.2:
            value = rng.choice(["your_api_key_here", "os.environ.get", "${TOKEN}", "changeme"])
        quote = rng.choice(["", "", '"', "'"])
        end = rng.choice(["", "\n", '"', "'", ", next", ")", " more words"])
        data = f"{rng.choice(['', 'curl -H ', 'x '])}{rng.choice(heads)}{quote}{value}{end}"
        found = ported.candidates(data.encode())  # type: ignore[attr-defined]
        assert found == called_back.candidates(data.encode()), data  # type: ignore[attr-defined]
        decided.add(any(c[2] == "SECRET" for c in found))
    assert decided == {True, False}


def test_uuid_layout_gate_decides_as_the_python_validator() -> None:
    """SPEC §4 (keys in a UUID's layout; hex UUIDs are ids, issue 16): the gate refuses in
    C++ a token with fewer than 3 letters beyond hex and asks tokens._base36_in_uuid_layout
    otherwise; same candidates as the call-back on 3,000 seeded tokens with 0 to 8 such
    letters in either case, glued or not, and hex UUIDs never reach Python."""
    ported, called_back = _called_back(tokens._base36_in_uuid_layout)
    rng = random.Random(16)
    hex_digits, beyond = "0123456789abcdef", "ghijklmnopqrstuvwxyz"
    decided = set()
    for _ in range(3000):
        chars = [rng.choice(hex_digits) for _ in range(32)]
        for i in rng.sample(range(32), rng.randint(0, 8)):
            chars[i] = rng.choice(beyond)
        value = "".join(c.upper() if rng.random() < 0.3 else c for c in chars)
        token = "-".join(value[a:b] for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32)))
        data = f"{rng.choice(['key ', 'id=', 'x-', ''])}{token}{rng.choice(['', ' ', '-x', '_'])}"
        found = ported.candidates(data.encode())  # type: ignore[attr-defined]
        assert found == called_back.candidates(data.encode()), data  # type: ignore[attr-defined]
        decided.add(any(c[2] == "SECRET" for c in found))
    assert decided == {True, False}
