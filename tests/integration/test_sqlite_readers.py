"""Issue 22: on SQLite a read-only unit of work takes neither the in-process write queue
nor the database's write lock, so reads (the token lookup of every request among them)
never wait behind a writer's commit and fsync."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from consentry.adapters.sql.engine import make_engine
from consentry.adapters.sql.uow import SqlUnitOfWork


def _engine_without_busy_wait(url: str) -> Any:
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _no_wait(dbapi_connection: Any, _record: Any) -> None:
        # A lock that is not free fails at once instead of after 30 s.
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    engine.connect().close()  # the first connection puts the file in WAL mode
    return engine


def test_a_reader_does_not_wait_for_the_write_lock_of_another_writer(sqlite_url: str) -> None:
    engine = _engine_without_busy_wait(sqlite_url)
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with SqlUnitOfWork(engine, read_only=True) as uow:
            assert uow.store.get_account("acc_missing") is None
        with SqlUnitOfWork(engine, consistent=True, read_only=True) as uow:
            assert uow.store.get_account("acc_missing") is None
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        engine.dispose()


def test_a_writer_still_takes_the_write_lock_up_front(sqlite_url: str) -> None:
    engine = _engine_without_busy_wait(sqlite_url)
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError, match="locked"), SqlUnitOfWork(engine):
            pass
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        engine.dispose()
