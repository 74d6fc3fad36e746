"""Training runs (R19–R23, R26): create at a cutoff, start, explain and audit."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from consentry import telemetry
from consentry.domain.clock_steps import (
    CLOCK_BACKWARDS,
    clamp_feedback,
    clamp_session,
    stamped_after,
)
from consentry.domain.eligibility import (
    Decision,
    Eligibility,
    SessionFacts,
    check_eligibility,
    check_feedback_eligibility,
    decide_eligibility,
    decide_feedback_eligibility,
    parse_purpose,
)
from consentry.domain.errors import InvalidState, NotFound
from consentry.domain.ids import new_id
from consentry.domain.types import RunStatus
from consentry.service.context import Context, UnitOfWork
from consentry.service.records import RunRecord


@dataclass(frozen=True)
class Manifest:
    run_id: str
    sessions: list[str]
    feedback: list[str]


@dataclass(frozen=True)
class AuditFinding:
    kind: str  # "session" | "feedback" | "ledger" | "counts"
    item_id: str
    problem: str  # "extra" | "missing" | ...
    detail: str


@dataclass
class AuditReport:
    run_id: str
    ok: bool = True
    checked_sessions: int = 0
    checked_feedback: int = 0
    findings: list[AuditFinding] = field(default_factory=list)

    def add(self, finding: AuditFinding) -> None:
        self.ok = False
        self.findings.append(finding)

    def warn(self, finding: AuditFinding) -> None:
        """A finding that does not fail the audit (``clock_backwards``)."""
        self.findings.append(finding)


CLOCK_DETAIL = (
    "history written before the run is stamped after its cutoff: the clock was moved "
    "back (a restart?); believing the order, not the clock, agrees with the manifest"
)


@telemetry.traced(
    "consentry.run.create",
    lambda kw: {"consentry.run.purpose": kw["purpose"]},
    lambda run: {
        "consentry.run.id": run.id,
        "consentry.run.sessions": run.sessions,
        "consentry.run.messages": run.messages,
        "consentry.run.feedback": run.feedback,
    },
)
def create_run(ctx: Context, *, purpose: str) -> RunRecord:
    """R20: fix the cutoff at now and freeze the manifest in one consistent read."""
    purpose_value = parse_purpose(purpose, ctx.policy)
    with ctx.uow(barrier=True) as uow:
        # Writers are held off here: what committed is stamped before the cutoff, and
        # what is still to come will be stamped after it (and after the run's id).
        cutoff, run_id = ctx.clock.now(), new_id("run")
        # Issue 21 item 4: the run appends its manifest root to the ledger; locking the
        # head before the snapshot (writers still held) keeps any append from coming
        # between, so its event directly follows the ledger it was built from.
        uow.ledger.lock_head()
        uow.freeze()
        run = uow.runs.create_run(
            run_id=run_id,
            purpose=purpose_value,
            cutoff=cutoff,
            policy=ctx.policy,
            secret=secrets.token_hex(32),
        )
        uow.store.publish(
            "run.created",
            {"run_id": run.id, "purpose": run.purpose, "sessions": run.sessions},
            run.created_at,
        )
        uow.commit()
    ctx.observer.run_created(run.purpose)
    if ctx.signer is not None:
        # Issue 21: a checkpoint right after each run, so the ledger the run was built
        # from is signed before anyone can rewrite it, with the run's manifest root.
        from consentry.service.ledger import issue_checkpoint

        issue_checkpoint(ctx, signer=ctx.signer, run_id=run.id)
    return run


def get_run(ctx: Context, *, run_id: str) -> RunRecord:
    with ctx.uow(read_only=True) as uow:
        run = uow.runs.get_run(run_id)
    if run is None:
        raise NotFound(f"no training run {run_id!r}")
    return run


def list_runs(ctx: Context) -> list[RunRecord]:
    with ctx.uow(read_only=True) as uow:
        return uow.runs.list_runs()


def start_run(ctx: Context, *, run_id: str) -> RunRecord:
    """R21: once started, data in the run stays there; the manifest never changes anyway."""
    with ctx.uow() as uow:
        now = ctx.clock.now()
        run = uow.runs.get_run(run_id)
        if run is None:
            raise NotFound(f"no training run {run_id!r}")
        if run.status is not RunStatus.CREATED:
            raise InvalidState(f"run {run_id} is already {run.status}")
        uow.runs.set_run_started(run.id, now)
        uow.store.publish("run.started", {"run_id": run.id}, now)
        started = uow.runs.get_run(run.id)
        uow.commit()
    assert started is not None
    return started


def get_manifest(ctx: Context, *, run_id: str) -> Manifest:
    with ctx.uow(read_only=True) as uow:
        if uow.runs.get_run(run_id) is None:
            raise NotFound(f"no training run {run_id!r}")
        sessions = [m.session_id for m in uow.runs.manifest_sessions(run_id)]
        return Manifest(run_id, sessions, uow.runs.manifest_feedback(run_id))


def runs_for_account(ctx: Context, *, account_id: str) -> list[RunRecord]:
    """R21: the runs that contain this account's data."""
    with ctx.uow(read_only=True) as uow:
        return uow.runs.runs_for_account(account_id)


