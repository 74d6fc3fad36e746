"""Fixtures for tests that run the service with crypto-shredding on (issue 26): the
settings in the environment (KEK file, key vault, purge log under ``tmp_path/ops``) and
a :class:`World` built from them over the test's SQLite file.

    from tests.shredding import shredding, world  # noqa: F401 (fixtures)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from tests.integration.service.conftest import World


@pytest.fixture
def shredding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    ops = tmp_path / "ops"
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "1")
    monkeypatch.setenv("CONSENTRY_SECRET_KEY_FILE", str(ops / "app.key"))
    monkeypatch.setenv("CONSENTRY_KEK_FILE", str(ops / "app.kek"))
    monkeypatch.setenv("CONSENTRY_KEY_VAULT_URL", f"sqlite:///{ops / 'keys.sqlite'}")
    monkeypatch.setenv("CONSENTRY_PURGE_LOG", str(ops / "purges.jsonl"))
    return ops


@pytest.fixture
def world(sqlite_url: str, clock: TestClock, shredding: Path) -> Iterator[World]:
    app: App = build(Settings.from_env(database_url=sqlite_url), migrate=False, clock=clock)
    yield World(app, clock)
    app.engine.dispose()
