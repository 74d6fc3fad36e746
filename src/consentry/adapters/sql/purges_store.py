"""The SQL side of :class:`~consentry.service.ports.PurgeStore`: the sweeper's due
items and their purges, which leave tombstones (ids, reason, time) behind (R17).

Due items are selected through partial indexes, so a pass costs what it touches.
Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, case, delete, insert, literal, select, update

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.key_scopes import session_key_ids
from consentry.service.keys import scopes_of
from consentry.service.records import PurgeCounts

s, f, h = t.sessions.c, t.feedback.c, t.holds.c
TOMBSTONE_COLUMNS = [
    "item_type",
    "item_id",
    "session_id",
    "account_id",
    "reason",
    "purged_at",
    "sweep_id",
]


class SqlPurgeStore:
    """The sweeper's reads and purges over the unit of work's connection."""

    conn: Connection

    def due_sessions(self, now: datetime, limit: int) -> list[str]:
        return list(
            self.conn.execute(
                select(s.id)
                .where(s.purged_at.is_(None), s.purge_at <= now)
                .order_by(s.purge_at, s.id)
                .limit(limit)
            ).scalars()
        )

    def purge_sessions(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        """Delete the content of due sessions, keeping tombstones (ids, reason, time)."""
        m = t.messages.c
        reason = case((s.deleted_at.is_not(None), "deleted"), else_="retention_ended")
        stamp = literal(now, t.UTCDateTime())
        self.conn.execute(
            insert(t.tombstones).from_select(
                TOMBSTONE_COLUMNS,
                select(
                    literal("message"),
                    m.id,
                    m.session_id,
                    s.account_id,
                    reason,
                    stamp,
                    literal(sweep_id),
                )
                .select_from(t.messages.join(t.sessions, s.id == m.session_id))
                .where(m.session_id.in_(ids)),
            )
        )
        n_messages = self.conn.execute(delete(t.messages).where(m.session_id.in_(ids))).rowcount
        self.conn.execute(
            insert(t.tombstones).from_select(
                TOMBSTONE_COLUMNS,
                select(
                    literal("session"), s.id, s.id, s.account_id, reason, stamp, literal(sweep_id)
                ).where(s.id.in_(ids), s.purged_at.is_(None)),
            )
        )
        n_sessions = self.conn.execute(
            update(t.sessions).where(s.id.in_(ids), s.purged_at.is_(None)).values(purged_at=now)
        ).rowcount
        return PurgeCounts(sessions=n_sessions, messages=n_messages)

    def due_feedback(self, now: datetime, limit: int) -> list[str]:
        return list(
            self.conn.execute(
                select(f.id)
                .where(f.purged_at.is_(None), f.purge_at <= now)
                .order_by(f.purge_at, f.id)
                .limit(limit)
            ).scalars()
        )

    def purge_feedback(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        self.conn.execute(
            insert(t.tombstones).from_select(
                TOMBSTONE_COLUMNS,
                select(
                    literal("feedback"),
                    f.id,
                    f.session_id,
                    f.account_id,
                    literal("retention_ended"),
                    literal(now, t.UTCDateTime()),
                    literal(sweep_id),
                ).where(f.id.in_(ids)),
            )
        )
        n = self.conn.execute(
            update(t.feedback)
            .where(f.id.in_(ids), f.purged_at.is_(None))
            .values(purged_at=now, comment=None, rating="")
        ).rowcount
        return PurgeCounts(feedback=n)

    def due_scores(self, now: datetime, limit: int) -> list[str]:
        return list(
            self.conn.execute(
                select(h.id)
                .where(h.scores.is_not(None), h.scores_retain_until <= now)
                .order_by(h.scores_retain_until, h.id)
                .limit(limit)
            ).scalars()
        )

    def purge_scores(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        self.conn.execute(
            insert(t.tombstones).from_select(
                TOMBSTONE_COLUMNS,
                select(
                    literal("scores"),
                    h.id,
                    h.session_id,
                    literal(None),
                    literal("retention_ended"),
                    literal(now, t.UTCDateTime()),
                    literal(sweep_id),
                ).where(h.id.in_(ids)),
            )
        )
        n = self.conn.execute(update(t.holds).where(h.id.in_(ids)).values(scores=None)).rowcount
        return PurgeCounts(scores=n)

    def key_scopes(self, kind: str, ids: list[str]) -> list[str]:
        key_ids = session_key_ids(self.conn, ids) if kind == "sessions" else {}
        return scopes_of(kind, ids, key_ids)

    def mark_keys_destroyed(self, kind: str, ids: list[str], *, sweep_id: str) -> int:
        tb = t.tombstones.c
        item_type = {"sessions": "session", "feedback": "feedback", "scores": "scores"}[kind]
        return self.conn.execute(
            update(t.tombstones)
            .where(tb.item_type == item_type, tb.item_id.in_(ids), tb.sweep_id == sweep_id)
            .values(key_destroyed=True)
        ).rowcount
