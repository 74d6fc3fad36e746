"""Choice, terms and notice (R3–R8): when the notice is pending, when "Not now" is
allowed, and when an account is blocked until it chooses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consentry.domain.clock import iso
from consentry.domain.errors import DeadlinePassed, InvalidState
from consentry.domain.policy import Policy, TermsVersion
from consentry.domain.types import Scope, Training


@dataclass(frozen=True, slots=True)
class PrivacyState:
    """What the gate needs to know about an account."""

    scope: Scope
    training: Training
    terms_accepted: str | None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    """A pending notice; `default_training` is the toggle's preset (:func:`notice_preset`)."""

    terms_version: str
    deadline: datetime
    can_defer: bool
    default_training: Training


@dataclass(frozen=True, slots=True)
class GateDecision:
    blocked: bool
    reason: str


def current_terms(policy: Policy, now: datetime) -> TermsVersion:
    """The terms version in force: the latest published at or before `now` (R6).

    Before the first publication the earliest version is the one being announced.
    """
    published = [t for t in policy.terms if t.published_at <= now]
    if published:
        return max(published, key=lambda t: t.published_at)
    return min(policy.terms, key=lambda t: t.published_at)


def pending_notice(state: PrivacyState, policy: Policy, now: datetime) -> Notice | None:
    """R5: a consumer account has a pending notice while its choice is unset or it has
    not accepted the current terms version (R6: a new version re-opens the notice)."""
    if state.scope is Scope.COMMERCIAL or state.deleted:
        return None
    terms = current_terms(policy, now)
    if state.training is not Training.UNSET and state.terms_accepted == terms.version:
        return None
    return Notice(
        terms_version=terms.version,
        deadline=terms.deadline,
        can_defer=now < terms.deadline,
        default_training=notice_preset(state.training, policy),
    )


def notice_preset(training: Training, policy: Policy) -> Training:
    """R5: the notice's toggle shows the account's current choice when it has one, so a
    new terms version never flips an earlier answer; `notice.default_training` applies
    only while the choice is unset."""
    if training in (Training.ON, Training.OFF):
        return training
    return Training.ON if policy.notice_default_training else Training.OFF


def gate(state: PrivacyState, policy: Policy, now: datetime) -> GateDecision:
    """R7: from the deadline on, a pending notice blocks new activity until the user chooses."""
    notice = pending_notice(state, policy, now)
    if notice is None:
        return GateDecision(False, "no pending notice")
    if now < notice.deadline:
        return GateDecision(
            False, f"notice pending; 'Not now' allowed until {iso(notice.deadline)}"
        )
    return GateDecision(
        True,
        f"the terms version {notice.terms_version} needed a choice by {iso(notice.deadline)}",
    )


def is_blocked(state: PrivacyState, policy: Policy, now: datetime) -> bool:
    return gate(state, policy, now).blocked


def check_deferral(state: PrivacyState, policy: Policy, now: datetime) -> Notice:
    """R6: "Not now" is recorded only before the deadline, and only while a notice is pending."""
    notice = pending_notice(state, policy, now)
    if notice is None:
        raise InvalidState("there is no pending notice to defer")
    if not notice.can_defer:
        raise DeadlinePassed(
            f"the deadline {iso(notice.deadline)} has passed; please choose to continue"
        )
    return notice
