"""The PostgreSQL run barrier (adapters/sql/uow.py): run creation waits out writers in
flight, holds new writers only until its snapshot is taken, and never holds readers
(R20, R26; RELIABILITY.md finding 5)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine

from consentry.adapters.sql import uow as uow_module
from consentry.adapters.sql.uow import SqlUnitOfWork
from consentry.domain.errors import Busy

WAIT = 0.5  # how long a blocked party is given to (wrongly) get through


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    yield engine
    engine.dispose()


def _enter_in_thread(uow: SqlUnitOfWork) -> tuple[threading.Event, threading.Event]:
    """Enter `uow` in a thread; returns (entered, leave): set `leave` to end it."""
    entered, leave = threading.Event(), threading.Event()

    def body() -> None:
        with uow:
            entered.set()
            leave.wait(10)

    threading.Thread(target=body, daemon=True).start()
    return entered, leave


def test_run_creation_waits_for_a_writer_in_flight_R20(engine: Engine) -> None:
    writer = SqlUnitOfWork(engine)
    with writer:
        run_entered, run_leave = _enter_in_thread(SqlUnitOfWork(engine, barrier=True))
        assert not run_entered.wait(WAIT), "the run got past a writer still in flight"
    assert run_entered.wait(5), "the run never got in after the writer committed"
    run_leave.set()


def test_writers_wait_only_until_the_run_has_its_snapshot_R20(engine: Engine) -> None:
    run = SqlUnitOfWork(engine, barrier=True)
    with run:
        writer_entered, writer_leave = _enter_in_thread(SqlUnitOfWork(engine))
        assert not writer_entered.wait(WAIT), "a writer got in before the run's snapshot"
        started = time.monotonic()
        run.freeze()
        assert writer_entered.wait(5), "the writer stayed held after the snapshot"
        assert time.monotonic() - started < 5
        writer_leave.set()
        # The run's transaction is still open, and still reads its own snapshot.
        assert run.store.conn.exec_driver_sql("SELECT 1").scalar_one() == 1


def test_readers_never_wait_for_the_barrier(engine: Engine) -> None:
    with SqlUnitOfWork(engine, barrier=True):
        reader_entered, reader_leave = _enter_in_thread(SqlUnitOfWork(engine, read_only=True))
        assert reader_entered.wait(5), "a reader was held by the barrier"
        reader_leave.set()


def test_a_run_that_fails_before_its_snapshot_lets_writers_go(engine: Engine) -> None:
    with pytest.raises(RuntimeError), SqlUnitOfWork(engine, barrier=True):
        raise RuntimeError("boom")
    writer_entered, writer_leave = _enter_in_thread(SqlUnitOfWork(engine))
    assert writer_entered.wait(5), "the barrier outlived the failed run"
    writer_leave.set()


def test_a_run_that_waits_too_long_gives_up_busy_and_holds_no_one(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stuck writer must not stall every writer queued behind a waiting run: the run
    gives up with 503 `busy` after RUN_BARRIER_WAIT_S, and writers go on."""
    monkeypatch.setattr(uow_module, "RUN_BARRIER_WAIT_S", 0.3)
    with SqlUnitOfWork(engine):  # the stuck writer
        with pytest.raises(Busy) as raised, SqlUnitOfWork(engine, barrier=True):
            pass
        assert raised.value.status == 503 and raised.value.code == "busy"
        writer_entered, writer_leave = _enter_in_thread(SqlUnitOfWork(engine))
        assert writer_entered.wait(5), "a writer stayed held after the run gave up"
        writer_leave.set()
    # No pooled connection keeps the run's lock timeout.
    conns = [engine.connect() for _ in range(4)]
    try:
        assert {c.exec_driver_sql("SHOW lock_timeout").scalar_one() for c in conns} == {"0"}
    finally:
        for conn in conns:
            conn.close()
