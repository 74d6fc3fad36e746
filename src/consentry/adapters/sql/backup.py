"""``consentry db backup`` and ``db restore`` for SQLite; PostgreSQL is refused (issue 26).

SQLite is copied with its online backup API (readers and writers carry on; the copy is
one consistent snapshot). PostgreSQL has better tools than a copy by this process:
``pg_dump --format=custom`` or a base backup with WAL archiving (docs/retention.md); the
commands refuse with ``backup_unsupported`` naming them.

A restore replaces the database with the backup, then brings it up to date with the
purges made since (the purge log, :mod:`consentry.adapters.crypto.purge_log`): the ids
that the backup still holds unpurged are returned by :func:`unpurged` for the sweeper's
purge functions to apply again.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from consentry.adapters.sql import tables as t
from consentry.domain.errors import InvalidInput


class BackupUnsupported(InvalidInput):
    code = "backup_unsupported"


def sqlite_path(database_url: str) -> Path:
    """The database file of a SQLite URL; refuses PostgreSQL and in-memory databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupUnsupported(
            f"db backup/restore copy SQLite files; for {url.get_backend_name()} use pg_dump "
            "--format=custom (restore with pg_restore) or a base backup (pg_basebackup) "
            "with WAL archiving, then run `consentry db restore --replay-only` "
            "(docs/retention.md)"
        )
    if url.database in (None, "", ":memory:"):
        raise BackupUnsupported("an in-memory SQLite database has no file to back up")
    return Path(url.database)


def backup_sqlite(database_url: str, out: Path) -> int:
    """Copy the live database to ``out`` (which must not exist), 0600; returns its bytes."""
    source = sqlite_path(database_url)
    if not source.exists():
        raise InvalidInput(f"there is no database file {source} to back up")
    if out.exists():
        raise InvalidInput(f"{out} exists already: a backup never overwrites a file")
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(out)
    try:
        with dst:
            src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()
    return out.stat().st_size


def restore_sqlite(database_url: str, backup: Path) -> None:
    """Replace the live database's content with the backup's, through the backup API
    (the live file keeps its name, permissions and journal mode). Stop the service first."""
    target = sqlite_path(database_url)
    if not backup.is_file():
        raise InvalidInput(f"there is no backup file {backup}")
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        try:
            ok = src.execute("PRAGMA quick_check").fetchone()
            has_schema = src.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()
        except sqlite3.DatabaseError as error:
            raise InvalidInput(f"{backup} is not a SQLite database: {error}") from None
        if ok is None or ok[0] != "ok" or has_schema is None:
            raise InvalidInput(f"{backup} is not a consentry backup (damaged or no schema)")
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def unpurged(engine: Engine, kind: str, ids: Iterable[str]) -> list[str]:
    """Of these logged ids, those the (restored) database still holds unpurged; for kind
    ``pool`` (pool keys ``keys collect`` destroyed, issue 26) the unpurged sessions that
    claimed them (``sessions.key_id``), which ``reapply_purges`` purges as sessions."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    table, column, still = {
        "pool": (t.sessions, "key_id", t.sessions.c.purged_at.is_(None)),
        "sessions": (t.sessions, "id", t.sessions.c.purged_at.is_(None)),
        "feedback": (t.feedback, "id", t.feedback.c.purged_at.is_(None)),
        "scores": (t.holds, "id", t.holds.c.scores.is_not(None)),
    }[kind]
    key = table.c[column]
    found: list[str] = []
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = select(table.c.id).where(key.in_(chunk), still)
            found += [r[0] for r in conn.execute(query)]
    return found
