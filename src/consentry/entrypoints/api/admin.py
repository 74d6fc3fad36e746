"""Operator paths besides training runs: account import, holds, the sweeper,
eligibility explanations, ledger verification and the test clock."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from consentry.adapters.sql.consent_report import SqlConsentReport
from consentry.domain.clock import iso
from consentry.domain.errors import NotFound
from consentry.entrypoints.api import schemas as s
from consentry.entrypoints.api.deps import Admin, Core
from consentry.entrypoints.api.errors import ERROR_RESPONSES
from consentry.service import accounts, consent_report, ledger, retention, runs

router = APIRouter(prefix="/v1/admin", tags=["admin"], responses=ERROR_RESPONSES)


@router.post("/accounts", status_code=201, response_model=s.CredentialsOut)
def import_account(body: s.ImportAccount, core: Core, _: Admin) -> dict[str, Any]:
    """An existing user, imported with choice ``unset`` (R5: the notice will ask).
    ``region`` (docs/rules.md P16): the ISO 3166 region the operator knows, if any."""
    creds = accounts.import_account(
        core.ctx, plan=body.plan, training=body.training, region=body.region
    )
    return {"account_id": creds.account_id, "token": creds.token}


@router.post("/holds", status_code=201, response_model=s.HoldCreated)
def place_hold(body: s.HoldIn, core: Core, _: Admin) -> dict[str, Any]:
    """R16: holds stop purging; they never make data eligible for training."""
    hold = retention.place_hold(
        core.ctx, session_id=body.session_id, kind=body.kind, scores=body.scores
    )
    return {"hold_id": hold.id}


@router.delete("/holds/{hold_id}", status_code=204)
def release_hold(hold_id: str, core: Core, _: Admin) -> None:
    retention.release_hold(core.ctx, hold_id=hold_id)


@router.post("/retention/sweep", response_model=s.SweepOut)
def sweep(core: Core, _: Admin) -> dict[str, Any]:
    """R17: purge everything whose retention ended and that no hold protects."""
    result = retention.sweep_expired(core.ctx)
    p = result.purged
    return {
        "purged": {
            "sessions": p.sessions,
            "messages": p.messages,
            "feedback": p.feedback,
            "scores": p.scores,
        },
        "sweep_id": result.sweep_id,
        "batches": result.batches,
    }


@router.get("/sessions/{session_id}/explain", response_model=s.ExplainOut)
def explain(
    session_id: str,
    core: Core,
    _: Admin,
    purpose: Annotated[str, Query(max_length=100)] = "model_training",
    at: Annotated[s.Instant | None, Query(description="ISO 8601; default now")] = None,
) -> dict[str, Any]:
    """R26: each eligibility rule with pass or fail, for a purpose and an instant."""
    result = runs.explain(core.ctx, session_id=session_id, purpose=purpose, at=at)
    return {
        "eligible": result.eligible,
        "checks": [{"rule": c.rule, "passed": c.passed, "detail": c.detail} for c in result.checks],
        "include_from": iso(result.include_from) if result.include_from else None,
    }


@router.get("/ledger/verify", response_model=s.LedgerOut)
def verify_ledger(core: Core, _: Admin) -> dict[str, Any]:
    """R27: walk the hash chain; ``ok`` false names the first bad event."""
    v = ledger.verify_ledger(core.ctx)
    return {
        "ok": v.ok,
        "events": v.events,
        "head": v.head,
        "first_bad_seq": v.first_bad_seq,
        "problem": v.problem,
        "clock_backwards_at": v.clock_backwards_at,
    }


@router.post("/test-clock", response_model=s.ClockOut)
def set_test_clock(body: s.ClockIn, core: Core, _: Admin) -> dict[str, str]:
    """Move the frozen test clock forward (404 unless started with ``--test-clock``;
    409 ``clock_backwards`` for an earlier instant)."""
    clock = core.test_clock
    if clock is None:
        raise NotFound("the test clock is off; start the server with --test-clock ISO")
    return {"now": iso(clock.set(body.now))}


@router.get(
    "/reports/consent",
    response_model=s.JsonObject,
    responses={200: {"content": {"text/csv": {}}}},
)
def consent_report_(
    core: Core,
    _: Admin,
    bucket: Annotated[Literal["day", "week", "month"], Query()] = "month",
    since: Annotated[
        s.Instant | None, Query(description="ISO 8601; default until - 365 days")
    ] = None,
    until: Annotated[s.Instant | None, Query(description="ISO 8601; default now")] = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """P19: opt-in rate by plan and surface, deferrals and pending notices against the
    deadline, opt-outs after opt-in, deletions, sweeps and runs per time bucket;
    ``?format=csv`` gives the same numbers one per row."""
    report = consent_report.consent_report(
        core.ctx, SqlConsentReport(core.engine), bucket=bucket, since=since, until=until
    )
    if format == "csv":
        return Response(
            consent_report.report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="consent-report.csv"'},
        )
    return report
