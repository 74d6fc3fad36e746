"""Eligibility for a training run (R19–R23) and its explanation (R26).

These functions are the reference the audit uses: a run's manifest is computed by
set-based SQL in the storage adapter, and the audit re-proves it with these.

Each rule set has two entry points that decide alike (a property test holds them to it):

- :func:`decide_eligibility` / :func:`decide_feedback_eligibility` decide first: the
  verdict, the codes of the rules that fail and ``include_from``, and no text. The audit
  calls them for every item.
- :func:`check_eligibility` / :func:`check_feedback_eligibility` explain: every rule with
  pass or fail and its detail (R26), for ``explain`` and for the items an audit reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from consentry.domain.clock import iso
from consentry.domain.coverage import choice_at, first_covered_at
from consentry.domain.errors import PurposeNotPermitted
from consentry.domain.policy import FeedbackTrainable, Policy, ResumeScope
from consentry.domain.retention import AutoDeletePoint, retain_until
from consentry.domain.types import (
    ActivityFact,
    ChoicePoint,
    HoldFact,
    HoldKind,
    Purpose,
    Scope,
    Training,
)


@dataclass(frozen=True, slots=True)
class Check:
    rule: str
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: bool
    checks: tuple[Check, ...]
    include_from: datetime | None = None
    """With ``from_first_covered_activity``: messages before this are left out (R10)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict without its explanation: which rules fail, by code, in check order."""

    failed: tuple[str, ...] = ()
    include_from: datetime | None = None
    """As :attr:`Eligibility.include_from`."""

    @property
    def eligible(self) -> bool:
        return not self.failed


ELIGIBLE = Decision()


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """Everything stored about one session that eligibility depends on."""

    session_id: str
    account_id: str
    scope: Scope
    incognito: bool
    activities: tuple[ActivityFact, ...]
    choices: tuple[ChoicePoint, ...]
    account_deleted_at: datetime | None = None
    deleted_at: datetime | None = None
    purged_at: datetime | None = None
    holds: tuple[HoldFact, ...] = field(default=())
    auto_delete: tuple[AutoDeletePoint, ...] = field(default=())
    """The account's auto-delete choices (P12), oldest first."""
    region: str | None = None
    """The account's region (P16); its rule set may shorten retention (P21)."""


@dataclass(frozen=True, slots=True)
class FeedbackFacts:
    feedback_id: str
    account_id: str
    scope: Scope
    incognito: bool
    submitted_at: datetime
    choice_at_submission: Training
    choices: tuple[ChoicePoint, ...]
    account_deleted_at: datetime | None = None
    deleted_at: datetime | None = None
    purged_at: datetime | None = None


def parse_purpose(value: str, policy: Policy) -> Purpose:
    """R19: only the policy's permitted purposes; user data is never sold or handed on."""
    try:
        purpose = Purpose(value)
    except ValueError:
        purpose = None
    if purpose is None or purpose not in policy.permitted_purposes:
        allowed = ", ".join(sorted(p.value for p in policy.permitted_purposes))
        raise PurposeNotPermitted(f"purpose {value!r} is not permitted; allowed: {allowed}")
    return purpose


def _gone(rule: str, what: str, when: datetime | None, at: datetime) -> Check:
    if when is not None and when <= at:
        return Check(rule, False, f"{what} deleted at {iso(when)}")
    return Check(rule, True, f"{what} not deleted")


def _gone_by(when: datetime | None, at: datetime) -> bool:
    return when is not None and when <= at


def _safety_flagged(holds: tuple[HoldFact, ...], at: datetime) -> bool:
    return any(h.kind is HoldKind.SAFETY and h.active_at(at) for h in holds)


def decide_eligibility(
    facts: SessionFacts, *, purpose: Purpose, at: datetime, policy: Policy
) -> Decision:
    """R20/R22 decided as :func:`check_eligibility` decides, without explaining why."""
    failed: list[str] = []
    if purpose not in policy.permitted_purposes:
        failed.append("R19")
    if facts.scope is not Scope.CONSUMER:
        failed.append("R1")
    if facts.incognito:
        failed.append("R11")
    if _gone_by(facts.account_deleted_at, at):
        failed.append("R15")
    if _gone_by(facts.deleted_at, at):
        failed.append("R14")
    if _gone_by(facts.purged_at, at):
        failed.append("R17")
    via_flag = (
        purpose is Purpose.SAFETY_CLASSIFIERS
        and policy.safety_train_on_flagged
        and bool(facts.holds)
        and _safety_flagged(facts.holds, at)
    )
    first: datetime | None = None
    if not via_flag:
        if choice_at(facts.choices, at) is not Training.ON:
            failed.append("R20")
        first = first_covered_at(facts.activities, at)
        if first is None:
            failed.append("R10")
    until = retain_until(
        scope=facts.scope,
        incognito=facts.incognito,
        activities=facts.activities,
        choices=facts.choices,
        policy=policy,
        at=at,
        auto_delete=facts.auto_delete,
        region=facts.region,
    )
    if until is None or until <= at:
        failed.append("R12")
    if failed:
        return Decision(tuple(failed))
    if first is not None and policy.resume_scope is ResumeScope.FROM_FIRST_COVERED_ACTIVITY:
        return Decision((), first)
    return ELIGIBLE


