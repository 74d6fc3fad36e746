"""The SQL unit of work: one transaction, committed only by an explicit `commit()`."""

from __future__ import annotations

import threading
from types import TracebackType
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, NestedTransaction
from sqlalchemy.exc import OperationalError

from consentry.adapters.sql.engine import READ_ONLY_OPTION, SINGLE_READ_OPTION
from consentry.adapters.sql.group_commit import SqliteGroupCommit, group_for
from consentry.adapters.sql.ledger_tree import SqlLedgerTree
from consentry.adapters.sql.runs_store import SqlRunStore
from consentry.adapters.sql.store import SqlStore
from consentry.config.sealing import SecretBox
from consentry.domain.errors import Busy

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
# cutoff and committed after it, and the audit then disagrees with the manifest. So every
# write transaction first takes an advisory lock in shared mode (writers never wait for
# each other) and takes its timestamps and ids after it. Run creation takes the same
# lock exclusively, on a second, autocommit connection, before its own transaction
# begins: that waits until every writer in flight has committed and holds new ones off.
# With writers held, the run takes its cutoff and its id, then `freeze()` takes the
# REPEATABLE READ snapshot and lets the writers go: they are held for milliseconds, not
# for the whole run creation, and whatever they write is stamped after the cutoff.
# Readers (`read_only=True`) never wait. SQLite needs none of it: `BEGIN IMMEDIATE`
# already serialises every writer, runs included. The key is a fixed 64-bit number, so
# other users of advisory locks in the same database keep clear of it.
RUN_BARRIER_KEY = 0x636F6E73656E7472  # "consentr"
# How long a run waits for the writers in flight before it gives up with 503 `busy`
# (while it waits, new writers queue behind it; a stuck writer must not stall them all).
RUN_BARRIER_WAIT_S = 30.0
_SHARED = f"SELECT pg_advisory_xact_lock_shared({RUN_BARRIER_KEY})"
_EXCLUSIVE = f"SELECT pg_advisory_lock({RUN_BARRIER_KEY})"
_UNLOCK = f"SELECT pg_advisory_unlock({RUN_BARRIER_KEY})"
_LOCK_NOT_AVAILABLE = "55P03"


