"""The engine's safety settings (issue 17 item 1): no parameters or row values in errors,
and PostgreSQL timeouts so one stuck transaction cannot hang the work behind it."""

from __future__ import annotations

import time
import traceback
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, StatementError

from consentry.adapters.sql.engine import make_engine
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.errors import InvalidInput

CONTENT = "PRIVATE: my password is hunter2"


def _failure_text(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


def test_failed_statement_text_holds_no_parameters_or_row_values(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(
                "CREATE TEMPORARY TABLE probe (id INTEGER PRIMARY KEY, body TEXT NOT NULL, "
                "n INTEGER CHECK (n > 0))"
            )
            with pytest.raises(StatementError) as failed:
                conn.execute(text("INSERT INTO probe VALUES (1, :b, :n)"), {"b": CONTENT, "n": -1})
            conn.rollback()
    finally:
        engine.dispose()
    whole = _failure_text(failed.value)
    assert "INSERT INTO probe" in whole  # the statement's shape stays
    assert "check constraint" in whole.lower()  # and the error
    assert "hunter2" not in whole  # neither the parameters nor PostgreSQL's DETAIL row
    assert "Failing row" not in whole


@pytest.mark.parametrize("value", [CONTENT, "9999-99-99 PRIVATE"])
def test_postgres_data_exceptions_do_not_quote_the_value(pg_url: str, value: str) -> None:
    engine = make_engine(pg_url)
    try:
        with engine.connect() as conn, pytest.raises(StatementError) as failed:
            conn.execute(text("SELECT CAST(:v AS TIMESTAMPTZ)"), {"v": value})
    finally:
        engine.dispose()
    whole = _failure_text(failed.value)
    assert "PRIVATE" not in whole
    assert "sqlstate 22" in whole
    assert failed.value.orig.sqlstate.startswith("22")  # type: ignore[union-attr]


def test_postgres_sessions_start_with_the_configured_timeouts(pg_url: str) -> None:
    app = build(
        Settings(database_url=pg_url, db_statement_timeout_ms=4321, db_lock_timeout_ms=1234),
        migrate=False,
    )
    try:
        with app.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "4321ms"
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "1234ms"
            # The run barrier's RESET returns to these values, not the server's 0.
            conn.exec_driver_sql("SET lock_timeout = 30000")
            conn.exec_driver_sql("RESET lock_timeout")
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "1234ms"
    finally:
        app.engine.dispose()


def test_default_settings_bound_statements_and_lock_waits() -> None:
    settings = Settings()
    assert 0 < settings.db_lock_timeout_ms < settings.db_statement_timeout_ms
    assert Settings.from_env().db_statement_timeout_ms == settings.db_statement_timeout_ms


def test_a_stuck_transaction_makes_a_writer_fail_fast_not_hang(pg_url: str) -> None:
    app = build(Settings(database_url=pg_url, db_lock_timeout_ms=300), migrate=False)
    stuck = app.engine.connect()
    try:
        stuck.exec_driver_sql("CREATE TABLE IF NOT EXISTS lock_probe (id INTEGER PRIMARY KEY)")
        stuck.commit()
        stuck.exec_driver_sql("LOCK TABLE lock_probe IN ACCESS EXCLUSIVE MODE")  # and stays
        started = time.monotonic()
        with app.engine.connect() as other, pytest.raises(OperationalError) as failed:
            other.exec_driver_sql("INSERT INTO lock_probe VALUES (1)")
        assert time.monotonic() - started < 5
        assert failed.value.orig.sqlstate == "55P03"  # type: ignore[union-attr]
    finally:
        stuck.rollback()
        stuck.exec_driver_sql("DROP TABLE IF EXISTS lock_probe")
        stuck.commit()
        stuck.close()
        app.engine.dispose()


def test_sqlite_syncs_every_commit_by_default(tmp_path: Path) -> None:
    """Issue 17, also fix: `synchronous=NORMAL` could drop committed consent events on a
    power loss; FULL (2) is the default, NORMAL (1) only when the operator asks."""
    database = tmp_path / "sync.db"
    for settings, level in (
        (Settings(database_url=f"sqlite:///{database}"), 2),
        (Settings(database_url=f"sqlite:///{database}", sqlite_synchronous="NORMAL"), 1),
    ):
        app = build(settings)
        try:
            with app.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == level
        finally:
            app.engine.dispose()


def test_sqlite_synchronous_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_SQLITE_SYNCHRONOUS", "normal")
    assert Settings.from_env().sqlite_synchronous == "NORMAL"
    monkeypatch.setenv("CONSENTRY_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(InvalidInput, match="FULL or NORMAL"):
        Settings.from_env()
