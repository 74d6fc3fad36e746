"""Escaped characters are decoded before the scan (issue 16, SPEC §4 "never fail open").

SPEC §4: the filter must not fail open; issue 16's obfuscation kind. Logs, URLs, JSON and
HTML escape ``@``, ``+``, ``=`` and spaces (``jane%40example.com``, ``\\u0040``,
``&#64;``); an escaped character hid the whole value. Each finding covers the escape
sequences it came from. Values are our own.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.redaction import Redactor
from consentry.redaction.escapes import unescape

REDACTOR = Redactor()
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrYXRlIn0.Qm9ndXNTaWduYXR1cmVGb3JUZXN0"


@pytest.mark.parametrize("native", [True, False], ids=["compiled", "python"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /join?email=kate.moss%40example.org&ref=1", "GET /join?email=[EMAIL]&ref=1"),
        ('{"email": "kate.moss\\u0040example.org"}', '{"email": "[EMAIL]"}'),
        ("write to kate&#64;example.org or kate&#x40;example.org", "write to [EMAIL] or [EMAIL]"),
        ("kate&commat;example&period;org", "[EMAIL]"),
        ("tel=%2B44%2020%207946%200958", "tel=[PHONE]"),
        ("card=4111%201111%201111%201111", "card=[CARD]"),
        ("api_key%3DZx9kQ2mPw7Lq8Rt5Vb3N", "api_key%3D[SECRET]"),
        (f"Authorization%3A%20Bearer%20{JWT}", "Authorization%3A%20Bearer%20[JWT]"),
        ("kate\\x40example.org", "[EMAIL]"),
    ],
)
def test_escaped_values_are_found_whole(native: bool, text: str, expected: str) -> None:
    """SPEC §4: a value with escaped characters is replaced with its escapes."""
    assert Redactor(native=native).redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["100%25 sure", "50%20off", "a%2540b.org", "fish &amp; chips", "C:\\users\\kate", "%7F%0A"],
)
def test_plain_text_with_escapes_has_no_findings(text: str) -> None:
    """SPEC §4 (false positives): decoding is once, of printable ASCII only."""
    assert REDACTOR.redact(text).findings == ()


def test_offsets_map_back_to_the_escapes() -> None:
    """Each decoded character maps to its whole escape; others shift by the escapes before."""
    text = "ab%40cd&#64;e\\u0040f"
    decoded = unescape(text)
    assert decoded is not None
    assert decoded.text == "ab@cd@e@f"
    assert [decoded.start(i) for i in range(len(decoded.text))] == [0, 1, 2, 5, 6, 7, 12, 13, 19]
    assert decoded.end(3) == 5
    assert decoded.end(len(decoded.text)) == len(text)
    assert unescape("no escapes here") is None


@settings(max_examples=200, deadline=None)
@given(
    local=st.from_regex(r"[a-z]{2,8}", fullmatch=True),
    escape=st.sampled_from(["%40", "&#64;", "&#x40;", "&commat;", "\\u0040", "\\x40"]),
    before=st.text(alphabet=" abc:=,", max_size=8),
    after=st.text(alphabet=" xyz.,", max_size=8),
)
def test_escaped_at_never_leaks_an_address(
    local: str, escape: str, before: str, after: str
) -> None:
    """SPEC §4: whatever surrounds it, an address with an escaped ``@`` is replaced whole."""
    address = f"{local}{escape}example.org"
    result = REDACTOR.redact(f"{before} {address} {after}")
    assert address not in result.text
    assert "example.org" not in result.text


def test_the_ner_stage_is_prefetched_on_the_text_it_scans() -> None:
    """SPEC §4: the batched NER models see a text decoded and folded, as the scan does."""
    from consentry.redaction.engine import scanned_view
    from consentry.redaction.pipeline import _as_scanned

    text = "write to kate%40example.org or ｋａｔｅ＠example.org"
    view = scanned_view(text)
    assert view is not None
    assert _as_scanned(text) == view.text == "write to kate@example.org or kate@example.org"
    assert scanned_view("plain text") is None
