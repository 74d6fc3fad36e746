"""The Spark rules apply regional retention periods (docs/rules.md P21) as the domain does,
over the random histories of ``tests/histories.py`` under a policy whose `short` rule set
shortens retention for DE (accounts sign up from DE, US and no region in turn).

Each example is played through the service layer on one SQLite database and exported to
the lake; ``rules.eligible_sessions``, ``rules.session_facts``' ``retain_until`` and
``rules.sessions_due`` over the lake must equal ``decide_eligibility``, ``retain_until``
and ``purge_due`` over the stored history. Spark costs seconds per example, so this draws
few; derandomized in CI like every property test.
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
    domain_verdicts,
    histories_regional,
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
    root = tmp_path_factory.mktemp("regional_forms")
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
    from pyspark.sql import functions as F

    from consentry.spark import rules
    from consentry.spark.runs import load_lake

    played = play(lakeside.app.ctx, lakeside.clock, history)
    assert played.ctx.policy.jurisdictions.regional_retention
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
