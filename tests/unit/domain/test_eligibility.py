"""R19–R23 and the explanation of R26, as pure decisions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentry.domain.eligibility import (
    FeedbackFacts,
    SessionFacts,
    check_eligibility,
    check_feedback_eligibility,
    parse_purpose,
)
from consentry.domain.errors import PurposeNotPermitted
from consentry.domain.policy import DEFAULT_POLICY, FeedbackTrainable, ResumeScope
from consentry.domain.types import (
    ActivityFact,
    ChoicePoint,
    HoldFact,
    HoldKind,
    Purpose,
    Scope,
    Training,
)

P = DEFAULT_POLICY
T0 = datetime(2025, 9, 1, tzinfo=UTC)
DAY = timedelta(days=1)
MT = Purpose.MODEL_TRAINING


def facts(**kw: object) -> SessionFacts:
    base: dict[str, object] = {
        "session_id": "s",
        "account_id": "a",
        "scope": Scope.CONSUMER,
        "incognito": False,
        "activities": (ActivityFact(T0, True),),
        "choices": (ChoicePoint(T0, Training.ON),),
    }
    base.update(kw)
    return SessionFacts(**base)  # type: ignore[arg-type]


def failed(result: object) -> set[str]:
    return {c.rule for c in result.checks if not c.passed}  # type: ignore[attr-defined]


def test_eligible_session_passes_every_rule_R20() -> None:
    result = check_eligibility(facts(), purpose=MT, at=T0 + DAY, policy=P)
    assert result.eligible and failed(result) == set()
    assert {c.rule for c in result.checks} >= {
        "R19",
        "R1",
        "R11",
        "R14",
        "R15",
        "R20",
        "R10",
        "R12",
    }


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"scope": Scope.COMMERCIAL}, "R1"),
        ({"incognito": True}, "R11"),
        ({"account_deleted_at": T0}, "R15"),
        ({"deleted_at": T0}, "R14"),
        ({"choices": (ChoicePoint(T0, Training.ON), ChoicePoint(T0, Training.OFF))}, "R20"),
        ({"activities": (ActivityFact(T0, False),)}, "R10"),
    ],
)
def test_each_rule_excludes_on_its_own_R20(change: dict[str, object], rule: str) -> None:
    result = check_eligibility(facts(**change), purpose=MT, at=T0 + DAY, policy=P)
    assert not result.eligible and rule in failed(result)


def test_expired_retention_is_ineligible_R20_R12() -> None:
    result = check_eligibility(facts(), purpose=MT, at=T0 + 1826 * DAY, policy=P)
    assert failed(result) == {"R12"}


def test_activity_after_cutoff_does_not_cover_R20() -> None:
    later = facts(activities=(ActivityFact(T0, False), ActivityFact(T0 + 2 * DAY, True)))
    assert not check_eligibility(later, purpose=MT, at=T0 + DAY, policy=P).eligible


def test_from_first_covered_activity_sets_include_from_R10() -> None:
    policy = replace(P, resume_scope=ResumeScope.FROM_FIRST_COVERED_ACTIVITY)
    f = facts(activities=(ActivityFact(T0, False), ActivityFact(T0 + DAY, True)))
    result = check_eligibility(f, purpose=MT, at=T0 + 2 * DAY, policy=policy)
    assert result.eligible and result.include_from == T0 + DAY
    assert check_eligibility(f, purpose=MT, at=T0 + 2 * DAY, policy=P).include_from is None


def test_unknown_purposes_are_refused_R19() -> None:
    with pytest.raises(PurposeNotPermitted):
        parse_purpose("advertising", P)
    only = replace(P, permitted_purposes=frozenset({MT}))
    with pytest.raises(PurposeNotPermitted):
        parse_purpose("safety_classifiers", only)
    assert parse_purpose("model_training", only) is MT


def test_safety_flag_makes_eligible_for_classifiers_regardless_of_choice_R22() -> None:
    flagged = facts(
        choices=(ChoicePoint(T0, Training.OFF),),
        activities=(ActivityFact(T0, False),),
        holds=(HoldFact(HoldKind.SAFETY, T0),),
    )
    at = T0 + DAY
    assert check_eligibility(flagged, purpose=Purpose.SAFETY_CLASSIFIERS, at=at, policy=P).eligible
    off = replace(P, safety_train_on_flagged=False)
    assert not check_eligibility(
        flagged, purpose=Purpose.SAFETY_CLASSIFIERS, at=at, policy=off
    ).eligible


def test_holds_never_make_data_eligible_for_model_training_R16() -> None:
    held = facts(
        choices=(ChoicePoint(T0, Training.OFF),),
        holds=(HoldFact(HoldKind.SAFETY, T0), HoldFact(HoldKind.LEGAL, T0)),
    )
    assert not check_eligibility(held, purpose=MT, at=T0 + DAY, policy=P).eligible


def fb(**kw: object) -> FeedbackFacts:
    base: dict[str, object] = {
        "feedback_id": "f",
        "account_id": "a",
        "scope": Scope.CONSUMER,
        "incognito": False,
        "submitted_at": T0,
        "choice_at_submission": Training.ON,
        "choices": (ChoicePoint(T0, Training.ON),),
    }
    base.update(kw)
    return FeedbackFacts(**base)  # type: ignore[arg-type]


def test_feedback_follows_choice_at_submission_and_cutoff_R23() -> None:
    at = T0 + DAY
    assert check_feedback_eligibility(fb(), purpose=MT, at=at, policy=P).eligible
    off_later = fb(choices=(ChoicePoint(T0, Training.ON), ChoicePoint(T0, Training.OFF)))
    assert not check_feedback_eligibility(off_later, purpose=MT, at=at, policy=P).eligible
    off_then = fb(choice_at_submission=Training.OFF)
    assert not check_feedback_eligibility(off_then, purpose=MT, at=at, policy=P).eligible
    always = replace(P, feedback_trainable=FeedbackTrainable.ALWAYS)
    assert check_feedback_eligibility(off_then, purpose=MT, at=at, policy=always).eligible


def test_feedback_expires_after_its_retention_R13() -> None:
    assert not check_feedback_eligibility(fb(), purpose=MT, at=T0 + 1826 * DAY, policy=P).eligible


@given(
    scope=st.sampled_from(list(Scope)),
    incognito=st.booleans(),
    value=st.sampled_from([Training.ON, Training.OFF]),
    covered=st.booleans(),
    deleted=st.booleans(),
)
def test_eligible_implies_every_condition_of_R20(
    scope: Scope, incognito: bool, value: Training, covered: bool, deleted: bool
) -> None:
    f = facts(
        scope=scope,
        incognito=incognito,
        choices=(ChoicePoint(T0, value),),
        activities=(ActivityFact(T0, covered),),
        deleted_at=T0 if deleted else None,
    )
    result = check_eligibility(f, purpose=MT, at=T0 + DAY, policy=P)
    expected = (
        scope is Scope.CONSUMER
        and not incognito
        and value is Training.ON
        and covered
        and not deleted
    )
    assert result.eligible is expected
