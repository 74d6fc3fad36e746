"""Group commit for SQLite writers (issue 22), on when the setting asks for it.

With ``synchronous=FULL`` every commit waits for an fsync of the WAL (~7 ms on the
benchmark machine), and SQLite lets one writer in at a time: one commit per fsync caps a
server near 140 writes a second whatever its CPU. Here the write transactions of one
process share one connection and one SQLite transaction: each unit of work runs inside
a SAVEPOINT of it (its own failure rolls back only its own writes), and the transaction
is committed, with one fsync, when no other writer is queued behind it (or the group is
full). A writer whose work is in the group returns from the unit of work only after the
group's COMMIT returned, so an answer sent after it still means committed and durable;
when that COMMIT fails, every writer of the group raises and none of them answers
success. Readers do not take part (they read committed snapshots on connections of
their own). Writers of other processes still meet the busy timeout as before.
"""

from __future__ import annotations

import threading
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine

from consentry.domain.errors import Busy

MAX_GROUP = 64
"""Writers in one transaction at most: bounds the wait of the first of them."""


class GroupFailed(Exception):
    """The group's COMMIT failed: this writer's work is not durable."""


class _Group:
    def __init__(self) -> None:
        self.members = 0
        self.done = threading.Event()
        self.error: BaseException | None = None


class SqliteGroupCommit:
    """The one writer connection of an engine and the group it is collecting."""

    def __init__(self, engine: Engine, max_group: int = MAX_GROUP) -> None:
        self._engine = engine
        self._max_group = max_group
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self._waiting = 0
        self._owner: int | None = None
        self._depth = 0
        self._conn: Connection | None = None
        self._group = _Group()

    def enter(self, timeout: float) -> Connection:
        """Wait for the writer connection (re-entrant in one thread) and return it, inside
        the group's transaction."""
        if self._owner == threading.get_ident():
            self._depth += 1
            assert self._conn is not None
            return self._conn
        with self._count:
            self._waiting += 1
        try:
            acquired = self._lock.acquire(timeout=timeout)
        finally:
            with self._count:
                self._waiting -= 1
        if not acquired:
            raise Busy(f"no turn to write within {timeout:g} s; try again")
        try:
            if self._conn is None:
                self._conn = self._engine.connect()
            if not self._conn.in_transaction():
                self._conn.begin()
        except BaseException:
            self._close(discard=True)
            self._lock.release()
            raise
        self._owner, self._depth = threading.get_ident(), 1
        return self._conn

    def leave(self, committed: bool, broken: bool = False) -> None:
        """Hand the connection on. A writer that committed its savepoint returns only once
        its group is durable (GroupFailed if its COMMIT failed); `broken` (a savepoint that
        could not be rolled back) fails the whole group now."""
        self._depth -= 1
        if self._depth > 0:
            return  # a nested unit of work: its outer one decides
        group = self._group
        if committed:
            group.members += 1
        with self._count:
            others = self._waiting
        self._owner = None
        if not broken and others and group.members < self._max_group:
            self._lock.release()  # the next writer joins this group
        else:
            self._finish(group, broken)
        if committed:
            self._await(group)
            if group.error is not None:
                raise GroupFailed("the group commit failed") from group.error

    def _await(self, group: _Group) -> None:
        """Wait for the group's COMMIT. Normally a later writer of the group commits it;
        should the writer queued behind us have given up instead (a timeout), whoever
        waits finds the lock free with the group still open and commits it."""
        while not group.done.wait(0.1):
            if not self._lock.acquire(blocking=False):
                continue
            if self._group is group and not group.done.is_set():
                self._finish(group, broken=False)  # releases the lock
            else:
                self._lock.release()

    def _finish(self, group: _Group, broken: bool) -> None:
        """Commit (or, broken, roll back) the group, wake its writers, free the lock."""
        self._group = _Group()
        try:
            assert self._conn is not None
            if broken:
                raise GroupFailed("a writer left the transaction in an unknown state")
            self._conn.commit()
        except BaseException as error:
            group.error = error
            self._close(discard=True)
        finally:
            self._close()  # back to the pool between groups
            group.done.set()
            self._lock.release()

    def _close(self, discard: bool = False) -> None:
        """Back to the pool; `discard`: after a failure, the driver connection is closed
        (which rolls back whatever SQLite still holds open) instead of reused."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if discard:
                conn.invalidate()
            elif conn.in_transaction():
                conn.rollback()
        finally:
            conn.close()


_GROUPS: WeakKeyDictionary[Engine, SqliteGroupCommit] = WeakKeyDictionary()
_GUARD = threading.Lock()


def enable_group_commit(engine: Engine, max_group: int = MAX_GROUP) -> None:
    """Write units of work on this SQLite engine commit in groups from now on."""
    if engine.dialect.name != "sqlite":
        raise ValueError("group commit is for SQLite engines")
    with _GUARD:
        _GROUPS.setdefault(engine, SqliteGroupCommit(engine, max_group))


def group_for(engine: Engine) -> SqliteGroupCommit | None:
    return _GROUPS.get(engine)
