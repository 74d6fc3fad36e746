"""Holds and the expiry sweeper (R16, R17)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from consentry import telemetry
from consentry.domain.errors import InvalidInput, NotFound
from consentry.domain.ids import new_id
from consentry.domain.policy import Policy
from consentry.domain.types import HoldKind
from consentry.service.context import Context, UnitOfWork
from consentry.service.keys import PurgeEntry
from consentry.service.ports import HoldStore
from consentry.service.records import HoldRecord, PurgeCounts

Progress = Callable[[PurgeCounts], None]


@dataclass(frozen=True)
class SweepResult:
    sweep_id: str
    purged: PurgeCounts
    batches: int


def project_holds(holds: HoldStore, session_id: str, policy: Policy) -> None:
    """R16: project the session's active holds onto it, so `purge_at` stays one indexed
    column: any active legal hold stops the purge; active safety holds keep the content
    until the latest of their flag times + `retention.safety_flagged`."""
    active = [h for h in holds.session_holds(session_id) if h.released_at is None]
    legal = any(h.kind is HoldKind.LEGAL for h in active)
    flagged = policy.retention.days("safety_flagged")
    keep = [h.placed_at + flagged for h in active if h.kind is HoldKind.SAFETY]
    holds.set_hold_state(session_id, legal=legal, keep_until=max(keep) if keep else None)


def place_hold(
    ctx: Context, *, session_id: str, kind: str, scores: dict[str, float] | None = None
) -> HoldRecord:
    """R16: a `legal` hold keeps content until released; a `safety` flag keeps it for
    `retention.safety_flagged` days and its classifier scores for `safety_scores` days."""
    try:
        kind_value = HoldKind(kind)
    except ValueError:
        raise InvalidInput(f"hold kind must be 'legal' or 'safety', not {kind!r}") from None
    with ctx.uow() as uow:
        now = ctx.clock.now()
        session = uow.store.get_session(session_id)
        if session is None or session.purged_at is not None:
            raise NotFound(f"no session {session_id!r} with content to hold")
        hold = HoldRecord(new_id("hld"), session.id, kind_value, now, None)
        scores_until = (
            now + ctx.policy.retention.days("safety_scores")
            if kind_value is HoldKind.SAFETY and scores is not None
            else None
        )
        uow.store.insert_hold(hold, scores=scores, scores_until=scores_until)
        project_holds(uow.store, session.id, ctx.policy)
        uow.store.publish(
            "hold.placed", {"hold_id": hold.id, "session_id": session.id, "kind": kind_value}, now
        )
        uow.commit()
    return hold


def release_hold(ctx: Context, *, hold_id: str) -> None:
    with ctx.uow() as uow:
        now = ctx.clock.now()
        hold = uow.store.get_hold(hold_id)
        if hold is None or hold.released_at is not None:
            raise NotFound(f"no active hold {hold_id!r}")
        uow.store.release_hold(hold.id, now, release_id=new_id("rel"))
        project_holds(uow.store, hold.session_id, ctx.policy)
        uow.store.publish("hold.released", {"hold_id": hold.id, "session_id": hold.session_id}, now)
        uow.commit()


def _shred(
    ctx: Context, uow: UnitOfWork, kind: str, ids: list[str], *, now: datetime, sweep_id: str
) -> None:
    """Issue 26: log the purge outside the database, then destroy the items' data keys,
    both before the batch commits, and mark the batch's tombstones `key_destroyed`: once
    the tombstones are visible the keys are gone, and if the commit fails the content is
    already unreadable and the next sweep purges it again. Holds keep keys because held
    items are never due (R16). O(1) per item."""
    if ctx.shredder is None:
        return
    scopes = uow.runs.key_scopes(kind, ids)  # a session's pool key: sessions.key_id
    ctx.shredder.log.append(
        PurgeEntry(now.isoformat(), sweep_id, kind, tuple(ids), True, tuple(scopes))
    )
    ctx.shredder.keys.destroy(scopes)
    uow.runs.mark_keys_destroyed(kind, ids, sweep_id=sweep_id)


@telemetry.traced(
    "consentry.retention.sweep",
    after=lambda result: {
        "consentry.sweep.id": result.sweep_id,
        "consentry.sweep.batches": result.batches,
        "consentry.sweep.purged.sessions": result.purged.sessions,
        "consentry.sweep.purged.messages": result.purged.messages,
        "consentry.sweep.purged.feedback": result.purged.feedback,
    },
)
def sweep_expired(
    ctx: Context, *, batch_size: int | None = None, progress: Progress | None = None
) -> SweepResult:
    """R17: purge every item whose retention ended and that no hold protects.

    Each batch is its own transaction, so a crash loses at most the batch in flight and a
    rerun simply continues; already-purged items are never selected again (idempotent).
    The due items are found through partial indexes on `purge_at`, so the cost follows
    the number of expired items, not the size of the store.
    """
    size = batch_size or ctx.policy.sweep_batch_size
    if size < 1:
        raise InvalidInput("batch size must be at least 1")
    now = ctx.clock.now()
    sweep_id = new_id("swp")
    with ctx.uow() as uow:
        uow.store.start_sweep(sweep_id, now)
        uow.commit()
    total, batches = PurgeCounts(), 0
    for due, purge in (
        ("due_sessions", "purge_sessions"),
        ("due_feedback", "purge_feedback"),
        ("due_scores", "purge_scores"),
    ):
        while True:
            with ctx.uow() as uow:
                ids = getattr(uow.runs, due)(now, size)
                if not ids:
                    break
                counts: PurgeCounts = getattr(uow.runs, purge)(ids, now=now, sweep_id=sweep_id)
                total = total + counts
                uow.store.update_sweep(sweep_id, total, finished=None)
                uow.store.publish(
                    "retention.purged",
                    {"sweep_id": sweep_id, "kind": due.removeprefix("due_"), "ids": ids},
                    now,
                )
                _shred(ctx, uow, due.removeprefix("due_"), ids, now=now, sweep_id=sweep_id)
                uow.commit()
            ctx.observer.items_purged(counts)
            batches += 1
            if progress is not None:
                progress(total)
    with ctx.uow() as uow:
        uow.store.update_sweep(sweep_id, total, finished=ctx.clock.now())
        uow.commit()
    return SweepResult(sweep_id, total, batches)


def reapply_purges(ctx: Context, pending: list[tuple[str, list[str]]]) -> SweepResult:
    """Issue 26: after a restore, purge again what the purge log says was purged since the
    backup (``pending``: (kind, ids still unpurged in the restored database)). The same
    purge functions as the sweeper, one transaction per entry, tombstones under a sweep
    of its own; the data keys were destroyed when the purge was first made, and are
    destroyed again here (idempotent)."""
    now = ctx.clock.now()
    sweep_id = new_id("swp")
    purge = {"sessions": "purge_sessions", "feedback": "purge_feedback", "scores": "purge_scores"}
    with ctx.uow() as uow:
        uow.store.start_sweep(sweep_id, now)
        uow.commit()
    total, batches = PurgeCounts(), 0
    for logged, ids in pending:
        kind = "sessions" if logged == "pool" else logged  # the sessions that claimed them
        if not ids:
            continue
        with ctx.uow() as uow:
            counts: PurgeCounts = getattr(uow.runs, purge[kind])(ids, now=now, sweep_id=sweep_id)
            total = total + counts
            uow.store.update_sweep(sweep_id, total, finished=None)
            uow.store.publish(
                "retention.purged", {"sweep_id": sweep_id, "kind": kind, "ids": ids}, now
            )
            if ctx.shredder is not None:
                ctx.shredder.keys.destroy(uow.runs.key_scopes(kind, ids))
                uow.runs.mark_keys_destroyed(kind, ids, sweep_id=sweep_id)
            uow.commit()
        batches += 1
    with ctx.uow() as uow:
        uow.store.update_sweep(sweep_id, total, finished=ctx.clock.now())
        uow.commit()
    return SweepResult(sweep_id, total, batches)
