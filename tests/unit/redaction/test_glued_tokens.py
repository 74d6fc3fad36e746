"""Tokens glued to other characters, generated keys in a UUID's layout, and the outside
suite's label corrections (SPEC §4 "provider API keys", "high-entropy tokens"; issue 16's
"a finding must cover the whole value (no partial leaks)").

The examples are written here (a made-up Discord-shaped token, made-up keys); each case
runs in both scans, which must agree.
"""

from __future__ import annotations

import pytest

from consentry.redaction import Redactor
from consentry.redaction.tokens import MAX_GLUE, glued_run

PYTHON = Redactor(native=False)
COMPILED = Redactor()

# base64("123456789012345678") . 6 . 27: the layout of a Discord bot token.
DISCORD = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gh7x2Q.kP3vR9sT2wX5yZ8aB1cD4eF7gH0"


def _spans(text: str) -> list[tuple[int, int, str]]:
    python = [(f.start, f.end, f.type) for f in PYTHON.redact(text).findings]
    compiled = [(f.start, f.end, f.type) for f in COMPILED.redact(text).findings]
    assert python == compiled, text
    return python


def _covers(text: str, value: str) -> bool:
    start = text.index(value)
    return any(s <= start and start + len(value) <= e for s, e, _ in _spans(text))


@pytest.mark.parametrize(
    "value",
    [
        "AT" + DISCORD,  # shape matched inside a longer word: the word goes
        "xy_" + DISCORD,
        DISCORD + "!4o_NmQ",  # more token characters glued on with '!'
        DISCORD + "~abc^d9",
        "Q-" + DISCORD + "*k2",
    ],
)
def test_a_token_glued_to_token_characters_is_redacted_whole(value: str) -> None:
    """SPEC §4: no partial leak when a token shape sits inside a longer word (issue 16)."""
    for text in (f"bot token {value} here", f'client.login("{value}")', f"`{value}`"):
        assert _covers(text, value), text


@pytest.mark.parametrize(
    "text",
    [
        f"use {DISCORD}! thanks",  # '!' then a space: the sentence ends
        f"token={DISCORD}",  # '=' and the key word stay readable
        f'"{DISCORD}"',
        f"{DISCORD}.",
    ],
)
def test_punctuation_that_ends_a_token_is_not_glued(text: str) -> None:
    """SPEC §4: the finding is the token; separators and key words around it are kept."""
    spans = _spans(text)
    assert len(spans) == 1
    start, end, kind = spans[0]
    assert (text[start:end], kind) == (DISCORD, "SECRET")


def test_glued_run_reads_a_bounded_number_of_bytes() -> None:
    """SPEC §4 linear time: the extension reads at most MAX_GLUE bytes on each side."""
    data = b"A" * 500 + b"TOKEN" + b"!b" * 500
    start, end = glued_run(data, 500, 505)
    assert start == 500 - MAX_GLUE
    assert end - 505 <= MAX_GLUE + 1


@pytest.mark.parametrize(
    "value",
    [
        "q7wnmx2k-t4ra-p9zs-vy3h-k8m2n5q7w1rt",
        "api-9hkvw2tm-z7qa-4rpx-w8n3-c2m5q9xy7kte",  # a provider's prefix glued on
        "Z3XJ8KQW-R7TP-M2VN-Y9HS-K4L6W8P2Q5RT",
    ],
)
def test_generated_keys_in_a_uuid_layout_are_secrets(value: str) -> None:
    """SPEC §4 high-entropy tokens: 8-4-4-4-12 over letters beyond hex and digits."""
    for text in (f"export SERVICE={value}", f"use {value} for the sandbox", f'"{value}"'):
        assert _covers(text, value), text
        assert all(kind == "SECRET" for *_, kind in _spans(text))


