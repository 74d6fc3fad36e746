"""The SQL side of :class:`~consentry.service.ports.ExportReads`: the keyset pages a
training export reads a run's manifest through, and the counts its audit checks (R25).

Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Result, Select, and_, exists, func, or_, select

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.manifest_store import in_runs_past, trainable_message
from consentry.service.ports.runs import ExportFeedbackRow, ExportMessageRow, ExportUnavailable

s, f = t.sessions.c, t.feedback.c


class SqlExportReads:
    """Export reads over the unit of work's connection."""

    conn: Connection

    def export_session_window(self, run_id: str, *, after: str, limit: int) -> list[str]:
        """The next `limit` manifest session ids after `after`, in order (export windows)."""
        rs = t.run_sessions.c
        return list(
            self.conn.execute(
                select(rs.session_id)
                .where(rs.run_id == run_id, rs.session_id > after)
                .order_by(rs.session_id)
                .limit(limit)
            ).scalars()
        )

    def export_messages_page(
        self,
        run_id: str,
        *,
        cutoff: datetime,
        sessions: tuple[str, str],
        after: tuple[str, datetime, str] | None,
        limit: int,
    ) -> list[ExportMessageRow]:
        """The next `limit` exportable messages of a run's sessions in the inclusive id
        range `sessions`, after the keyset `after`.

        Rows are (session_id, account_id, kind, surface, message_id, role, content, at),
        ordered by (session_id, at, message_id): messages of manifest sessions at or
        before the cutoff and, when the manifest says so, at or after `include_from`.
        The session window bounds what a planner may choose to sort (PostgreSQL sorts
        the window rather than walking the index when its statistics are stale); keyset
        pages keep each read short and its memory bounded by `limit`.
        """
        rows = self.conn.execute(_messages_page(run_id, cutoff, sessions, after, limit))
        return [ExportMessageRow._make(r) for r in rows]  # named tuples, not SQLAlchemy Rows

    def export_messages_keyed(
        self,
        run_id: str,
        *,
        cutoff: datetime,
        sessions: tuple[str, str],
        after: tuple[str, datetime, str] | None,
        limit: int,
    ) -> Result[Any]:
        """The rows of :meth:`export_messages_page`, unconsumed, each with its session's
        ``key_id`` (the pool key, NULL for the older scheme) as a ninth value: the crypto
        adapter opens a page's texts without a second read of ``sessions``, fetching the
        rows in chunks and building each export row once (issue 26, exports within 10 %).
        Read it before the unit of work ends."""
        return self.conn.execute(_messages_page(run_id, cutoff, sessions, after, limit, s.key_id))

    def export_feedback_page(
        self, run_id: str, *, after: str | None, limit: int
    ) -> list[ExportFeedbackRow]:
        """The next `limit` exportable feedback items (id, rating, comment, at) by id.

        Feedback purged since the run was created is skipped (see `export_unavailable`).
        """
        rf = t.run_feedback.c
        query = (
            select(f.id, f.rating, f.comment, f.at)
            .select_from(t.run_feedback.join(t.feedback, f.id == rf.feedback_id))
            .where(rf.run_id == run_id, f.purged_at.is_(None))
        )
        if after is not None:
            query = query.where(rf.feedback_id > after)
        rows = self.conn.execute(query.order_by(rf.feedback_id).limit(limit))
        return [ExportFeedbackRow._make(r) for r in rows]

    def export_unavailable(self, run_id: str) -> ExportUnavailable:
        """(sessions, feedback) of a run's manifest whose content has been purged since."""
        rs, rf = t.run_sessions.c, t.run_feedback.c
        sessions = self._count(
            select(func.count())
            .select_from(t.run_sessions.outerjoin(t.sessions, s.id == rs.session_id))
            .where(rs.run_id == run_id, or_(s.id.is_(None), s.purged_at.is_not(None)))
        )
        feedback = self._count(
            select(func.count())
            .select_from(t.run_feedback.outerjoin(t.feedback, f.id == rf.feedback_id))
            .where(rf.run_id == run_id, or_(f.id.is_(None), f.purged_at.is_not(None)))
        )
        return ExportUnavailable(sessions, feedback)

    def export_session_ids(self, run_id: str, *, cutoff: datetime) -> list[str]:
        """Manifest sessions that still have at least one exportable message (for audits)."""
        rs, m = t.run_sessions.c, t.messages.c
        return list(
            self.conn.execute(
                select(rs.session_id)
                .where(
                    rs.run_id == run_id,
                    exists().where(
                        m.session_id == rs.session_id,
                        in_runs_past(run_id, cutoff),
                        or_(rs.include_from.is_(None), m.at >= rs.include_from),
                        trainable_message(run_id),
                    ),
                )
                .order_by(rs.session_id)
            ).scalars()
        )

    def export_feedback_ids(self, run_id: str) -> list[str]:
        """Manifest feedback that has not been purged (for audits)."""
        rf = t.run_feedback.c
        return list(
            self.conn.execute(
                select(rf.feedback_id)
                .join(t.feedback, f.id == rf.feedback_id)
                .where(rf.run_id == run_id, f.purged_at.is_(None))
                .order_by(rf.feedback_id)
            ).scalars()
        )

    def _count(self, query: Any) -> int:
        return int(self.conn.execute(query).scalar_one())


def _messages_page(
    run_id: str,
    cutoff: datetime,
    sessions: tuple[str, str],
    after: tuple[str, datetime, str] | None,
    limit: int,
    *extra: Any,
) -> Select[Any]:
    """The keyset page of :meth:`SqlExportReads.export_messages_page`, with ``extra``
    columns after its eight."""
    rs, m = t.run_sessions.c, t.messages.c
    query = (
        select(rs.session_id, rs.account_id, s.kind, s.surface, m.id, m.role, m.content, m.at)
        .add_columns(*extra)
        .select_from(
            t.run_sessions.join(t.messages, m.session_id == rs.session_id).join(
                t.sessions, s.id == rs.session_id
            )
        )
        .where(
            rs.run_id == run_id,
            rs.session_id.between(*sessions),
            in_runs_past(run_id, cutoff),
            or_(rs.include_from.is_(None), m.at >= rs.include_from),
            trainable_message(run_id),
        )
    )
    if after is not None:
        sid, at, mid = after
        query = query.where(
            rs.session_id >= sid,
            or_(rs.session_id > sid, m.at > at, and_(m.at == at, m.id > mid)),
        )
    return query.order_by(rs.session_id, m.at, m.id).limit(limit)
