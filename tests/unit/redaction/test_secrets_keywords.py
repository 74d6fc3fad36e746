"""Key-word secrets: the C++ port of keywords._assignment decides as the Python code does.

SPEC §4 "high-entropy tokens next to key words" and passwords after password-like
key words. The compiled scan decides key-word candidates in C++ (the gates
``keyword_password`` / ``keyword_secret`` in _native.cpp) and calls the Python
validator back only for values of non-ASCII bytes without an ASCII letter or digit;
these tests hold the two scans to the same findings on the edges of that port.
"""

from __future__ import annotations

import re

import pytest

from consentry.redaction import Redactor, codevalues, keywords, native, pattern_shapes

PYTHON = Redactor(native=False)
COMPILED = Redactor()


def _spans(redactor: Redactor, text: str) -> list[tuple[int, int, str]]:
    return [(f.start, f.end, f.type) for f in redactor.redact(text).findings]


EDGES = [
    # quoting: closed, unclosed (a truncated paste), whitespace only, empty, @"..."
    'password = "   "',
    'password = ""',
    "password = '  \t '",
    'db_password = "Tr0ub4dor&3',
    'token = "Kx8vQ2mZ7pL4nR9sT1wY3bC6dF0gH5jA. Then we deployed it."',
    'apiKey = @"Zq7Wm2Xp9Lk4Vn8Rt3Ys6Bh1Cg5Df0"',
    # operators and syntaxes
    'secret := "Vq3Lm8Np2Xr7Kt9Zw4Ys"',
    "PASSWORD ?= hunter2hunter2",
    'props.setProperty("password", "s3cr3t-Value")',
    "<password>Pa55word!x</password>",
    '<add key="ApiKey" value="Qm7Xv2Lp9Kt4Wn8Rz3Ys6Bh1" />',
    "if (token == 'Zq7Wm2Xp9Lk4Vn8Rt3Ys6Bh') {",
    "--password=Sup3r-S3cret",
    "export AWS_SECRET_ACCESS_KEY=Wm2Xp9Lk4Vn8Rt3Ys6Bh1Cg5Df0Qz7Kp4Ln8Tx",
    "creds(api_key='Lk4Vn8Rt3Ys6Bh1Cg5Df0Qz')",
    "token > 5",
    "a, password, b",
    # the identifier: suffixes that name something else, camelCase, too long, another script
    "password_hint = remember the dog",
    "credentialsId: 'b0b5a8c2-1f7e-4d7c-9a7e-2f5d1c3b4a6e'",
    "tokenUrl = https://example.org/oauth/token",
    "a_very_long_prefix_that_goes_on_and_on_and_on_password = hunter22",
    "пароль_password = hunter22",
    # values: placeholders, templates, references, names, generated
    "password = ${DB_PASSWORD}",
    "api_key = YOUR_API_KEY",
    "secret = xxxxxxxxxxxx",
    "password = os.environ['DB_PASSWORD']",
    "password = settings.local.py",
    "session_key = make_key(user)",
    "auth = Kx8vQ2mZ7pL4nR9s",
    "key = value",
    "password = m{{h}o)p${e]nob(ody[finds>-_$#thisone}}",
    "https://example.org/cb?token=Zq7Wm2Xp9Lk4Vn8Rt3Ys6&state=abc",
    # non-ASCII values: letters of another script, symbols only, mixed
    "password = пароль",
    "password = «»—…",
    "password = Kx8vQ2mZ7пароль",
    'secret = "日本語のひみつ"',
    # the value on the next line is not this key's value
    "password:\n  hunter22",
]


@pytest.mark.parametrize("text", EDGES)
def test_compiled_and_python_scans_decide_key_words_alike(text: str) -> None:
    """SPEC §4: the C++ port of the key-word validator finds what the Python one finds."""
    assert native.available()
    assert _spans(COMPILED, text) == _spans(PYTHON, text)


@pytest.mark.parametrize(
    "text", ['password = "   "', "secret: '\t'", 'db_password = " "; user = "x"']
)
def test_a_blank_quoted_value_is_no_secret_and_no_crash(text: str) -> None:
    """A quoted value of spaces only made the filter fail (IndexError) in both scans."""
    for redactor in (PYTHON, COMPILED):
        assert [f for f in redactor.redact(text).findings if f.type == "PASSWORD"] == []


def test_the_gate_tables_are_the_python_tables() -> None:
    """The patterns handed to the C++ port are built from keywords' own tables."""
    suffixes, values, template, references, words, max_value, max_quoted, first, *code = (
        keywords.NATIVE_GATE_PATTERNS
    )
    assert tuple(code) == codevalues.NATIVE_PATTERNS
    assert template == keywords._TEMPLATE.pattern
    assert first == pattern_shapes.first_bytes(template)
    assert int(max_value) == keywords.MAX_VALUE
    assert int(max_quoted) == keywords.MAX_QUOTED
    for word in keywords._PLACEHOLDER_VALUES:
        assert re.escape(word) in values  # as the alternation writes it (not\-set)
    for suffix in ("id", "name", "url", "hint"):
        assert suffix.encode() in suffixes
    assert b"getenv" in references and b"your" in words


LONG = "Qm7Xv2Lp9Kt4Wn8Rz3Ys6Bh1" * 40  # 960 characters, past MAX_VALUE


@pytest.mark.parametrize(
    "text",
    [
        f"refresh_token={LONG}&state=x",
        f'"refresh_token": "{LONG}"',
        f"[DEBUG] Using Key = {LONG}\n[INFO] done",
        f"Authorization: Bearer {LONG}",
        f"deploy --token {LONG} --yes",
    ],
)
def test_a_token_longer_than_the_read_limit_is_covered_whole(text: str) -> None:
    """SPEC §4, issue 16 'no partial leaks': a long token is not cut at MAX_VALUE bytes."""
    start = text.index(LONG)
    for redactor in (PYTHON, COMPILED):
        spans = [(f.start, f.end) for f in redactor.redact(text).findings]
        assert any(s <= start and start + len(LONG) <= e for s, e in spans), spans
    assert _spans(COMPILED, text) == _spans(PYTHON, text)