def explain(
    ctx: Context, *, session_id: str, purpose: str, at: datetime | None = None
) -> Eligibility:
    """R26: every rule with pass or fail for one session, a purpose and an instant."""
    purpose_value = parse_purpose(purpose, ctx.policy)
    instant = at or ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        facts = uow.runs.one_session_facts(session_id)
    if facts is None:
        raise NotFound(f"no session {session_id!r}")
    return check_eligibility(facts, purpose=purpose_value, at=instant, policy=ctx.policy)


def audit_run(
    ctx: Context, *, run_id: str, progress: Callable[[int], None] | None = None
) -> AuditReport:
    """R26: recompute eligibility at the cutoff from stored history and the ledger, with
    the pure domain rules (not the SQL that built the manifest), and report every extra
    or missing item, a ledger head that does not match, and counts that do not add up."""
    run = get_run(ctx, run_id=run_id)
    report = AuditReport(run_id)
    intact = _audit_ledger(ctx, run, report)
    with ctx.uow(read_only=True) as uow:
        manifest = {m.session_id: m.include_from for m in uow.runs.manifest_sessions(run_id)}
        manifest_fb = set(uow.runs.manifest_feedback(run_id))
        _audit_sessions(ctx, uow, run, report, manifest, intact=intact, progress=progress)
        _audit_feedback(ctx, uow, run, report, manifest_fb, intact=intact)
        if len(manifest) != run.sessions or len(manifest_fb) != run.feedback:
            report.add(
                AuditFinding(
                    "counts", run.id, "counts_mismatch", "recorded counts differ from the manifest"
                )
            )
    return report


def _audit_ledger(ctx: Context, run: RunRecord, report: AuditReport) -> bool:
    """The ledger verifies up to the run's cutoff and ends at the head the run recorded;
    a finding otherwise. True when intact (only then may stamps be read by order)."""
    from consentry.service.ledger import verify_ledger

    ledger = verify_ledger(ctx, upto=run.ledger_events)
    intact = ledger.ok and ledger.head == run.ledger_head
    if not intact:
        report.add(
            AuditFinding(
                "ledger",
                str(ledger.first_bad_seq or run.ledger_events),
                "ledger_mismatch",
                ledger.problem or "the ledger head at the cutoff differs from the manifest's",
            )
        )
    return intact


