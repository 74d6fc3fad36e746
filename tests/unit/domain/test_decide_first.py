"""Decide first, explain on demand (R19–R23, R26): the fast decision and the explanation agree.

The audit decides every item with ``decide_*`` and explains only the items it reports, so
on any input the fast path must reach the explained verdict, fail the same rules and give
the same ``include_from``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.domain.eligibility import (
    Decision,
    Eligibility,
    FeedbackFacts,
    SessionFacts,
    check_eligibility,
    check_feedback_eligibility,
    decide_eligibility,
    decide_feedback_eligibility,
)
from consentry.domain.policy import (
    DEFAULT_POLICY,
    FeedbackTrainable,
    OnOptOut,
    Policy,
    ResumeScope,
    RetentionPolicy,
)
from consentry.domain.retention import retain_until
from consentry.domain.types import (
    ActivityFact,
    ChoicePoint,
    HoldFact,
    HoldKind,
    Purpose,
    Scope,
    Training,
)

T0 = datetime(2025, 9, 1, tzinfo=UTC)

# Instants on a coarse grid of days, so that equal instants and the edges of short
# retention periods (`<` against `<=`) come up often.
instants = st.integers(min_value=0, max_value=45).map(lambda d: T0 + timedelta(days=d))
periods = st.integers(min_value=1, max_value=60)


def mostly(usual: object, other: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """`usual` three times in four, so that a good share of the items are eligible."""
    return st.one_of(st.just(usual), st.just(usual), st.just(usual), other)


maybe_instant = mostly(None, instants)
scopes = mostly(Scope.CONSUMER, st.just(Scope.COMMERCIAL))
incognitos = mostly(False, st.just(True))

policies = st.builds(
    lambda retention, resume, flagged, trainable, purposes: replace(
        DEFAULT_POLICY,
        retention=retention,
        resume_scope=resume,
        safety_train_on_flagged=flagged,
        feedback_trainable=trainable,
        permitted_purposes=purposes,
    ),
    st.builds(
        RetentionPolicy,
        training_on=periods,
        standard=periods,
        commercial=periods,
        incognito=periods,
        feedback=periods,
        on_opt_out=st.sampled_from(list(OnOptOut)),
    ),
    st.sampled_from(list(ResumeScope)),
    st.booleans(),
    st.sampled_from(list(FeedbackTrainable)),
    mostly(frozenset(Purpose), st.frozensets(st.sampled_from(list(Purpose)))),
)
# History mostly before the cutoff (which is drawn from `instants`), some of it after.
earlier = st.integers(min_value=0, max_value=25).map(lambda d: T0 + timedelta(days=d))
choices = st.lists(
    st.builds(ChoicePoint, earlier, mostly(Training.ON, st.just(Training.OFF))), max_size=3
).map(tuple)
activities = st.lists(
    st.builds(ActivityFact, earlier, mostly(True, st.just(False))), max_size=6
).map(tuple)
holds = st.lists(
    st.builds(HoldFact, st.sampled_from(list(HoldKind)), earlier, maybe_instant), max_size=2
).map(tuple)

sessions = st.builds(
    SessionFacts,
    session_id=st.just("s"),
    account_id=st.just("a"),
    scope=scopes,
    incognito=incognitos,
    activities=activities,
    choices=choices,
    account_deleted_at=maybe_instant,
    deleted_at=maybe_instant,
    purged_at=maybe_instant,
    holds=holds,
)
feedbacks = st.builds(
    FeedbackFacts,
    feedback_id=st.just("f"),
    account_id=st.just("a"),
    scope=scopes,
    incognito=incognitos,
    submitted_at=instants,
    choice_at_submission=st.sampled_from(list(Training)),
    choices=choices,
    account_deleted_at=maybe_instant,
    deleted_at=maybe_instant,
    purged_at=maybe_instant,
)


def assert_same_verdict(decision: Decision, explained: Eligibility) -> None:
    assert decision.eligible is explained.eligible
    assert decision.failed == tuple(c.rule for c in explained.checks if not c.passed)
    assert decision.include_from == explained.include_from


def cutoff(data: st.DataObject, edges: set[datetime]) -> datetime:
    """Any instant, or one where a rule turns: an event, or an activity + a period."""
    at: datetime = data.draw(st.one_of(instants, st.sampled_from(sorted(edges | {T0}))))
    return at


def session_edges(facts: SessionFacts, policy: Policy) -> set[datetime]:
    p = policy.retention.periods
    spans = (p.training_on, p.standard, p.commercial, p.incognito)
    edges = {a.at + span for a in facts.activities for span in spans}
    edges |= {a.at for a in facts.activities} | {c.at for c in facts.choices}
    edges |= {h.placed_at for h in facts.holds} | {
        h.released_at for h in facts.holds if h.released_at
    }
    gone = (facts.account_deleted_at, facts.deleted_at, facts.purged_at)
    return edges | {t for t in gone if t is not None}


@settings(max_examples=300)
@given(facts=sessions, purpose=st.sampled_from(list(Purpose)), policy=policies, data=st.data())
def test_fast_session_decision_equals_the_explained_one_R19_R20_R22_R26(
    facts: SessionFacts, purpose: Purpose, policy: Policy, data: st.DataObject
) -> None:
    """For both purposes, with or without safety flags, deletions and purges."""
    at = cutoff(data, session_edges(facts, policy))
    assert_same_verdict(
        decide_eligibility(facts, purpose=purpose, at=at, policy=policy),
        check_eligibility(facts, purpose=purpose, at=at, policy=policy),
    )


@settings(max_examples=300)
@given(facts=feedbacks, purpose=st.sampled_from(list(Purpose)), policy=policies, data=st.data())
def test_fast_feedback_decision_equals_the_explained_one_R19_R23_R26(
    facts: FeedbackFacts, purpose: Purpose, policy: Policy, data: st.DataObject
) -> None:
    edges = {facts.submitted_at, facts.submitted_at + policy.retention.periods.feedback}
    edges |= {c.at for c in facts.choices}
    gone = (facts.account_deleted_at, facts.deleted_at, facts.purged_at)
    at = cutoff(data, edges | {t for t in gone if t is not None})
    assert_same_verdict(
        decide_feedback_eligibility(facts, purpose=purpose, at=at, policy=policy),
        check_feedback_eligibility(facts, purpose=purpose, at=at, policy=policy),
    )


# A grid of a few days, so that an opt-out at the very instant of an activity is common.
few_days = st.integers(min_value=0, max_value=4).map(lambda d: T0 + timedelta(days=d))


@settings(max_examples=300)
@given(
    scope=st.sampled_from(list(Scope)),
    incognito=st.booleans(),
    acts=st.lists(st.builds(ActivityFact, few_days, st.booleans()), max_size=6).map(tuple),
    points=st.lists(
        st.builds(ChoicePoint, few_days, st.sampled_from([Training.ON, Training.OFF])), max_size=3
    ).map(tuple),
    policy=policies,
    at=st.none() | few_days,
)
def test_retain_until_is_the_latest_activity_plus_its_period_R12_R18(
    scope: Scope,
    incognito: bool,
    acts: tuple[ActivityFact, ...],
    points: tuple[ChoicePoint, ...],
    policy: Policy,
    at: datetime | None,
) -> None:
    """R12 as written, one activity at a time, against the two-maxima form the code uses."""
    r = policy.retention
    offs = [c.at for c in points if c.value is Training.OFF and (at is None or c.at <= at)]
    shorten = r.on_opt_out is OnOptOut.SHORTEN
    expected: datetime | None = None
    for a in acts:
        if at is not None and a.at > at:
            continue
        covered = a.covered and not (shorten and any(o > a.at for o in offs))
        if scope is Scope.COMMERCIAL:
            days = r.commercial
        elif incognito:
            days = r.incognito
        else:
            days = r.training_on if covered else r.standard
        until = a.at + timedelta(days=days)
        expected = until if expected is None else max(expected, until)
    actual = retain_until(
        scope=scope, incognito=incognito, activities=acts, choices=points, policy=policy, at=at
    )
    assert actual == expected


def test_cached_periods_follow_the_policy_and_stay_out_of_its_digest_R25() -> None:
    shorter = RetentionPolicy(incognito=7)
    assert shorter.periods.incognito == timedelta(days=7) == shorter.days("incognito")
    assert replace(shorter, incognito=9).periods.incognito == timedelta(days=9)
    assert "periods" not in DEFAULT_POLICY.to_dict()["retention"]  # type: ignore[operator]
    assert replace(DEFAULT_POLICY, retention=RetentionPolicy()).digest == DEFAULT_POLICY.digest
