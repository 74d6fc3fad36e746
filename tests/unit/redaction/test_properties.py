"""Property tests: planted values never survive; redaction is idempotent."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.redaction import Redactor

R = Redactor()
K = Redactor(pseudonym_key=b"prop-key")

PLANTS = st.sampled_from(
    [
        "a@b.com",
        "jane.doe@example.org",
        "4111 1111 1111 1111",
        "5555555555554444",
        "123-45-6789",
        "DE89370400440532013000",
        "203.0.113.7",
        "2001:db8::8a2e:370:7334",
        "+44 20 7946 0958",
        "(415) 555-2671",
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_" + "aB3" * 12,
        "xoxb-123456789012-AbCdEfGhIjKlMnOp",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    ]
)
# Filler that cannot glue onto a planted value: words and spaces only.
FILLER = st.text(alphabet=st.sampled_from("abcdefghij xyz.,!?\n"), max_size=40)


@settings(max_examples=150, deadline=None)
@given(before=FILLER, plant=PLANTS, after=FILLER)
def test_planted_value_never_survives(before: str, plant: str, after: str) -> None:
    text = f"{before} {plant} {after}"
    for redactor in (R, K):
        res = redactor.redact(text)
        assert plant not in res.text
        for f in res.findings:
            assert 0 <= f.start < f.end <= len(text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_redaction_is_idempotent_on_its_own_output(text: str) -> None:
    for redactor in (R, K):
        once = redactor.redact(text).text
        assert redactor.redact(once).text == once


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(PLANTS, FILLER), max_size=8))
def test_idempotent_on_mixed_sensitive_text(parts: list[str]) -> None:
    text = " ".join(parts)
    for redactor in (R, K):
        once = redactor.redact(text).text
        assert redactor.redact(once).text == once
