"""The event catalogue, the service layer's publish calls and docs/events.md agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consentry.outbox.events import EVENT_TYPES
from consentry.outbox.settings import DeliverySettings

ROOT = Path(__file__).parents[3]
# `publish("type", …)`, and the append's `record_message(…, event="type", …)` (issue 22).
PUBLISH = re.compile(r"(?:publish\(\s*|\bevent=)\"([a-z_.]+)\"")


def test_every_published_type_is_in_the_catalogue_and_vice_versa() -> None:
    published = {
        name
        for path in (ROOT / "src" / "consentry" / "service").glob("*.py")
        for name in PUBLISH.findall(path.read_text())
    }
    assert published == set(EVENT_TYPES)


def test_every_type_and_setting_is_documented() -> None:
    docs = (ROOT / "docs" / "events.md").read_text()
    for name in EVENT_TYPES:
        assert f"`{name}`" in docs, name
    source = (ROOT / "src" / "consentry" / "outbox" / "settings.py").read_text()
    for var in re.findall(r"\"(CONSENTRY_[A-Z_]+)\"", source):
        assert f"`{var}`" in docs, var


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_WEBHOOK_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("CONSENTRY_WEBHOOK_BACKOFF_BASE_S", "0.5")
    monkeypatch.setenv("CONSENTRY_REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = DeliverySettings.from_env()
    assert settings.max_attempts == 3
    assert settings.backoff_base_s == 0.5
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert DeliverySettings().max_attempts == 8
    monkeypatch.setenv("CONSENTRY_WEBHOOK_MAX_ATTEMPTS", "many")
    with pytest.raises(ValueError, match="CONSENTRY_WEBHOOK_MAX_ATTEMPTS"):
        DeliverySettings.from_env()
