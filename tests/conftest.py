"""Shared fixtures: a migrated database per test on SQLite and (in CI, required) PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from consentry.adapters.sql.engine import upgrade
from consentry.adapters.sql.tables import metadata
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import DEFAULT_POLICY, Policy

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# In CI every property test draws the same examples on every run, so the gate never passes
# or fails by chance; elsewhere they draw new ones each time and keep finding new inputs.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if IN_CI:
    hypothesis_settings.load_profile("ci")
PG_ADMIN_URL = os.environ.get(
    "CONSENTRY_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# Before the deadline of the default terms version (2025-10-08), after its publication.
BEFORE_DEADLINE = datetime(2025, 9, 1, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="run long soaks and benchmarks")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: pass --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def require_or_skip(available: bool, what: str) -> None:
    """Missing infrastructure fails in CI and skips (with the reason) elsewhere."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available here")


@pytest.fixture(scope="module")
def compiled_scan() -> None:
    """The filter's compiled scan, for the modules that test it:
    ``pytestmark = pytest.mark.usefixtures("compiled_scan")``."""
    from consentry.redaction import native

    require_or_skip(
        native.available(),
        "the compiled filter scan (build needs libre2-dev and a C++ compiler)",
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def throwaway_pg_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database named ``<prefix>_<random>``, dropped on exit;
    skipped with a message without a server (a failure under CI, require_or_skip)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        require_or_skip(False, f"PostgreSQL at {PG_ADMIN_URL} ({error.__class__.__name__})")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated once, dropped at the end."""
    with throwaway_pg_database("consentry_test") as url:
        upgrade(url)
        yield url


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(t.name for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        # A tampering test may have switched the append-only guard off: every test starts
        # with the schema the migrations made.
        conn.execute(text("ALTER TABLE consent_events ENABLE TRIGGER USER"))
        conn.execute(
            text("INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "consentry.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_url")
    _reset_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "consentry.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def policy() -> Policy:
    return DEFAULT_POLICY


@pytest.fixture
def clock() -> TestClock:
    return TestClock(BEFORE_DEADLINE)


@pytest.fixture
def app(database_url: str, clock: TestClock, policy: Policy) -> Iterator[App]:
    built = build(Settings(database_url=database_url), migrate=False, clock=clock, policy=policy)
    yield built
    built.engine.dispose()
