"""The SQL side of :class:`~consentry.service.ports.SweepLog`: the record of each
sweeper pass and what it purged (R17).

Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from consentry.adapters.sql import tables as t
from consentry.service.ports.retention import SweepRecord
from consentry.service.records import PurgeCounts


class SqlSweepLog:
    """Sweep rows over the unit of work's connection."""

    conn: Connection

    def start_sweep(self, sweep_id: str, at: datetime) -> None:
        self.conn.execute(
            insert(t.sweeps).values(
                id=sweep_id, started_at=at, sessions=0, messages=0, feedback=0, scores=0
            )
        )

    def update_sweep(
        self, sweep_id: str, counts: PurgeCounts, *, finished: datetime | None
    ) -> None:
        values: dict[str, Any] = {
            "sessions": counts.sessions,
            "messages": counts.messages,
            "feedback": counts.feedback,
            "scores": counts.scores,
        }
        if finished is not None:
            values["finished_at"] = finished
        self.conn.execute(update(t.sweeps).where(t.sweeps.c.id == sweep_id).values(**values))

    def recent_sweeps(self, limit: int = 20) -> list[SweepRecord]:
        rows = self.conn.execute(
            select(t.sweeps).order_by(t.sweeps.c.started_at.desc(), t.sweeps.c.id).limit(limit)
        )
        return [
            SweepRecord(
                id=r.id,
                started_at=r.started_at,
                finished_at=r.finished_at,
                purged=PurgeCounts(r.sessions, r.messages, r.feedback, r.scores),
            )
            for r in rows
        ]
