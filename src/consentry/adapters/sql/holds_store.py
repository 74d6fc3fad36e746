"""The SQL side of :class:`~consentry.service.ports.HoldStore`: holds on a session's
content and their projection onto the session's purge instant (R16, R17, R26).

Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.retention_store import refresh_purge_at
from consentry.domain.types import HoldKind
from consentry.service.records import HoldRecord


class SqlHoldStore:
    """Hold reads and writes over the unit of work's connection."""

    conn: Connection

    def insert_hold(
        self, hold: HoldRecord, *, scores: dict[str, float] | None, scores_until: datetime | None
    ) -> None:
        self.conn.execute(
            insert(t.holds).values(
                id=hold.id,
                session_id=hold.session_id,
                kind=hold.kind.value,
                placed_at=hold.placed_at,
                scores=json.dumps(scores, sort_keys=True) if scores is not None else None,
                scores_retain_until=scores_until,
            )
        )

    def get_hold(self, hold_id: str) -> HoldRecord | None:
        row = self.conn.execute(select(t.holds).where(t.holds.c.id == hold_id)).first()
        if row is None:
            return None
        return HoldRecord(
            row.id, row.session_id, HoldKind(row.kind), row.placed_at, row.released_at
        )

    def release_hold(self, hold_id: str, at: datetime, *, release_id: str) -> None:
        self.conn.execute(
            update(t.holds)
            .where(t.holds.c.id == hold_id)
            .values(released_at=at, release_id=release_id)
        )

    def session_holds(self, session_id: str) -> list[HoldRecord]:
        rows = self.conn.execute(
            select(t.holds).where(t.holds.c.session_id == session_id).order_by(t.holds.c.placed_at)
        )
        return [
            HoldRecord(r.id, r.session_id, HoldKind(r.kind), r.placed_at, r.released_at)
            for r in rows
        ]

    def set_hold_state(self, session_id: str, *, legal: bool, keep_until: datetime | None) -> None:
        s = t.sessions.c
        self.conn.execute(
            update(t.sessions)
            .where(s.id == session_id)
            .values(legal_hold=legal, hold_keep_until=keep_until)
        )
        refresh_purge_at(self.conn, s.id == session_id)
