"""The fourth form of eligibility, the Spark rules (`spark/rules.py`), decides as the
domain does over the same random consent histories as
`tests/integration/test_eligibility_forms.py` (issue 20).

Each example is played through the service layer on one SQLite database, exported to
the lake incrementally, and `rules.eligible_sessions` over the lake must pick exactly the
sessions `decide_eligibility` passes, with the same `include_from`. Spark costs seconds
per example, so this draws fewer than the SQL test; derandomized in CI like every
property test. The same module holds the rules to the domain for auto-delete (P13) and for
retention periods by region (P21: `histories_regional`, a policy whose `short` rule set
shortens DE's periods; accounts from DE, US and no region): eligibility, ``retain_until``
and the sessions due.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.types import Purpose
from consentry.lake.export import LakeExporter
from tests.conftest import BEFORE_DEADLINE
from tests.histories import (
    History,
    Played,
    domain_verdicts,
    histories,
    histories_regional,
    histories_with_auto_delete,
    play,
    stored_and_derived_purge,
)

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


@dataclass
class Lakeside:
    app: App
    clock: TestClock
    lake: str


@pytest.fixture(scope="module")
def lakeside(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Lakeside]:
    root = tmp_path_factory.mktemp("eligibility_forms")
    shutil.copy(sqlite_template, root / "consentry.db")
    clock = TestClock(BEFORE_DEADLINE)
    app = build(
        Settings(database_url=f"sqlite:///{root / 'consentry.db'}"), migrate=False, clock=clock
    )
    yield Lakeside(app, clock, str(root / "lake"))
    app.engine.dispose()


def _seconds(value: datetime | None) -> float | None:
    """Spark hands back naive local timestamps; compare instants."""
    return None if value is None else value.timestamp()


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories)
def test_spark_rules_decide_as_the_domain_over_random_histories_R20_R22(
    spark: Any, lakeside: Lakeside, history: History
) -> None:
    """R20/R22 (with R1, R10-R12, R14-R17): Spark's eligible sessions equal the domain's."""
    from pyspark.sql import functions as F

    from consentry.spark import rules
    from consentry.spark.runs import load_lake

    played = play(lakeside.app.ctx, lakeside.clock, history)
    LakeExporter(lakeside.app.engine, lakeside.lake, buckets=2).export(now=played.cutoff)
    lake = load_lake(spark, lakeside.lake)
    for purpose in Purpose:
        rows = (
            rules.eligible_sessions(
                lake, purpose=purpose, at=played.cutoff, policy=played.ctx.policy
            )
            .where(F.col("account_id").isin(played.account_ids))
            .collect()
        )
        got = {r["session_id"]: _seconds(r["include_from"]) for r in rows}
        want = {s: _seconds(f) for s, f in domain_verdicts(played, purpose).items()}
        assert got == want


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories_with_auto_delete)
def test_spark_rules_apply_auto_delete_as_the_domain_P13_R12_R17_R20(
    spark: Any, lakeside: Lakeside, history: History
) -> None:
    """P13 (with R12, R17, R18, R20): with users choosing auto-delete periods (1 or 2
    months, or until deleted) amid everything else, Spark's eligible sessions, its
    ``retain_until`` and the sessions its sweep finds due equal the domain's
    (`decide_eligibility`, `retain_until`, `purge_due`) over the same stored history."""
    played = play(lakeside.app.ctx, lakeside.clock, history)
    _rules_decide_as_the_domain(spark, lakeside, played)


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories_regional)
def test_spark_rules_apply_regional_periods_as_the_domain_P21_R12_R17_R18_R20(
    spark: Any, lakeside: Lakeside, history: History
) -> None:
    """P21 (with R12, R17, R18, R20): Spark's eligible sessions, its ``retain_until`` and
    the sessions its sweep finds due equal the domain's for accounts of a shortened
    region (DE), of a region without a rule set of its own (US) and of none."""
    played = play(lakeside.app.ctx, lakeside.clock, history)
    assert played.ctx.policy.jurisdictions.regional_retention
    _rules_decide_as_the_domain(spark, lakeside, played)


def _rules_decide_as_the_domain(spark: Any, lakeside: Lakeside, played: Played) -> None:
    """Export `played` to the lake; Spark's eligible sessions per purpose, its
    ``retain_until`` and its sessions due equal the domain's over the stored history."""
    from pyspark.sql import functions as F

    from consentry.spark import rules
    from consentry.spark.runs import load_lake

    LakeExporter(lakeside.app.engine, lakeside.lake, buckets=2).export(now=played.cutoff)
    lake = load_lake(spark, lakeside.lake)
    policy = played.ctx.policy
    mine = F.col("account_id").isin(played.account_ids)
    for purpose in Purpose:
        rows = (
            rules.eligible_sessions(lake, purpose=purpose, at=played.cutoff, policy=policy)
            .where(mine)
            .collect()
        )
        got = {r["session_id"]: _seconds(r["include_from"]) for r in rows}
        want = {s: _seconds(f) for s, f in domain_verdicts(played, purpose).items()}
        assert got == want
    _, derived = stored_and_derived_purge(lakeside.app.engine, played)
    facts = rules.session_facts(lake, played.cutoff, policy).where(mine)
    until = {
        r["session_id"]: _seconds(r["retain_until"])
        for r in facts.where(F.col("purged_at_any").isNull()).collect()
    }
    assert until == {s: _seconds(u) for s, (u, _) in derived.items()}
    due = rules.sessions_due(lake, now=played.cutoff, policy=policy).where(mine).collect()
    assert {r["session_id"] for r in due} == {
        s for s, (_, at) in derived.items() if at is not None and at <= played.cutoff
    }
