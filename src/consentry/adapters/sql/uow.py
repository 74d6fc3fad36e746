"""The SQL unit of work: one transaction, committed only by an explicit `commit()`."""

from __future__ import annotations

import threading
from types import TracebackType
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine

from consentry.adapters.sql.runs_store import SqlRunStore
from consentry.adapters.sql.store import SqlStore

# SQLite lets one writer in at a time, and every transaction here begins IMMEDIATE.
# Threads of one process that race for that lock fall into SQLite's busy handler,
# which sleeps in steps of up to 100 ms: under concurrent requests that turned
# millisecond appends into multi-second tails. Queueing them on an in-process lock
# first gives the same order without the sleeps; other processes still meet the
# busy timeout as before. A wait past `SQLITE_QUEUE_WAIT_S` falls back to that path.
_SQLITE_QUEUES: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()
_QUEUES_GUARD = threading.Lock()
SQLITE_QUEUE_WAIT_S = 30.0


def _sqlite_queue(engine: Engine) -> threading.RLock | None:
    if engine.dialect.name != "sqlite":
        return None
    with _QUEUES_GUARD:
        lock = _SQLITE_QUEUES.get(engine)
        if lock is None:
            lock = _SQLITE_QUEUES[engine] = threading.RLock()
        return lock


# The run barrier on PostgreSQL (R20, R26). A run's manifest is one snapshot of what
# had committed, but its audit orders history by timestamps and ids, which a writer takes
# before it commits: a write in flight when the snapshot was taken is stamped before the
# cutoff and committed after it, and the audit then disagrees with the manifest. So a
# run's transaction first takes the barrier EXCLUSIVE: it waits until every writer in
# flight has committed, then takes its snapshot and its cutoff, while new writers wait
# for it to commit before they take their timestamps (they do, inside the unit of work).
# Writers take the barrier in ROW SHARE mode, which never conflicts with another writer,
# and readers (`read_only=True`) not at all. `LOCK TABLE` takes no snapshot, so it can
# come first in a REPEATABLE READ transaction. SQLite needs none of it: `BEGIN
# IMMEDIATE` already serialises every writer, runs included.
_BARRIER_EXCLUSIVE = "LOCK TABLE runs IN EXCLUSIVE MODE"
_BARRIER_SHARED = "LOCK TABLE runs IN ROW SHARE MODE"


class SqlUnitOfWork:
    """`with uow:` opens a transaction; leaving without `commit()` rolls it back.

    `consistent=True` asks PostgreSQL for REPEATABLE READ, so every statement reads one
    snapshot. `barrier=True` (run creation, R20) also waits out the writers in flight
    and holds new ones off until it commits; `read_only=True` promises no writes, so
    the transaction does not wait for a barrier. SQLite's `BEGIN IMMEDIATE` already
    serialises writers and gives the transaction one snapshot.
    """

    store: SqlStore
    runs: SqlRunStore

    def __init__(
        self,
        engine: Engine,
        *,
        consistent: bool = False,
        barrier: bool = False,
        read_only: bool = False,
    ) -> None:
        self._engine = engine
        self._consistent = consistent or barrier
        self._barrier = barrier
        self._read_only = read_only and not barrier
        self._conn: Connection | None = None
        self._queue: threading.RLock | None = None

    def __enter__(self) -> SqlUnitOfWork:
        queue = _sqlite_queue(self._engine)
        if queue is not None and queue.acquire(timeout=SQLITE_QUEUE_WAIT_S):
            self._queue = queue
        conn: Connection | None = None
        try:
            conn = self._engine.connect()
            postgres = self._engine.dialect.name == "postgresql"
            if self._consistent and postgres:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
            if postgres and not self._read_only:
                conn.exec_driver_sql(_BARRIER_EXCLUSIVE if self._barrier else _BARRIER_SHARED)
        except BaseException:
            if conn is not None:
                conn.close()
            self._release()
            raise
        self._conn = conn
        self.store = SqlStore(conn)
        self.runs = SqlRunStore(conn)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                self._conn.rollback()
        finally:
            try:
                self._conn.close()
            finally:
                self._conn = None
                self._release()

    def _release(self) -> None:
        if self._queue is not None:
            self._queue.release()
            self._queue = None

    def commit(self) -> None:
        assert self._conn is not None
        self._conn.commit()

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name
