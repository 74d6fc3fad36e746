"""The key-word gates' word tables in the compiled scan (SPEC §4 secrets; issue 16, speed).

The gates of the key-word detectors (``keywords._password_assignment``,
``keywords._secret_assignment``, ``commands._header``) read
``keywords.NATIVE_GATE_PATTERNS``. Four of those are alternations of literal words
(identifier suffixes, stand-in values, reference words, placeholder words); the
compiled scan tests the words themselves (``kw::Words`` in _native.cpp: a lookup for a
whole value, a search by first two bytes for a word inside one) instead of calling RE2
per value. Each gate must decide exactly as the Python validator called back on
every match: words at the start, middle and end of values, overlapping, one byte
short, in identifiers and in camelCase tails.
"""

from __future__ import annotations

import random

import pytest

from consentry.redaction import _native, commands, credentials, keywords, native
from consentry.redaction.keyvalues import _PLACEHOLDER_VALUES, _PLACEHOLDER_WORDS, _REFERENCE_WORDS
from consentry.redaction.model import Finding

pytestmark = pytest.mark.usefixtures("compiled_scan")

_GATED = (keywords._password_assignment, keywords._secret_assignment, commands._header)
_BODY = "Zq8wM2xR7vLp4nKs9TyBh3Jd"  # looks generated (my own)


def _engines() -> tuple[object, object]:
    """The three key-word detectors with their gates, and with the validators called back."""
    gated, called_back = [], []
    for detector in native._BUILTIN:
        spec = native._spec(detector)
        assert spec is not None
        if spec[0] != "pattern" or spec[5] != "python" or spec[7] not in _GATED:
            continue
        assert spec[8] in ("keyword_password", "keyword_secret", "header")
        gated.append(spec)
        called_back.append((*spec[:8], "", []))
    assert len(gated) == 3
    assert _native is not None
    return (
        _native.Engine(gated, native._tables(), credentials.jwt_header_ok, Finding),
        _native.Engine(called_back, native._tables(), credentials.jwt_header_ok, Finding),
    )


def _values() -> list[str]:
    """Values holding each table's words where a search by first bytes could go wrong."""
    words = sorted(w.decode() for w in (*_PLACEHOLDER_WORDS, *_REFERENCE_WORDS))
    out = []
    for word in words:
        out += [word, word[:-1], word + _BODY, _BODY + word, _BODY[:9] + word + _BODY[9:]]
        out += [word.upper() + _BODY, word[0] + _BODY + word[1:], _BODY + word[:-1]]
    for value in sorted(w.decode() for w in _PLACEHOLDER_VALUES):
        out += [value, value.upper(), value + "x", value[:-1], f" {value} "]
    out += ["xx" + "xxxx"[:k] + _BODY for k in range(5)]  # overlapping starts of "xxxx"
    return out


def _texts() -> list[str]:
    keys = ["api_key", "token", "password", "secret", "Authorization: Bearer"]
    suffixes = sorted(keywords._NOT_SECRET_SUFFIXES)
    texts = []
    for i, value in enumerate(_values()):
        key = keys[i % len(keys)]
        sep = " " if key.startswith("Authorization") else " = "
        texts.append(f'{key}{sep}"{value}"\n{key}{sep}{value}\n')
    for suffix in suffixes:
        camel = suffix[:1].upper() + suffix[1:]
        texts.append(f"token_{suffix} = {_BODY}\napiKey{camel} = {_BODY}\nsecret{suffix}={_BODY}")
        texts.append(f"token_{suffix[:-1]} = {_BODY}\ntoken_{suffix}s = {_BODY}")
    return texts


def test_word_tables_are_alternations_of_the_words() -> None:
    """The patterns the gates read as words are written from these words."""
    tables = (
        keywords._NOT_SECRET_SUFFIXES,
        _PLACEHOLDER_VALUES,
        None,
        _REFERENCE_WORDS,
        _PLACEHOLDER_WORDS,
    )
    for pattern, words in zip(keywords.NATIVE_GATE_PATTERNS, tables, strict=False):
        if words is None:
            continue
        encoded = tuple(w.encode() if isinstance(w, str) else w for w in words)
        assert pattern == keywords._alternation(encoded)


def test_key_word_gates_decide_as_the_validators() -> None:
    gated, called_back = _engines()
    texts = _texts()
    rng = random.Random(16)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.*[($"
    values = _values()
    for _ in range(1500):
        value = rng.choice(values)
        cut = rng.randrange(len(value) + 1)
        noise = "".join(rng.choice(alphabet) for _ in range(rng.randrange(4)))
        key = rng.choice(["auth_token", "password", "client_secret", "X-Api-Key:"])
        texts.append(f"{key} = {value[:cut]}{noise}{value[cut:]}")
    found = 0
    for text in texts:
        data = text.encode()
        ours = gated.candidates(data)  # type: ignore[attr-defined]
        assert ours == called_back.candidates(data), text  # type: ignore[attr-defined]
        found += len(ours)
    assert 0 < found < 2 * len(texts)  # both accepted and refused values among them


# Whole values that are templates (keyvalues._TEMPLATE), one per alternative, my own.
_TEMPLATES = [
    "${DB_PASSWORD}", "{{ vault_token }}", "{api_key}", "%(secret)s", "<your-token-here>",
    "#{smtp_password}", "$SECRET_KEY", "%APP_SECRET%", "%s", "???", "[REDACTED TOKEN]",
]  # fmt: skip


def _template_texts() -> list[str]:
    """Templates as values, whole, padded, with a byte before or after, cut short."""
    texts = []
    for template in _TEMPLATES:
        for value in (template, f" {template} ", "x" + template, template + "x", template[:-1]):
            texts.append(f'password = "{value}"\napi_secret: {value}\nAuthorization: {value}')
    return texts


def test_templates_are_decided_as_the_validators() -> None:
    """SPEC §4: a template is a placeholder, not a secret; the first-byte check before the
    template pattern (pattern_shapes.first_bytes) refuses nothing the pattern accepts."""
    gated, called_back = _engines()
    found = 0
    for text in _template_texts():
        data = text.encode()
        ours = gated.candidates(data)  # type: ignore[attr-defined]
        assert ours == called_back.candidates(data), text  # type: ignore[attr-defined]
        found += len(ours)
    assert found > 0  # the templates with a byte added are secrets again


def test_the_first_byte_table_is_consulted() -> None:
    """With the flags of the templates' first bytes cleared, templates count as secrets:
    the table reaches the gate (and the test above would catch a byte missing from it)."""
    gated, _ = _engines()
    assert _native is not None
    specs = []
    for detector in native._BUILTIN:
        spec = native._spec(detector)
        if spec is not None and spec[0] == "pattern" and spec[5] == "python" and spec[7] in _GATED:
            words = list(spec[9])
            assert len(words[7]) == 256
            words[7] = bytes(256)
            specs.append((*spec[:9], words))
    blind = _native.Engine(specs, native._tables(), credentials.jwt_header_ok, Finding)
    text = "\n".join(f'password = "{t}"' for t in _TEMPLATES).encode()
    assert len(blind.candidates(text)) > len(gated.candidates(text))  # type: ignore[attr-defined]
