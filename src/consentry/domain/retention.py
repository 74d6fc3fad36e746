"""Retention (R11–R18): until when content is kept, and when it must be purged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from consentry.domain.policy import OnOptOut, Policy
from consentry.domain.types import ActivityFact, ChoicePoint, HoldFact, HoldKind, Scope, Training


def retention_period(*, scope: Scope, incognito: bool, covered: bool, policy: Policy) -> timedelta:
    """The period one activity earns (R2, R11, R12)."""
    r = policy.retention
    if scope is Scope.COMMERCIAL:
        return r.days("commercial")
    if incognito:
        return r.days("incognito")
    return r.days("training_on") if covered else r.days("standard")


def retain_until(
    *,
    scope: Scope,
    incognito: bool,
    activities: Iterable[ActivityFact],
    choices: Sequence[ChoicePoint],
    policy: Policy,
    at: datetime | None = None,
) -> datetime | None:
    """R12: the latest over activities (at or before `at`) of activity time + its period.

    With ``retention.on_opt_out = shorten`` (R18) a covered activity followed by an
    opt-out (before `at`) counts as uncovered. None when there is no activity.
    """
    offs = [c.at for c in choices if c.value is Training.OFF and (at is None or c.at <= at)]
    shorten = policy.retention.on_opt_out is OnOptOut.SHORTEN
    best: datetime | None = None
    for activity in activities:
        if at is not None and activity.at > at:
            continue
        covered = activity.covered and not (shorten and any(o > activity.at for o in offs))
        until = activity.at + retention_period(
            scope=scope, incognito=incognito, covered=covered, policy=policy
        )
        if best is None or until > best:
            best = until
    return best


def feedback_retain_until(submitted_at: datetime, policy: Policy) -> datetime:
    """R13: feedback is kept for `retention.feedback` days from submission."""
    return submitted_at + policy.retention.days("feedback")


@dataclass(frozen=True, slots=True)
class PurgeDecision:
    due_at: datetime | None
    reason: str


def purge_due(
    *,
    retain_until: datetime,
    deleted_at: datetime | None,
    holds: Iterable[HoldFact],
    policy: Policy,
    at: datetime,
) -> PurgeDecision:
    """R14, R16, R17: when a session's content must be purged; None while a legal hold stands.

    Deletion brings the purge forward to deletion + `deleted_grace`; an active safety
    hold keeps content for `safety_flagged` days from the flag, even after deletion.
    """
    due = retain_until
    reason = "retention ended"
    if deleted_at is not None:
        grace_end = deleted_at + policy.retention.days("deleted_grace")
        if grace_end < due:
            due, reason = grace_end, "deleted"
    active = [h for h in holds if h.active_at(at)]
    if any(h.kind is HoldKind.LEGAL for h in active):
        return PurgeDecision(None, "legal hold")
    for hold in active:
        kept = hold.placed_at + policy.retention.days("safety_flagged")
        if kept > due:
            due, reason = kept, "safety hold ended"
    return PurgeDecision(due, reason)
