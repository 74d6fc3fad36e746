"""SQLite group commit (issue 22): writers of one process share one transaction and one
fsync, and each returns from its unit of work only once its own writes are committed
(R26: an answered write is durable). SQLite only: PostgreSQL never groups."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event

from consentry.adapters.sql.engine import make_engine
from consentry.adapters.sql.group_commit import GroupFailed, enable_group_commit, group_for
from consentry.adapters.sql.uow import SqlUnitOfWork


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE probe (name TEXT PRIMARY KEY)")
    engine = make_engine(sqlite_url)
    enable_group_commit(engine)
    yield engine
    engine.dispose()


def _committed(engine: Engine) -> set[str]:
    """What another connection (another process, after a crash) can read."""
    with sqlite3.connect(engine.url.database or "") as raw:
        return {name for (name,) in raw.execute("SELECT name FROM probe")}


def _write(engine: Engine, name: str) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.store.conn.exec_driver_sql("INSERT INTO probe VALUES (?)", (name,))
        uow.commit()


def _commits(engine: Engine) -> list[int]:
    seen: list[int] = []
    event.listen(engine, "commit", lambda _conn: seen.append(1))
    return seen


def _until_queued(engine: Engine, count: int) -> None:
    """Wait (on the state, not a clock race) until `count` writers queue for the lock."""
    group = group_for(engine)
    assert group is not None
    while group._waiting < count:
        time.sleep(0.001)


def _in_thread(target: Any, *args: Any) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            target(*args)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_r26_a_lone_writer_is_durable_when_its_unit_of_work_ends(engine: Engine) -> None:
    commits = _commits(engine)
    _write(engine, "a")
    assert _committed(engine) == {"a"}
    assert len(commits) == 1


def test_r26_writers_queued_together_share_one_commit_and_wait_for_it(engine: Engine) -> None:
    commits = _commits(engine)
    first: dict[str, Any] = {}
    uow = SqlUnitOfWork(engine).__enter__()  # holds the writer connection
    second, errors = _in_thread(_write, engine, "b")
    _until_queued(engine, 1)
    uow.store.conn.exec_driver_sql("INSERT INTO probe VALUES ('a')")
    uow.commit()

    def leave() -> None:
        uow.__exit__(None, None, None)
        first["returned"] = True

    # `a` cannot return before `b` has joined the group and committed it.
    first_thread, first_errors = _in_thread(leave)
    second.join()
    first_thread.join()
    assert not errors
    assert not first_errors
    assert first == {"returned": True}
    assert _committed(engine) == {"a", "b"}
    assert len(commits) == 1


def test_r26_a_failing_writer_takes_only_its_own_writes_back(engine: Engine) -> None:
    def failing() -> None:
        with SqlUnitOfWork(engine) as uow:
            uow.store.conn.exec_driver_sql("INSERT INTO probe VALUES ('bad')")
            raise RuntimeError("refused")

    uow = SqlUnitOfWork(engine).__enter__()
    other, errors = _in_thread(failing)
    _until_queued(engine, 1)
    uow.store.conn.exec_driver_sql("INSERT INTO probe VALUES ('good')")
    uow.commit()
    leaving, _ = _in_thread(uow.__exit__, None, None, None)
    other.join()
    leaving.join()
    assert [type(e) for e in errors] == [RuntimeError]
    assert _committed(engine) == {"good"}


def test_r26_when_the_group_commit_fails_no_writer_of_the_group_succeeds(
    engine: Engine,
) -> None:
    def refuse(_conn: Any) -> None:
        raise OSError("disk full")

    uow = SqlUnitOfWork(engine).__enter__()
    second, errors = _in_thread(_write, engine, "b")
    _until_queued(engine, 1)
    uow.store.conn.exec_driver_sql("INSERT INTO probe VALUES ('a')")
    uow.commit()
    event.listen(engine, "commit", refuse)
    first, first_errors = _in_thread(uow.__exit__, None, None, None)
    second.join()
    first.join()
    event.remove(engine, "commit", refuse)
    assert [type(e) for e in first_errors] == [GroupFailed]
    assert [type(e) for e in errors] == [GroupFailed]
    assert isinstance(errors[0].__cause__, OSError)
    assert _committed(engine) == set()
    _write(engine, "c")  # the writer connection recovers
    assert _committed(engine) == {"c"}


def test_nested_units_of_work_in_one_thread_share_the_group(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as outer:
        outer.store.conn.exec_driver_sql("INSERT INTO probe VALUES ('outer')")
        _write(engine, "inner")
        outer.commit()
    assert _committed(engine) == {"outer", "inner"}


def test_readers_do_not_join_the_group(engine: Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        uow.store.conn.exec_driver_sql("INSERT INTO probe VALUES ('pending')")
        uow.commit()
        with SqlUnitOfWork(engine, read_only=True) as reader:
            seen = reader.store.conn.exec_driver_sql("SELECT count(*) FROM probe").scalar()
        assert seen == 0  # not committed yet: readers see committed snapshots only
    assert _committed(engine) == {"pending"}


def test_the_setting_turns_group_commit_on_for_sqlite(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consentry.bootstrap import build
    from consentry.config.settings import Settings

    monkeypatch.setenv("CONSENTRY_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("CONSENTRY_SQLITE_GROUP_COMMIT", "1")
    on = build(Settings.from_env())
    off = build(Settings(database_url=sqlite_url))
    try:
        assert group_for(on.engine) is not None
        assert group_for(off.engine) is None
    finally:
        on.engine.dispose()
        off.engine.dispose()
