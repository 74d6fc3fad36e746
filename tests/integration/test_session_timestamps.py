"""A session's retention end and purge instant are stored like every other timestamp.

On SQLite timestamps are strings, compared as strings by the sweeper's `purge_at <= now`
(R12, R17): an instant written in two formats compares unequal to itself. The append's
prebuilt update once bound the new retention end untyped (the sqlite3 module then wrote
'… +00:00'); revision 0016 rewrites such rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from consentry.adapters.sql.engine import upgrade
from consentry.service import sessions
from tests.integration.service.conftest import World


def _stored(path: str) -> list[tuple[str, ...]]:
    with sqlite3.connect(path) as conn:
        return list(
            conn.execute(
                "SELECT created_at, last_activity_at, first_covered_at, retain_until, purge_at "
                "FROM sessions"
            )
        )


def test_an_append_stores_retention_naive_like_every_timestamp_R12(
    sqlite_url: str, tmp_path: Path
) -> None:
    from consentry.bootstrap import build
    from consentry.config.settings import Settings
    from consentry.domain.clock import TestClock
    from tests.conftest import BEFORE_DEADLINE

    clock = TestClock(BEFORE_DEADLINE.replace(microsecond=0))
    app = build(Settings(database_url=sqlite_url), migrate=False, clock=clock)
    try:
        w = World(app, clock)
        uid = w.user(training="on")
        sid = w.chat(uid, "first")
        clock.set(clock.now().replace(microsecond=250_000))
        sessions.add_message(app.ctx, account_id=uid, session_id=sid, role="user", content="2")
    finally:
        app.engine.dispose()
    rows = _stored(sqlite_url.removeprefix("sqlite:///"))
    assert rows and all("+" not in v and len(v) == 26 for row in rows for v in row), rows


def test_revision_0016_rewrites_retention_written_with_an_offset(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    upgrade(url, "0015")
    with sqlite3.connect(path) as conn:
        # rows as the append's update left them (no account row: SQLite's foreign keys
        # are off on a plain sqlite3 connection)
        for sid, retain, purge in [
            ("ses_1", "2031-01-04 00:00:00+00:00", "2031-01-04 00:00:00+00:00"),
            ("ses_2", "2031-01-04 00:00:00.250000+00:00", "2026-02-04 00:00:00.000000"),
            ("ses_3", "2031-01-04 00:00:00.000000", None),
        ]:
            conn.execute(
                "INSERT INTO sessions (id, account_id, kind, surface, incognito, scope, "
                "created_at, last_activity_at, retain_until, purge_at, legal_hold) VALUES "
                "(?, 'acc_1', 'chat', 'web', 0, 'consumer', '2026-01-05 00:00:00.000000', "
                "'2026-01-05 00:00:00.000000', ?, ?, 0)",
                (sid, retain, purge),
            )
    upgrade(url)
    with sqlite3.connect(path) as conn:
        rows = {
            r[0]: r[1:] for r in conn.execute("SELECT id, retain_until, purge_at FROM sessions")
        }
    assert rows == {
        "ses_1": ("2031-01-04 00:00:00.000000", "2031-01-04 00:00:00.000000"),
        "ses_2": ("2031-01-04 00:00:00.250000", "2026-02-04 00:00:00.000000"),
        "ses_3": ("2031-01-04 00:00:00.000000", None),
    }
