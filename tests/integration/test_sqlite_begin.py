"""How SQLite transactions begin (issue 22, adapters/sql/engine.py): a writer takes the
write lock at BEGIN (explicit or autobegin), a reader (READ_ONLY_OPTION) does not, and
the engine has no connection-event listener that SQLAlchemy would dispatch around every
statement. Writers serialise at BEGIN, so an append's reads and its writes are one
snapshot (R9, R10: its coverage is computed from what it read)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from consentry.adapters.sql.engine import READ_ONLY_OPTION, make_engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    made = make_engine(f"sqlite:///{tmp_path / 'begin.db'}")
    with made.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    return made


def _write_lock_free(engine: Engine) -> bool:
    """Whether another connection can take the write lock now."""
    path = engine.url.database
    assert path is not None
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
        return False
    finally:
        other.close()


def test_a_writer_takes_the_write_lock_at_begin(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.begin()
        assert not _write_lock_free(engine)
        conn.rollback()
        assert _write_lock_free(engine)


def test_autobegin_and_engine_begin_take_it_too(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))  # SQLAlchemy begins the transaction itself
        assert not _write_lock_free(engine)
        conn.rollback()
    with engine.begin() as conn:
        conn.execute(text("SELECT x FROM t"))
        assert not _write_lock_free(engine)


def test_a_reader_begins_deferred(engine: Engine) -> None:
    with engine.connect() as conn:
        conn = conn.execution_options(**{READ_ONLY_OPTION: True})
        conn.begin()
        conn.execute(text("SELECT x FROM t")).all()
        assert conn.connection.driver_connection.in_transaction  # type: ignore[union-attr]
        assert _write_lock_free(engine)
        conn.rollback()


def test_a_failed_begin_leaves_no_transaction(engine: Engine) -> None:
    path = engine.url.database
    assert path is not None
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("PRAGMA busy_timeout=0")
            with pytest.raises(OperationalError, match="locked"):
                conn.begin()
            assert not conn.in_transaction()
            raw.execute("PRAGMA busy_timeout=30000")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_no_connection_event_is_dispatched_per_statement(tmp_path: Path) -> None:
    """Issue 22: an engine-level listener costs four event dispatches per statement.

    Checked in a fresh interpreter: tracing (adapters/sql/tracing.py) installs its
    listeners on the Engine class once per process when OpenTelemetry is configured, so
    after a test that traces every engine of this process has events, whatever the
    engine set-up does. That made this test fail or pass with the order of the suite."""
    program = (
        "import sys\n"
        "from consentry.adapters.sql.engine import make_engine\n"
        "engine = make_engine(sys.argv[1])\n"
        "with engine.begin() as conn:\n"
        "    conn.exec_driver_sql('CREATE TABLE t (x)')\n"
        "print(engine._has_events)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "CONSENTRY_OTEL"))}
    done = subprocess.run(
        [sys.executable, "-c", program, f"sqlite:///{tmp_path / 'fresh.db'}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
