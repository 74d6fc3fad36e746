"""Service settings from the environment: every limit configurable, bad values named."""

from __future__ import annotations

from pathlib import Path

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


@pytest.mark.parametrize(
    ("raw", "on"),
    [
        (None, False),
        ("", False),
        ("1", True),
        ("on", True),
        ("True", True),
        ("YES", True),
        ("0", False),
        ("off", False),
        ("false", False),
    ],
)
def test_crypto_shredding_switch_reads_every_spelling_of_on_and_off(
    raw: str | None, on: bool
) -> None:
    """Issue 26: the switch takes the spellings every other flag takes. `on` and `True` used
    to be read as off without a word, leaving an operator who asked for shredding without it."""
    from consentry.config.settings import crypto_shredding_on

    environ = {} if raw is None else {"CONSENTRY_CRYPTO_SHREDDING": raw}
    assert crypto_shredding_on(environ) is on


def test_a_misspelt_crypto_shredding_switch_is_refused_not_read_as_off() -> None:
    from consentry.config.settings import crypto_shredding_on

    with pytest.raises(InvalidInput, match="CONSENTRY_CRYPTO_SHREDDING"):
        crypto_shredding_on({"CONSENTRY_CRYPTO_SHREDDING": "enabled"})


def test_info_says_whether_purges_reach_backups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 26: `consentry info` (and the line `serve` logs at start) says shredding is off
    and what that means for backups, so the default is a stated choice, not a silent one."""
    from consentry.diagnostics import shredding_state

    monkeypatch.delenv("CONSENTRY_CRYPTO_SHREDDING", raising=False)
    off = shredding_state()
    assert off["on"] is False and "backups" in off["note"]
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "1")
    assert shredding_state()["on"] is True


@pytest.mark.parametrize("raw", ["lots", "0", "-3", "2.5"])
def test_a_bad_key_pool_setting_is_named_not_a_traceback(
    raw: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26: the key pool's size and age come from the environment; a value that is not a
    whole number of 1 or more is `invalid_input` naming the variable (it was a ValueError
    from int(), a traceback from every command that opens the vault)."""
    from consentry.adapters.crypto.places import KeyPlaces

    monkeypatch.setenv("CONSENTRY_KEY_POOL_SIZE", raw)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}")
    with pytest.raises(InvalidInput, match="CONSENTRY_KEY_POOL_SIZE"):
        KeyPlaces.from_settings(settings).open_vault()
    assert not (tmp_path / "c.db.keys.sqlite").exists()
