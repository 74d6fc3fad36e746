"""Eligibility has four forms, held equal here (issue 20): the domain function
(`domain/eligibility.py`), the run builder's SQL (`adapters/sql/eligible_sql.py`) and the
stored retention and purge instants (`adapters/sql/store.py`, `purge_at_expr`) on SQLite
and PostgreSQL; `tests/spark/test_eligibility_forms_spark.py` adds the Spark rules.

Random consent histories (tests/histories.py) are played through the service layer;
at the cutoff each form must say the same. Derandomized in CI (the `ci` profile).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from consentry.bootstrap import App
from consentry.domain.clock import TestClock
from consentry.domain.types import Purpose
from tests.histories import (
    History,
    domain_verdicts,
    histories,
    play,
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
