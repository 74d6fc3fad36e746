"""The SQL side of :class:`~consentry.service.ports.RetentionStore`: deletions (R14),
the shortened retention of R18, and the stored purge instant every write keeps (R12,
R16, R17) through :func:`purge_at_expr`.

Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, update

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.sqlfuncs import greatest, least
from consentry.domain.retention import add_months
from consentry.domain.types import Scope


def purge_at_expr(retain_until: Any = None) -> Any:
    """R14/R16/R17 as one SQL expression over a session row: never while a legal hold
    stands; else the earlier of retention end and deletion + grace, pushed back to the
    end of any safety hold. `retain_until` stands in for the column when an UPDATE sets
    both (SET expressions see the row as it was)."""
    s = t.sessions.c
    retain = s.retain_until if retain_until is None else retain_until
    base = least(retain, func.coalesce(s.deleted_purge_at, retain))
    kept = greatest(base, func.coalesce(s.hold_keep_until, base))
    return case((s.legal_hold, None), else_=kept)


def refresh_purge_at(conn: Connection, where: Any) -> None:
    """Recompute the stored purge instant of the sessions matching `where` (adapter
    internal: SQLAlchemy expressions never cross the port)."""
    conn.execute(update(t.sessions).where(where).values(purge_at=purge_at_expr()))


class SqlRetentionStore:
    """Deletion and retention writes over the unit of work's connection."""

    conn: Connection

    def delete_session(self, session_id: str, *, at: datetime, purge_by: datetime) -> int:
        return self._mark_sessions_deleted(t.sessions.c.id == session_id, at=at, purge_by=purge_by)

    def delete_account_sessions(self, account_id: str, *, at: datetime, purge_by: datetime) -> int:
        return self._mark_sessions_deleted(
            t.sessions.c.account_id == account_id, at=at, purge_by=purge_by
        )

    def mark_feedback_deleted(self, account_id: str, *, at: datetime, purge_by: datetime) -> None:
        f = t.feedback.c
        self.conn.execute(
            update(t.feedback)
            .where(f.account_id == account_id, f.deleted_at.is_(None))
            .values(deleted_at=at, purge_at=least(f.retain_until, purge_by))
        )

    def _mark_sessions_deleted(self, where: Any, *, at: datetime, purge_by: datetime) -> int:
        """R14: deleted now, purged no later than `purge_by`; one activity row each for audit."""
        s = t.sessions.c
        ids = list(self.conn.execute(select(s.id).where(where, s.deleted_at.is_(None))).scalars())
        if not ids:
            return 0
        self.conn.execute(
            insert(t.activities),
            [{"session_id": i, "at": at, "covered": False, "kind": "delete"} for i in ids],
        )
        self.conn.execute(
            update(t.sessions).where(s.id.in_(ids)).values(deleted_at=at, deleted_purge_at=purge_by)
        )
        refresh_purge_at(self.conn, s.id.in_(ids))
        f = t.feedback.c
        self.conn.execute(
            update(t.feedback)
            .where(f.session_id.in_(ids), f.deleted_at.is_(None))
            .values(deleted_at=at, purge_at=least(f.retain_until, purge_by))
        )
        return len(ids)

    def cap_retention(self, account_id: str, *, months: int) -> None:
        """P13: every not yet purged session of the account keeps its content until at
        most its last activity + `months` calendar months (only ever earlier), and its
        purge instant follows, in the caller's transaction."""
        s = t.sessions.c
        rows = self.conn.execute(
            select(s.id, s.last_activity_at, s.retain_until).where(
                s.account_id == account_id, s.purged_at.is_(None)
            )
        ).all()
        changed = False
        for row in rows:
            cap = add_months(row.last_activity_at, months)
            if cap < row.retain_until:
                changed = True
                self.conn.execute(update(t.sessions).where(s.id == row.id).values(retain_until=cap))
        if changed:
            refresh_purge_at(self.conn, s.account_id == account_id)

    def shorten_retention(self, account_id: str, *, period_days: int) -> None:
        """R18 `shorten`: covered sessions of this account now keep the standard period."""
        s = t.sessions.c
        rows = self.conn.execute(
            select(s.id, s.last_activity_at).where(
                s.account_id == account_id,
                s.scope == Scope.CONSUMER.value,
                s.incognito.is_(False),
                s.purged_at.is_(None),
            )
        ).all()
        for row in rows:
            self.conn.execute(
                update(t.sessions)
                .where(s.id == row.id)
                .values(retain_until=row.last_activity_at + timedelta(days=period_days))
            )
        if rows:
            refresh_purge_at(self.conn, s.account_id == account_id)
