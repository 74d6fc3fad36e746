"""R1–R8 as pure decisions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from consentry.domain.errors import DeadlinePassed, InvalidState
from consentry.domain.notice import (
    PrivacyState,
    check_deferral,
    current_terms,
    gate,
    pending_notice,
)
from consentry.domain.policy import DEFAULT_POLICY, TermsVersion
from consentry.domain.scope import account_scope, session_scope
from consentry.domain.types import Plan, Scope, Surface, Training

P = DEFAULT_POLICY
BEFORE = datetime(2025, 9, 1, tzinfo=UTC)
DEADLINE = datetime(2025, 10, 8, tzinfo=UTC)


@pytest.mark.parametrize("plan", [Plan.FREE, Plan.PRO, Plan.MAX])
@pytest.mark.parametrize("surface", [Surface.WEB, Surface.DESKTOP, Surface.MOBILE, Surface.CODE])
def test_consumer_plan_on_consumer_surface_is_consumer_R1(plan: Plan, surface: Surface) -> None:
    assert session_scope(plan, surface, P) is Scope.CONSUMER


@pytest.mark.parametrize("surface", [Surface.API, Surface.BEDROCK, Surface.VERTEX])
def test_api_bedrock_vertex_are_always_commercial_R1(surface: Surface) -> None:
    assert session_scope(Plan.PRO, surface, P) is Scope.COMMERCIAL


@pytest.mark.parametrize("plan", [Plan.TEAM, Plan.ENTERPRISE, Plan.EDUCATION, Plan.GOV, Plan.API])
def test_commercial_plans_are_commercial_everywhere_R2(plan: Plan) -> None:
    assert account_scope(plan, P) is Scope.COMMERCIAL
    assert session_scope(plan, Surface.WEB, P) is Scope.COMMERCIAL


def unset() -> PrivacyState:
    return PrivacyState(Scope.CONSUMER, Training.UNSET, None)


def test_unset_choice_has_pending_notice_preset_on_R5() -> None:
    notice = pending_notice(unset(), P, BEFORE)
    assert notice is not None
    assert notice.terms_version == "2025-08-28"
    assert notice.default_training is Training.ON
    assert notice.can_defer


def test_notice_default_follows_policy_R5() -> None:
    notice = pending_notice(unset(), replace(P, notice_default_training=False), BEFORE)
    assert notice is not None and notice.default_training is Training.OFF


V2 = TermsVersion("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
AFTER_V2 = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize("choice", [Training.ON, Training.OFF])
@pytest.mark.parametrize("default", [True, False])
def test_new_terms_notice_is_preset_to_the_accounts_current_choice_R5(
    choice: Training, default: bool
) -> None:
    """R5: a new terms version never flips an earlier answer, whatever the policy default."""
    policy = replace(P, terms=(*P.terms, V2), notice_default_training=default)
    state = PrivacyState(Scope.CONSUMER, choice, "2025-08-28")
    notice = pending_notice(state, policy, AFTER_V2)
    assert notice is not None and notice.terms_version == "2026-03-01"
    assert notice.default_training is choice


def test_accepted_current_terms_has_no_notice_R5() -> None:
    state = PrivacyState(Scope.CONSUMER, Training.OFF, "2025-08-28")
    assert pending_notice(state, P, BEFORE) is None
    assert not gate(state, P, DEADLINE + timedelta(days=1)).blocked


def test_commercial_accounts_never_see_notice_or_block_R2() -> None:
    state = PrivacyState(Scope.COMMERCIAL, Training.NOT_APPLICABLE, None)
    assert pending_notice(state, P, DEADLINE) is None
    assert not gate(state, P, DEADLINE).blocked


def test_deferral_allowed_before_deadline_R6() -> None:
    assert check_deferral(unset(), P, DEADLINE - timedelta(microseconds=1)).can_defer


def test_deferral_refused_at_and_after_deadline_R6() -> None:
    with pytest.raises(DeadlinePassed):
        check_deferral(unset(), P, DEADLINE)


def test_deferral_without_pending_notice_is_refused_R6() -> None:
    with pytest.raises(InvalidState):
        check_deferral(PrivacyState(Scope.CONSUMER, Training.ON, "2025-08-28"), P, BEFORE)


def test_blocked_from_the_deadline_on_R7() -> None:
    assert not gate(unset(), P, DEADLINE - timedelta(seconds=1)).blocked
    decision = gate(unset(), P, DEADLINE)
    assert decision.blocked and "2025-10-08" in decision.reason


def test_new_terms_version_reopens_notice_for_older_acceptances_R6() -> None:
    v2 = TermsVersion(
        "2026-03-01", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)
    )
    policy = replace(P, terms=(*P.terms, v2))
    state = PrivacyState(Scope.CONSUMER, Training.ON, "2025-08-28")
    assert pending_notice(state, policy, datetime(2026, 2, 1, tzinfo=UTC)) is None
    notice = pending_notice(state, policy, datetime(2026, 3, 2, tzinfo=UTC))
    assert notice is not None and notice.terms_version == "2026-03-01"
    assert gate(state, policy, datetime(2026, 4, 1, tzinfo=UTC)).blocked
    assert current_terms(policy, datetime(2026, 3, 2, tzinfo=UTC)) is v2