@pytest.mark.parametrize(
    "text",
    [
        "request id 3f2b8c1e-9d4a-4e7b-8c2f-1a5b6c7d8e9f failed",  # a UUID: hex only
        "see 550E8400-E29B-41D4-A716-446655440000",
        "slug abcdefgh-ijkl-mnop-qrst-uvwxyzabcdef",  # letters only: not generated
        "build 12345678-1234-1234-1234-123456789012",  # digits only
        "rev 3f2b8c1e-9d4a-4e7b-8c2f-1a5b6c7d8ezz",  # two letters beyond hex: a typo'd UUID
    ],
)
def test_uuids_and_words_in_the_layout_are_not_secrets(text: str) -> None:
    """SPEC §4 and issue 16's false positives: UUIDs are ids, not secrets."""
    assert _spans(text) == []


def test_outside_suite_label_corrections() -> None:
    """Issue 16 outside suite: placeholders are negatives; syntax around a secret is not it."""
    from benchmarks.redaction.outside.corpus import correct_label

    assert correct_label("TOKEN_PREFIXED", "AKCxxxxxxxxxx")[0] == "NEGATIVE"
    assert correct_label("TOKEN_PREFIXED", "sk_****************")[0] == "NEGATIVE"
    label, s, e = correct_label("TOKEN_KEYWORD", '"a8Kq2mZx91"')
    assert (label, '"a8Kq2mZx91"'[s:e]) == ("TOKEN_KEYWORD", "a8Kq2mZx91")
    value = "//npm.example.org/:_authToken=9f1c2d3e-aaaa-bbbb-cccc-0123456789ab"
    assert value[slice(*correct_label("TOKEN_PREFIXED", value)[1:])].startswith("9f1c2d3e")
    value = "=QmFzZTY0.abc=="  # a leading '=' goes, trailing base64 padding stays
    assert value[slice(*correct_label("TOKEN_FORMAT", value)[1:])] == "QmFzZTY0.abc=="
    assert correct_label("PHONE_INTL", "+1 xxxxxxxxxx") == ("PHONE_INTL", 0, 13)


@pytest.mark.parametrize(
    "text",
    [
        'apiMetrics := "q8Ww2LzR5nTt0XyB4cVv7Kp"',  # Go, a key word only inside "api"
        'sheets := open_sheet("Hq7Zt2Lw9Xc4Vb8Nm3Kd6Rf1")',
        "func getToken() string { return 'Tz4Kq9Wm2Xc7Vb1Nh6Rd3' }",
        'cloudsync: "pL9zX2cV5bN8mQ1wE4rT7yU0"',  # YAML key that names no secret
    ],
)
def test_a_generated_literal_in_quotes_is_a_secret_without_a_key_word(text: str) -> None:
    """SPEC §4 high-entropy tokens: a quoted literal only a generator writes (issue 16's
    trufflehog samples: Go assignments and calls with no key word before the value)."""
    value = text.split('"')[1] if '"' in text else text.split("'")[1]
    assert _covers(text, value)
    start = text.index(value)
    assert all(s >= start - 1 for s, _, _ in _spans(text))  # the key stays readable


@pytest.mark.parametrize(
    "text",
    [
        'name: "UserProfileSettingsV2Form"',  # a name: words, one digit
        'v = "4f9a2c1e8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"',  # a hex digest
        '<script integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/'
        'uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC">',
        'import "github.com/acme/Widget2024v3"',  # dotted: a module path
        'key_hint = "YOUR_API_KEY_GOES_HERE"',
        'msg = "AAAAAAAAAAbbbbbbbbbb1234567890"',  # few distinct characters
        'path = "src/app/Comp0nents/Header12/Main"',  # a path
        "mixed = \"aB3dE6gH9jK2mN5pQ8sT1'",  # quotes that do not match
    ],
)
def test_quoted_literals_that_are_not_generated_are_kept(text: str) -> None:
    """Issue 16's false positives: names, digests, SRI hashes, paths, placeholders stay."""
    assert _spans(text) == []
