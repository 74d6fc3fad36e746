"""Service settings from the environment: every limit configurable, bad values named."""

from __future__ import annotations

import pytest

from consentry.config.settings import Settings
from consentry.domain.clock import parse_instant
from consentry.domain.errors import InvalidInput


def test_limits_and_web_secret_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_MAX_BODY_BYTES", "4096")
    monkeypatch.setenv("CONSENTRY_MAX_MESSAGE_CHARS", "1000")
    monkeypatch.setenv("CONSENTRY_WEB_SECRET", "s" * 40)
    settings = Settings.from_env()
    assert (settings.max_body_bytes, settings.max_message_chars) == (4096, 1000)
    assert settings.web_secret == "s" * 40


def test_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_MAX_BODY_BYTES", "4096")
    assert Settings.from_env(max_body_bytes="8192").max_body_bytes == 8192


def test_defaults_without_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONSENTRY_MAX_BODY_BYTES", "CONSENTRY_MAX_MESSAGE_CHARS", "CONSENTRY_WEB_SECRET"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    # Issue 17: the body limit follows the message limit (12 bytes a character + 64 KiB).
    assert (settings.max_body_bytes, settings.max_message_chars) == (2_465_536, 200_000)
    assert settings.web_secret is None


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("CONSENTRY_MAX_BODY_BYTES", "lots", "CONSENTRY_MAX_BODY_BYTES must be a whole number"),
        ("CONSENTRY_MAX_MESSAGE_CHARS", "0", "CONSENTRY_MAX_MESSAGE_CHARS must be 1 or more"),
        ("CONSENTRY_WEB_SECRET", "short", "32 characters"),
        ("CONSENTRY_TEST_CLOCK", "yesterday", "the test clock must be an ISO 8601 instant"),
        ("CONSENTRY_TEST_CLOCK", "9999-12-31T23:59:59Z", "between the years 1970 and 8999"),
    ],
)
def test_bad_settings_are_refused_with_the_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput, match=says) as raised:
        Settings.from_env()
    assert raised.value.code == "validation_error"


def test_parse_instant_keeps_date_arithmetic_in_range() -> None:
    assert parse_instant("2025-10-08T00:00:00Z").year == 2025
    for text in ("0001-01-01T00:00:00Z", "not a date", "2025-13-01"):
        with pytest.raises(InvalidInput):
            parse_instant(text)
