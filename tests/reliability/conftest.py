"""Fresh databases per hypothesis example, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from tests.conftest import _reset_postgres

AppFactory = Callable[[TestClock], App]


def budget(default: int, slow: int, request: pytest.FixtureRequest) -> int:
    """A number of examples or kills: larger under --run-slow, overridable by env."""
    override = os.environ.get("CONSENTRY_RELIABILITY_SCALE")
    base = slow if request.config.getoption("--run-slow") else default
    return int(base * float(override)) if override else base


@pytest.fixture(params=["sqlite", "postgres"])
def app_factory(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> AppFactory:
    """A function that builds a core on a fresh, migrated database every time it is called."""
    counter = iter(range(1_000_000))
    if request.param == "sqlite":

        def sqlite(clock: TestClock) -> App:
            path = tmp_path / f"db{next(counter)}.db"
            shutil.copy(sqlite_template, path)
            return build(Settings(database_url=f"sqlite:///{path}"), migrate=False, clock=clock)

        return sqlite
    url: str = request.getfixturevalue("pg_url")

    def postgres(clock: TestClock) -> App:
        _reset_postgres(url)
        return build(Settings(database_url=url), migrate=False, clock=clock)

    return postgres