class SqlUnitOfWork:
    """`with uow:` opens a transaction; leaving without `commit()` rolls it back.

    `consistent=True` asks PostgreSQL for REPEATABLE READ, so every statement reads one
    snapshot. `barrier=True` (run creation, R20) also holds writers off from before the
    transaction begins until `freeze()` has taken its snapshot; `read_only=True` promises
    no writes, so the transaction waits for no barrier. SQLite's `BEGIN IMMEDIATE`
    already serialises writers and gives the transaction one snapshot. `single_read=True`
    (a read-only unit of work that runs ONE statement, such as a token lookup) opens no
    transaction at all: no BEGIN and no ROLLBACK around the statement (SQLite reads it
    from one snapshot by itself; PostgreSQL runs it in autocommit), about a fifth of a
    token lookup (issue 22).
    """

    store: SqlStore
    runs: SqlRunStore
    ledger: SqlLedgerTree

    def __init__(
        self,
        engine: Engine,
        *,
        consistent: bool = False,
        barrier: bool = False,
        read_only: bool = False,
        single_read: bool = False,
        box: SecretBox | None = None,
    ) -> None:
        self._engine = engine
        self._box = box
        self._consistent = consistent or barrier
        self._barrier = barrier
        self._read_only = (read_only or single_read) and not barrier
        self._single_read = single_read and not (barrier or consistent)
        self._conn: Connection | None = None
        self._holder: Connection | None = None
        self._queue: threading.RLock | None = None
        self._group: SqliteGroupCommit | None = None
        self._savepoint: NestedTransaction | None = None
        self._committed = False

    def __enter__(self) -> SqlUnitOfWork:
        group = None if self._read_only else group_for(self._engine)
        if group is not None:
            return self._enter_group(group)
        # A reader needs neither the queue nor the write lock (issue 22): on SQLite it
        # begins deferred and reads a WAL snapshot beside the one writer.
        queue = None if self._read_only else _sqlite_queue(self._engine)
        if queue is not None and queue.acquire(timeout=SQLITE_QUEUE_WAIT_S):
            self._queue = queue
        conn: Connection | None = None
        try:
            postgres = self._engine.dialect.name == "postgresql"
            if postgres and self._barrier:
                self._hold_writers()
            conn = self._engine.connect()
            if self._single_read:  # one statement: no BEGIN / ROLLBACK around it
                conn = conn.execution_options(
                    **(
                        {"isolation_level": "AUTOCOMMIT"}
                        if postgres
                        else {SINGLE_READ_OPTION: True}
                    )
                )
            elif self._read_only and not postgres:
                conn = conn.execution_options(**{READ_ONLY_OPTION: True})
            if self._consistent and postgres:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
            if postgres and not self._read_only and not self._barrier:
                conn.exec_driver_sql(_SHARED)
        except BaseException:
            if conn is not None:
                conn.close()
            self._let_writers_go()
            self._release()
            raise
        self._conn = conn
        self._open_stores(conn)
        return self

    def _enter_group(self, group: SqliteGroupCommit) -> SqlUnitOfWork:
        """A writer in the engine's commit group: a SAVEPOINT of the shared transaction."""
        conn = group.enter(SQLITE_QUEUE_WAIT_S)
        try:
            self._savepoint = conn.begin_nested()
        except BaseException:
            group.leave(committed=False, broken=True)
            raise
        self._group, self._conn = group, conn
        self._open_stores(conn)
        return self

    def _open_stores(self, conn: Connection) -> None:
        """The transaction's stores over its connection (the crypto unit of work's are
        subclasses of these, made here instead)."""
        self.store = SqlStore(conn)
        self.runs = SqlRunStore(conn, box=self._box)
        self.ledger = SqlLedgerTree(conn)

    def _exit_group(self, group: SqliteGroupCommit) -> None:
        self._group, self._conn = None, None
        savepoint, self._savepoint = self._savepoint, None
        broken = False
        try:
            if savepoint is not None and savepoint.is_active:
                savepoint.rollback()  # what was not committed (or all, on an error)
        except BaseException:
            broken = True
            raise
        finally:
            group.leave(committed=self._committed, broken=broken)

    def _hold_writers(self) -> None:
        holder = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._holder = holder
        holder.exec_driver_sql(f"SET lock_timeout = {int(RUN_BARRIER_WAIT_S * 1000)}")
        try:
            holder.exec_driver_sql(_EXCLUSIVE)
        except OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            raise Busy(
                f"writers in flight did not finish within {RUN_BARRIER_WAIT_S:g} s; "
                "the run was not created, try again"
            ) from None

    def freeze(self) -> None:
        """Take this transaction's snapshot now and let writers held by the barrier go.

        Call it after reading the clock for a run's cutoff: every writer that committed
        is in the snapshot, and every writer still to come stamps after the cutoff.
        Without a barrier it only takes the snapshot; it is a no-op on SQLite.
        """
        assert self._conn is not None
        if self._engine.dialect.name == "postgresql":
            self._conn.exec_driver_sql("SELECT pg_current_snapshot()")
        self._let_writers_go()

    def _let_writers_go(self) -> None:
        holder, self._holder = self._holder, None
        if holder is None:
            return
        try:
            holder.exec_driver_sql(_UNLOCK)  # false, harmlessly, when it was never granted
            holder.exec_driver_sql("RESET lock_timeout")
        except BaseException:
            holder.invalidate()  # closing the session is what frees a session-level lock
            raise
        finally:
            holder.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._group is not None:
            self._exit_group(self._group)
            return
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                self._conn.rollback()
        finally:
            try:
                self._conn.close()
            finally:
                self._conn = None
                try:
                    self._let_writers_go()
                finally:
                    self._release()

    def _release(self) -> None:
        if self._queue is not None:
            self._queue.release()
            self._queue = None

    def commit(self) -> None:
        assert self._conn is not None
        if self._savepoint is not None:
            # In a commit group: durable once the group commits (before `with` exits).
            self._savepoint.commit()
            self._committed = True
            self._savepoint = self._conn.begin_nested()
            return
        self._conn.commit()

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name
