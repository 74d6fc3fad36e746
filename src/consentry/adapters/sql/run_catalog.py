"""The SQL side of :class:`~consentry.service.ports.RunCatalog` and
:class:`~consentry.service.ports.AuditStore`: run rows (their pseudonym keys sealed at
rest, issue 17 item 5) and the stored audit results (R26, R27).

Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from consentry.adapters.sql import tables as t
from consentry.config.sealing import SecretBox, SecretUnreadable, run_secret_context
from consentry.domain.types import Purpose, RunStatus
from consentry.service.records import AuditRecord, RunRecord


def run_of_row(row: Any, box: SecretBox | None) -> RunRecord:
    m = row._mapping
    return RunRecord(
        id=m["id"],
        purpose=Purpose(m["purpose"]),
        cutoff=m["cutoff"],
        status=RunStatus(m["status"]),
        created_at=m["created_at"],
        started_at=m["started_at"],
        policy_digest=m["policy_digest"],
        resume_scope=m["resume_scope"],
        ledger_head=m["ledger_head"],
        ledger_events=m["ledger_events"],
        activity_hwm=m["activity_hwm"],
        sessions=m["sessions_count"],
        messages=m["messages_count"],
        feedback=m["feedback_count"],
        pseudonym_secret=opened(box).open(
            m["pseudonym_secret"], context=run_secret_context(m["id"])
        ),
    )


def opened(box: SecretBox | None) -> SecretBox:
    """The box that seals runs' keys; a store opened without the secret key cannot."""
    if box is None:
        raise SecretUnreadable(
            "this store was opened without the secret key: runs' keys are sealed"
        )
    return box


class SqlRunCatalog:
    """Run and audit rows over the unit of work's connection."""

    conn: Connection
    box: SecretBox | None

    # -- runs -----------------------------------------------------------------------
    def get_run(self, run_id: str) -> RunRecord | None:
        row = self.conn.execute(select(t.runs).where(t.runs.c.id == run_id)).first()
        return run_of_row(row, self.box) if row else None

    def list_runs(self) -> list[RunRecord]:
        rows = self.conn.execute(select(t.runs).order_by(t.runs.c.created_at, t.runs.c.id))
        return [run_of_row(r, self.box) for r in rows]

    def set_run_started(self, run_id: str, at: datetime) -> None:
        self.conn.execute(
            update(t.runs)
            .where(t.runs.c.id == run_id)
            .values(status=RunStatus.STARTED.value, started_at=at)
        )

    def runs_for_account(self, account_id: str) -> list[RunRecord]:
        ra = t.run_accounts.c
        rows = self.conn.execute(
            select(t.runs)
            .join(t.run_accounts, ra.run_id == t.runs.c.id)
            .where(ra.account_id == account_id)
            .order_by(t.runs.c.created_at, t.runs.c.id)
        )
        return [run_of_row(r, self.box) for r in rows]

    # -- stored audits (R26, R27) -----------------------------------------------------
    def insert_audit(self, record: AuditRecord) -> None:
        self.conn.execute(
            insert(t.audit_results).values(
                id=record.id,
                run_id=record.run_id,
                audited_at=record.audited_at,
                ledger_head=record.ledger_head,
                ledger_events=record.ledger_events,
                ok=record.ok,
                checked_sessions=record.checked_sessions,
                checked_feedback=record.checked_feedback,
                findings=json.dumps(list(record.findings)),
            )
        )

    def latest_audits(self, run_ids: list[str | None]) -> dict[str | None, AuditRecord]:
        """The newest stored audit of each run (None: the newest ledger verification)."""
        ar = t.audit_results.c
        found: dict[str | None, AuditRecord] = {}
        wanted = [r for r in run_ids if r is not None]
        where = [ar.run_id.in_(wanted)] if wanted else []
        if None in run_ids:
            where.append(ar.run_id.is_(None))
        if not where:
            return found
        rows = self.conn.execute(
            select(t.audit_results).where(or_(*where)).order_by(ar.audited_at, ar.id)
        )
        for r in rows:  # oldest first: the newest of each run is written last
            found[r.run_id] = AuditRecord(
                id=r.id,
                run_id=r.run_id,
                audited_at=r.audited_at,
                ledger_head=r.ledger_head,
                ledger_events=r.ledger_events,
                ok=bool(r.ok),
                checked_sessions=r.checked_sessions,
                checked_feedback=r.checked_feedback,
                findings=tuple(json.loads(r.findings)),
            )
        return found
