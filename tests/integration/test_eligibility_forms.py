"""Eligibility has four forms, held equal here (issue 20): the domain function
(`domain/eligibility.py`), the run builder's SQL (`adapters/sql/eligible_sql.py`) and the
stored retention and purge instants (`adapters/sql/store.py`, `purge_at_expr`) on SQLite
and PostgreSQL; `tests/spark/test_eligibility_forms_spark.py` adds the Spark rules.

Random consent histories (tests/histories.py) are played through the service layer;
at the cutoff each form must say the same. Derandomized in CI (the `ci` profile).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App
from consentry.domain.clock import TestClock
from consentry.domain.policy import OnOptOut, ResumeScope
from consentry.domain.types import Purpose
from consentry.service import accounts, sessions
from tests.histories import (
    History,
    domain_verdicts,
    histories,
    histories_regional,
    histories_with_auto_delete,
    play,
    short_policy,
    sql_verdicts,
    stored_and_derived_purge,
)

SHARED_DATABASE = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=60, deadline=None, suppress_health_check=SHARED_DATABASE)
@given(history=histories)
def test_sql_forms_of_eligibility_equal_the_domain_over_random_histories_R12_R20_R22(
    app: App, clock: TestClock, history: History
) -> None:
    """R20/R22 (with R1, R10-R12, R14-R18): the set-based SELECT that fills a run's
    manifest picks exactly the sessions `decide_eligibility` passes, with the same
    `include_from`, for both purposes; and the `retain_until` and `purge_at` columns the
    write path keeps (`purge_at_expr`) equal `retain_until` and `purge_due` over the
    stored history. Each example adds its own accounts to the one database; the clock
    only moves forward."""
    played = play(app.ctx, clock, history)
    for purpose in Purpose:
        assert sql_verdicts(app.engine, played, purpose) == domain_verdicts(played, purpose)
    stored, derived = stored_and_derived_purge(app.engine, played)
    assert stored == derived


@settings(max_examples=40, deadline=None, suppress_health_check=SHARED_DATABASE)
@given(history=histories_with_auto_delete)
def test_forms_stay_equal_with_auto_delete_choices_P13_R12_R17_R20(
    app: App, clock: TestClock, history: History
) -> None:
    """P13 (with R12, R17, R18, R20): with users choosing auto-delete periods (1 or 2
    months, or until deleted) amid everything else, the stored `retain_until` and
    `purge_at` still equal the domain's over the stored history, and the run builder's
    SQL still picks exactly the sessions `decide_eligibility` passes."""
    played = play(app.ctx, clock, history)
    for purpose in Purpose:
        assert sql_verdicts(app.engine, played, purpose) == domain_verdicts(played, purpose)
    stored, derived = stored_and_derived_purge(app.engine, played)
    assert stored == derived


@settings(max_examples=40, deadline=None, suppress_health_check=SHARED_DATABASE)
@given(history=histories_regional)
def test_forms_stay_equal_with_regional_retention_periods_P21_R12_R17_R20(
    app: App, clock: TestClock, history: History
) -> None:
    """P21 (with R12, R17, R18, R20): under a policy whose rule set shortens retention for
    DE (6 and 2 days against 12 and 5), with accounts from DE, US and nowhere, the stored
    `retain_until` and `purge_at` equal the domain's for each account's region, and the
    run builder's SQL picks exactly the sessions `decide_eligibility` passes."""
    played = play(app.ctx, clock, history)
    for purpose in Purpose:
        assert sql_verdicts(app.engine, played, purpose) == domain_verdicts(played, purpose)
    stored, derived = stored_and_derived_purge(app.engine, played)
    assert stored == derived


def test_deleting_an_opted_in_account_shortens_retention_under_shorten_R15_R18(
    app: App, clock: TestClock
) -> None:
    """R15/R18: an account's deletion records a final `off`; with `on_opt_out = shorten`
    its covered sessions are then purged as if uncovered (activity + standard) when that
    comes before deletion + grace. Found by the property test above: the stored purge
    instant kept the covered period and waited for the grace to end."""
    policy = short_policy(ResumeScope.WHOLE_SESSION, OnOptOut.SHORTEN, 2, True)
    ctx = dataclasses.replace(app.ctx, policy=policy)
    account = accounts.sign_up(ctx, plan="free", training="on").account_id
    chat = sessions.start_session(ctx, account_id=account, kind="chat").session.id
    last = clock.now()
    clock.set(last + timedelta(days=4))
    accounts.delete_account(ctx, account_id=account)
    with app.engine.connect() as conn:
        purge_at = conn.execute(
            select(t.sessions.c.purge_at).where(t.sessions.c.id == chat)
        ).scalar_one()
    assert purge_at == last + timedelta(days=5)  # not deletion + 2 days (= last + 6)
