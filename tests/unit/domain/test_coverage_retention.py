"""R9–R18 as pure decisions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from consentry.domain.coverage import choice_at, first_covered_at, is_covered
from consentry.domain.policy import DEFAULT_POLICY, OnOptOut, RetentionPolicy
from consentry.domain.retention import purge_due, retain_until
from consentry.domain.types import ActivityFact, ChoicePoint, HoldFact, HoldKind, Scope, Training

P = DEFAULT_POLICY
T0 = datetime(2025, 9, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def test_activity_covered_only_when_consumer_not_incognito_and_on_R9() -> None:
    assert is_covered(scope=Scope.CONSUMER, incognito=False, training=Training.ON).covered
    assert not is_covered(scope=Scope.COMMERCIAL, incognito=False, training=Training.ON).covered
    assert not is_covered(scope=Scope.CONSUMER, incognito=True, training=Training.ON).covered
    for value in (Training.OFF, Training.UNSET):
        assert not is_covered(scope=Scope.CONSUMER, incognito=False, training=value).covered


def test_session_covered_iff_some_activity_covered_R10() -> None:
    acts = [ActivityFact(T0, False), ActivityFact(T0 + DAY, True)]
    assert first_covered_at(acts, T0) is None
    assert first_covered_at(acts, T0 + DAY) == T0 + DAY


def test_choice_at_takes_latest_choice_at_or_before_instant_R8() -> None:
    choices = [ChoicePoint(T0, Training.ON), ChoicePoint(T0 + DAY, Training.OFF)]
    assert choice_at(choices, T0 - DAY) is Training.UNSET
    assert choice_at(choices, T0) is Training.ON
    assert choice_at(choices, T0 + DAY) is Training.OFF


def _until(acts: list[ActivityFact], **kw: object) -> datetime | None:
    args: dict[str, object] = {"scope": Scope.CONSUMER, "incognito": False, "choices": []}
    args.update(kw)
    return retain_until(activities=acts, policy=P, **args)  # type: ignore[arg-type]


def test_covered_activity_keeps_five_years_uncovered_thirty_days_R12() -> None:
    assert _until([ActivityFact(T0, True)]) == T0 + timedelta(days=1825)
    assert _until([ActivityFact(T0, False)]) == T0 + timedelta(days=30)


def test_retain_until_is_latest_over_activities_R12() -> None:
    acts = [ActivityFact(T0, True), ActivityFact(T0 + 100 * DAY, False)]
    assert _until(acts) == T0 + timedelta(days=1825)


def test_incognito_and_commercial_keep_their_own_periods_R11_R2() -> None:
    policy = replace(P, retention=RetentionPolicy(incognito=7, commercial=14))
    acts = [ActivityFact(T0, True)]
    common = {"activities": acts, "choices": [], "policy": policy}
    assert retain_until(scope=Scope.CONSUMER, incognito=True, **common) == T0 + 7 * DAY  # type: ignore[arg-type]
    assert retain_until(scope=Scope.COMMERCIAL, incognito=False, **common) == T0 + 14 * DAY  # type: ignore[arg-type]


def test_opt_out_keeps_retention_by_default_and_shortens_when_configured_R18() -> None:
    acts = [ActivityFact(T0, True)]
    off = [ChoicePoint(T0 + DAY, Training.OFF)]
    assert _until(acts, choices=off) == T0 + timedelta(days=1825)
    shorten = replace(P, retention=replace(P.retention, on_opt_out=OnOptOut.SHORTEN))
    got = retain_until(
        scope=Scope.CONSUMER, incognito=False, activities=acts, choices=off, policy=shorten
    )
    assert got == T0 + timedelta(days=30)


def test_deletion_brings_purge_forward_by_grace_R14() -> None:
    decision = purge_due(retain_until=T0 + 1825 * DAY, deleted_at=T0, holds=[], policy=P, at=T0)
    assert decision.due_at == T0 + 30 * DAY and decision.reason == "deleted"


def test_legal_hold_stops_purge_until_released_R16() -> None:
    hold = HoldFact(HoldKind.LEGAL, T0)
    assert purge_due(retain_until=T0, deleted_at=T0, holds=[hold], policy=P, at=T0).due_at is None
    released = HoldFact(HoldKind.LEGAL, T0, T0 + DAY)
    at = T0 + 2 * DAY
    assert (
        purge_due(retain_until=T0, deleted_at=None, holds=[released], policy=P, at=at).due_at == T0
    )


def test_safety_hold_keeps_content_730_days_even_after_deletion_R16() -> None:
    hold = HoldFact(HoldKind.SAFETY, T0)
    decision = purge_due(retain_until=T0 + DAY, deleted_at=T0, holds=[hold], policy=P, at=T0)
    assert decision.due_at == T0 + 730 * DAY


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=5000), st.booleans()), min_size=1, max_size=20
    )
)
def test_retain_until_never_earlier_than_any_activity_period_R12(
    raw: list[tuple[int, bool]],
) -> None:
    acts = [ActivityFact(T0 + timedelta(days=d), c) for d, c in raw]
    until = _until(acts)
    assert until is not None
    for a in acts:
        assert until >= a.at + timedelta(days=1825 if a.covered else 30)
