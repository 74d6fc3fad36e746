"""Stored audits: run them on demand or in the background, read the latest (R26, R27).

An audit recomputes eligibility for the whole store (seconds at production sizes), so
pages never run one while loading: they show the latest stored result with the instant
it ran and the ledger head it saw. :func:`audit_and_store` runs and stores one;
:func:`verify_and_store` does the same for the whole consent ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from consentry.domain.clock_steps import CLOCK_BACKWARDS
from consentry.domain.ids import new_id
from consentry.service.context import Context
from consentry.service.ledger import verify_ledger
from consentry.service.records import AuditRecord
from consentry.service.runs import audit_run

log = logging.getLogger(__name__)


def audit_and_store(ctx: Context, *, run_id: str) -> AuditRecord:
    """Audit a run now (R26) and keep the result; unknown runs are 404 ``not_found``."""
    report = audit_run(ctx, run_id=run_id)
    with ctx.uow() as uow:
        head = uow.store.ledger_head()
        record = AuditRecord(
            id=new_id("aud"),
            run_id=run_id,
            audited_at=ctx.clock.now(),
            ledger_head=head.hash,
            ledger_events=head.seq,
            ok=report.ok,
            checked_sessions=report.checked_sessions,
            checked_feedback=report.checked_feedback,
            findings=tuple(
                {"kind": f.kind, "item_id": f.item_id, "problem": f.problem, "detail": f.detail}
                for f in report.findings
            ),
        )
        uow.runs.insert_audit(record)
        uow.commit()
    return record


def audit_in_background(ctx: Context, *, run_id: str) -> None:
    """After a run is created: audit it once so the pages have a result. A failure is
    logged, not raised: nobody is waiting for it, and the audit can be run on demand."""
    try:
        audit_and_store(ctx, run_id=run_id)
    except Exception:
        log.exception("background audit of run %s failed", run_id)


def verify_and_store(ctx: Context) -> AuditRecord:
    """Verify the whole consent ledger's hash chain now (R27) and keep the result."""
    result = verify_ledger(ctx)
    findings: tuple[dict[str, str], ...] = ()
    if not result.ok:
        findings = (
            {
                "kind": "ledger",
                "item_id": str(result.first_bad_seq or ""),
                "problem": "ledger_broken",
                "detail": result.problem or "verification failed",
            },
        )
    elif result.clock_backwards_at is not None:  # a warning: `ok` stays true
        findings = (
            {
                "kind": "ledger",
                "item_id": str(result.clock_backwards_at),
                "problem": CLOCK_BACKWARDS,
                "detail": "this event is stamped before an earlier one: the clock was moved "
                "back; the chain verifies, so nothing was altered",
            },
        )
    record = AuditRecord(
        id=new_id("aud"),
        run_id=None,
        audited_at=ctx.clock.now(),
        ledger_head=result.head,
        ledger_events=result.events,
        ok=result.ok,
        checked_sessions=0,
        checked_feedback=0,
        findings=findings,
    )
    with ctx.uow() as uow:
        uow.runs.insert_audit(record)
        uow.commit()
    return record


def latest_audits(ctx: Context, *, run_ids: Iterable[str]) -> dict[str, AuditRecord]:
    """The newest stored audit of each of these runs; runs never audited are absent."""
    with ctx.uow(read_only=True) as uow:
        found = uow.runs.latest_audits(list(run_ids))
    return {run_id: record for run_id, record in found.items() if run_id is not None}


def latest_ledger_check(ctx: Context) -> AuditRecord | None:
    """The newest stored verification of the whole ledger, if any."""
    with ctx.uow(read_only=True) as uow:
        return uow.runs.latest_audits([None]).get(None)