def _audit_sessions(
    ctx: Context,
    uow: UnitOfWork,
    run: RunRecord,
    report: AuditReport,
    manifest: dict[str, datetime | None],
    *,
    intact: bool,
    progress: Callable[[int], None] | None,
) -> None:
    """Every stored session decided again at the cutoff against the manifest: missing,
    extra and wrong-scope findings, and sessions in the manifest the store lacks."""
    seen: set[str] = set()
    facts: SessionFacts
    for facts in uow.runs.session_facts(
        ledger_seq=run.ledger_events, activity_hwm=run.activity_hwm, run_id=run.id
    ):
        report.checked_sessions += 1
        if progress is not None and report.checked_sessions % 1000 == 0:
            progress(report.checked_sessions)
        # Decide every item; explain (R26) only the ones reported.
        result = decide_eligibility(facts, purpose=run.purpose, at=run.cutoff, policy=ctx.policy)
        if intact and stamped_after(facts, run.cutoff):
            # The clock was moved back: the history's order, not its stamps, decides.
            clamped = clamp_session(facts, run.cutoff)
            by_order = decide_eligibility(
                clamped, purpose=run.purpose, at=run.cutoff, policy=ctx.policy
            )
            _warn_if_clock_explains(report, "session", facts.session_id, result, by_order, manifest)
            facts, result = clamped, by_order
        if result.eligible is not (facts.session_id in manifest):
            explained = check_eligibility(
                facts, purpose=run.purpose, at=run.cutoff, policy=ctx.policy
            )
            _compare(report, "session", facts.session_id, explained, facts.session_id in manifest)
        seen.add(facts.session_id)
        in_scope = result.eligible and facts.session_id in manifest
        if in_scope and manifest[facts.session_id] != result.include_from:
            report.add(
                AuditFinding("session", facts.session_id, "wrong_scope", "include_from differs")
            )
    for sid in sorted(set(manifest) - seen):
        report.add(AuditFinding("session", sid, "extra", "in the manifest but not in the store"))


def _audit_feedback(
    ctx: Context,
    uow: UnitOfWork,
    run: RunRecord,
    report: AuditReport,
    manifest_fb: set[str],
    *,
    intact: bool,
) -> None:
    """Every stored feedback item decided again at the cutoff against the manifest."""
    fb_seen: set[str] = set()
    for fb in uow.runs.feedback_facts(
        ledger_seq=run.ledger_events, activity_hwm=run.activity_hwm, run_id=run.id
    ):
        report.checked_feedback += 1
        decision = decide_feedback_eligibility(
            fb, purpose=run.purpose, at=run.cutoff, policy=ctx.policy
        )
        if intact and stamped_after(fb, run.cutoff):
            fb = clamp_feedback(fb, run.cutoff)
            by_order = decide_feedback_eligibility(
                fb, purpose=run.purpose, at=run.cutoff, policy=ctx.policy
            )
            _warn_if_clock_explains(
                report, "feedback", fb.feedback_id, decision, by_order, manifest_fb
            )
            decision = by_order
        if decision.eligible is not (fb.feedback_id in manifest_fb):
            explained = check_feedback_eligibility(
                fb, purpose=run.purpose, at=run.cutoff, policy=ctx.policy
            )
            _compare(report, "feedback", fb.feedback_id, explained, fb.feedback_id in manifest_fb)
        fb_seen.add(fb.feedback_id)
    for fid in sorted(manifest_fb - fb_seen):
        report.add(AuditFinding("feedback", fid, "extra", "in the manifest but not in the store"))


def _warn_if_clock_explains(
    report: AuditReport,
    kind: str,
    item_id: str,
    by_stamps: Decision,
    by_order: Decision,
    manifest: Collection[str],
) -> None:
    """History stamped after the cutoff (the ledger verifies): the verdict by order is
    the reference. Where it agrees with the manifest and the stamps' verdict does not,
    the difference is the clock's, a warning (domain.clock_steps says why)."""
    in_manifest = item_id in manifest
    if by_order.eligible is in_manifest and by_stamps.eligible is not in_manifest:
        report.warn(AuditFinding(kind, item_id, CLOCK_BACKWARDS, CLOCK_DETAIL))


def _compare(
    report: AuditReport, kind: str, item_id: str, result: Eligibility, in_manifest: bool
) -> None:
    if result.eligible and not in_manifest:
        report.add(
            AuditFinding(kind, item_id, "missing", "eligible at the cutoff but not in the manifest")
        )
    elif not result.eligible and in_manifest:
        failed = "; ".join(f"{c.rule}: {c.detail}" for c in result.checks if not c.passed)
        report.add(AuditFinding(kind, item_id, "extra", f"not eligible at the cutoff ({failed})"))
