"""Retention (R11–R18): until when content is kept, and when it must be purged."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from consentry.domain.jurisdiction import rule_set_for
from consentry.domain.policy import OnOptOut, Policy
from consentry.domain.types import ActivityFact, ChoicePoint, HoldFact, HoldKind, Scope, Training


def retention_period(
    *, scope: Scope, incognito: bool, covered: bool, policy: Policy, region: str | None = None
) -> timedelta:
    """The period one activity earns (R2, R11, R12; P21: the account's `region`)."""
    return _periods(scope, incognito, policy, region)[0 if covered else 1]


def standard_days(policy: Policy, region: str | None) -> int:
    """P21: the standard retention in days for an account of `region` (R18 `shorten`)."""
    if not policy.jurisdictions.regional_retention:
        return policy.retention.standard
    return policy.retention_days(rule_set_for(region, policy))[1]


def _periods(
    scope: Scope, incognito: bool, policy: Policy, region: str | None = None
) -> tuple[timedelta, timedelta]:
    """(covered, uncovered): the periods a session's activities earn (R2, R11, R12);
    P21: the rule set of the account's `region` may shorten the consumer ones."""
    p = policy.retention.periods
    if scope is Scope.COMMERCIAL:
        return p.commercial, p.commercial
    if incognito:
        return p.incognito, p.incognito
    if policy.jurisdictions.regional_retention:
        on, standard = policy.retention_days(rule_set_for(region, policy))
        return timedelta(days=on), timedelta(days=standard)
    return p.training_on, p.standard


@dataclass(frozen=True, slots=True)
class AutoDeletePoint:
    """An auto-delete choice (P12) that took effect at `at`: keep history for `months`
    calendar months after its last activity, or (None) until the user deletes it."""

    at: datetime
    months: int | None


def add_months(when: datetime, months: int) -> datetime:
    """`when` plus `months` calendar months, the day clamped to the month's last (P12)."""
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    return when.replace(year=year, month=month, day=min(when.day, monthrange(year, month)[1]))


def auto_delete_in_force(points: Sequence[AutoDeletePoint], at: datetime) -> int | None:
    """The auto-delete months of the latest choice at or before `at` (None: none)."""
    months: int | None = None
    for point in points:
        if point.at <= at:
            months = point.months
    return months


def retain_until(
    *,
    scope: Scope,
    incognito: bool,
    activities: Iterable[ActivityFact],
    choices: Sequence[ChoicePoint],
    policy: Policy,
    at: datetime | None = None,
    auto_delete: Sequence[AutoDeletePoint] = (),
    region: str | None = None,
) -> datetime | None:
    """R12: the latest over activities (at or before `at`) of activity time + its period.

    With ``retention.on_opt_out = shorten`` (R18) a covered activity followed by an
    opt-out (before `at`) counts as uncovered. None when there is no activity.

    Every activity earns one of two periods, so this is the later of the last covered
    activity + the covered period and the last uncovered one + the uncovered period.
    With auto-delete choices (P12, P13) see :func:`_retain_until_auto_deleted`; P21:
    the periods are those of the rule set of the account's `region`.
    """
    if auto_delete:
        return _retain_until_auto_deleted(
            scope, incognito, list(activities), choices, policy, at, auto_delete, region
        )
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
    covered_period, uncovered_period = _periods(scope, incognito, policy, region)
    if last_covered is None:
        return None if last_uncovered is None else last_uncovered + uncovered_period
    until = last_covered + covered_period
    if last_uncovered is None:
        return until
    return max(until, last_uncovered + uncovered_period)


def _retain_until_auto_deleted(
    scope: Scope,
    incognito: bool,
    activities: list[ActivityFact],
    choices: Sequence[ChoicePoint],
    policy: Policy,
    at: datetime | None,
    points: Sequence[AutoDeletePoint],
    region: str | None,
) -> datetime | None:
    """P13: R12 (with R18) where auto-delete can only shorten. An activity at t earns the
    earlier of its R12 period's end and t + the auto-delete months in force at t; each
    auto-delete choice made at c (at or before `at`) then caps what the activities at or
    before c earned at the session's last activity before c + its months. This is the
    order the store applies them in: one cap per choice, one period per activity."""
    seen = sorted(a.at for a in activities if at is None or a.at <= at)
    if not seen:
        return None
    caps = [
        (p.at, add_months(max(t for t in seen if t <= p.at), p.months))
        for p in points
        if p.months is not None and (at is None or p.at <= at) and seen[0] <= p.at
    ]
    latest: datetime | None = None
    for activity in activities:
        t = activity.at
        if at is not None and t > at:
            continue
        end = retain_until(
            scope=scope,
            incognito=incognito,
            activities=[activity],
            choices=choices,
            policy=policy,
            at=at,
            region=region,
        )
        assert end is not None
        months = auto_delete_in_force(points, t)
        if months is not None:
            end = min(end, add_months(t, months))
        for chosen_at, cap in caps:
            if t <= chosen_at:
                end = min(end, cap)
        latest = end if latest is None or end > latest else latest
    return latest


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