def decide_feedback_eligibility(
    facts: FeedbackFacts, *, purpose: Purpose, at: datetime, policy: Policy
) -> Decision:
    """R23 decided as :func:`check_feedback_eligibility` decides, without explaining why."""
    failed: list[str] = []
    if purpose not in policy.permitted_purposes:
        failed.append("R19")
    if facts.scope is not Scope.CONSUMER:
        failed.append("R1")
    if facts.incognito:
        failed.append("R11")
    if facts.submitted_at > at:
        failed.append("R23")
    if _gone_by(facts.account_deleted_at, at):
        failed.append("R15")
    if _gone_by(facts.deleted_at, at):
        failed.append("R14")
    if facts.submitted_at + policy.retention.periods.feedback <= at:
        failed.append("R13")
    if _gone_by(facts.purged_at, at):
        failed.append("R17")
    if policy.feedback_trainable is FeedbackTrainable.FOLLOWS_SETTING and (
        facts.choice_at_submission is not Training.ON
        or choice_at(facts.choices, at) is not Training.ON
    ):
        failed.append("R23")
    return Decision(tuple(failed)) if failed else ELIGIBLE


def check_eligibility(
    facts: SessionFacts, *, purpose: Purpose, at: datetime, policy: Policy
) -> Eligibility:
    """R20/R22: is the session eligible for a run of `purpose` with cutoff `at`?"""
    checks = [
        Check("R19", purpose in policy.permitted_purposes, f"purpose {purpose}"),
        Check("R1", facts.scope is Scope.CONSUMER, f"scope {facts.scope}"),
        Check("R11", not facts.incognito, "incognito" if facts.incognito else "not incognito"),
        _gone("R15", "account", facts.account_deleted_at, at),
        _gone("R14", "session", facts.deleted_at, at),
    ]
    if facts.purged_at is not None and facts.purged_at <= at:
        checks.append(Check("R17", False, f"content purged at {iso(facts.purged_at)}"))
    flagged = _safety_flagged(facts.holds, at)
    via_flag = purpose is Purpose.SAFETY_CLASSIFIERS and policy.safety_train_on_flagged and flagged
    choice = choice_at(facts.choices, at)
    first = first_covered_at(facts.activities, at)
    if via_flag:
        checks.append(Check("R22", True, "safety-flagged; eligible regardless of choice"))
    else:
        checks.append(Check("R20", choice is Training.ON, f"choice at {iso(at)} is {choice}"))
        checks.append(
            Check(
                "R10",
                first is not None,
                f"first covered activity at {iso(first)}"
                if first
                else "no covered activity at or before the cutoff",
            )
        )
    until = retain_until(
        scope=facts.scope,
        incognito=facts.incognito,
        activities=facts.activities,
        choices=facts.choices,
        policy=policy,
        at=at,
        auto_delete=facts.auto_delete,
        region=facts.region,
    )
    checks.append(
        Check(
            "R12",
            until is not None and until > at,
            f"retained until {iso(until)}" if until else "no activity at or before the cutoff",
        )
    )
    eligible = all(c.passed for c in checks)
    include_from = None
    if eligible and not via_flag and policy.resume_scope is ResumeScope.FROM_FIRST_COVERED_ACTIVITY:
        include_from = first
    return Eligibility(eligible, tuple(checks), include_from)


def check_feedback_eligibility(
    facts: FeedbackFacts, *, purpose: Purpose, at: datetime, policy: Policy
) -> Eligibility:
    """R23: feedback follows the choice at submission and at the cutoff (or `always`)."""
    until = facts.submitted_at + policy.retention.periods.feedback
    checks = [
        Check("R19", purpose in policy.permitted_purposes, f"purpose {purpose}"),
        Check("R1", facts.scope is Scope.CONSUMER, f"scope {facts.scope}"),
        Check("R11", not facts.incognito, "incognito" if facts.incognito else "not incognito"),
        Check("R23", facts.submitted_at <= at, f"submitted at {iso(facts.submitted_at)}"),
        _gone("R15", "account", facts.account_deleted_at, at),
        _gone("R14", "feedback", facts.deleted_at, at),
        Check("R13", until > at, f"retained until {iso(until)}"),
    ]
    if facts.purged_at is not None and facts.purged_at <= at:
        checks.append(Check("R17", False, f"purged at {iso(facts.purged_at)}"))
    if policy.feedback_trainable is FeedbackTrainable.FOLLOWS_SETTING:
        now_choice = choice_at(facts.choices, at)
        checks.append(
            Check(
                "R23",
                facts.choice_at_submission is Training.ON and now_choice is Training.ON,
                f"choice at submission {facts.choice_at_submission}; at {iso(at)}: {now_choice}",
            )
        )
    return Eligibility(all(c.passed for c in checks), tuple(checks))
