"""Retention (R11–R18): until when content is kept, and when it must be purged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from consentry.domain.policy import OnOptOut, Policy
from consentry.domain.types import ActivityFact, ChoicePoint, HoldFact, HoldKind, Scope, Training


def retention_period(*, scope: Scope, incognito: bool, covered: bool, policy: Policy) -> timedelta:
    """The period one activity earns (R2, R11, R12)."""
    return _periods(scope, incognito, policy)[0 if covered else 1]


def _periods(scope: Scope, incognito: bool, policy: Policy) -> tuple[timedelta, timedelta]:
    """(covered, uncovered): the periods a session's activities earn (R2, R11, R12)."""
    p = policy.retention.periods
    if scope is Scope.COMMERCIAL:
        return p.commercial, p.commercial
    if incognito:
        return p.incognito, p.incognito
    return p.training_on, p.standard


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

    Every activity earns one of two periods, so this is the later of the last covered
    activity + the covered period and the last uncovered one + the uncovered period.
    """
    last_off: datetime | None = None
    if policy.retention.on_opt_out is OnOptOut.SHORTEN:
        offs = [c.at for c in choices if c.value is Training.OFF and (at is None or c.at <= at)]
        last_off = max(offs, default=None)
    last_covered: datetime | None = None
    last_uncovered: datetime | None = None
    for activity in activities:
        t = activity.at
        if at is not None and t > at:
            continue
        # covered, unless (R18) an opt-out came after it
        if activity.covered and (last_off is None or last_off <= t):
            if last_covered is None or t > last_covered:
                last_covered = t
        elif last_uncovered is None or t > last_uncovered:
            last_uncovered = t
    covered_period, uncovered_period = _periods(scope, incognito, policy)
    if last_covered is None:
        return None if last_uncovered is None else last_uncovered + uncovered_period
    until = last_covered + covered_period
    if last_uncovered is None:
        return until
    return max(until, last_uncovered + uncovered_period)


def feedback_retain_until(submitted_at: datetime, policy: Policy) -> datetime:
    """R13: feedback is kept for `retention.feedback` days from submission."""
    return submitted_at + policy.retention.periods.feedback


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
        grace_end = deleted_at + policy.retention.periods.deleted_grace
        if grace_end < due:
            due, reason = grace_end, "deleted"
    active = [h for h in holds if h.active_at(at)]
    if any(h.kind is HoldKind.LEGAL for h in active):
        return PurgeDecision(None, "legal hold")
    for hold in active:
        kept = hold.placed_at + policy.retention.periods.safety_flagged
        if kept > due:
            due, reason = kept, "safety hold ended"
    return PurgeDecision(due, reason)
