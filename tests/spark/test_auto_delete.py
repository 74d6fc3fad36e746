"""Auto-delete chosen by the user (docs/rules.md P12, P13) on the lake and Spark path.

The lake's ledger carries each auto-delete choice's period (``consent_events.auto_delete``),
and the Spark rules apply it as :func:`consentry.domain.retention.retain_until` does:
``spark run-create`` picks the sessions the embedded run picks, and ``spark sweep``
purges the sessions the embedded sweeper purges, when users shortened their history.
A lake exported before the column existed is refused until ``lake export`` rewrites it.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import DEFAULT_POLICY
from consentry.lake import schema as ls
from consentry.lake.catalog import open_table
from consentry.lake.export import LakeExporter
from consentry.lake.port import DataFile
from consentry.service import accounts, retention, runs, sessions
from consentry.service.auto_delete import choose_auto_delete
from tests.conftest import BEFORE_DEADLINE

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

SECRET_KEY = "lake-auto-delete-master-key-" + "x" * 20


@dataclasses.dataclass
class World:
    app: App
    clock: TestClock
    lake: str
    root: Path
    shortened: set[str]
    """Sessions an auto-delete choice ends before the cutoff (eligible without it)."""
    kept: set[str]
    """Sessions of accounts that chose a period the cutoff has not reached."""

    def export(self, lake: str | None = None) -> None:
        LakeExporter(self.app.engine, lake or self.lake, buckets=2).export(now=self.clock.now())


def _chat(app: App, account: str) -> str:
    sid = sessions.start_session(app.ctx, account_id=account, kind="chat").session.id
    sessions.add_message(app.ctx, account_id=account, session_id=sid, role="user", content="hi")
    return sid


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    """Opted-in users (5 years of retention, R12) who chose 3 months before or after their
    chats, one who chose 36 months, one who went back to "until I delete it", and one
    who never chose; then 100 days pass, with a lake export after each phase."""
    root = tmp_path_factory.mktemp("auto_delete")
    db = root / "consentry.db"
    shutil.copy(sqlite_template, db)
    clock = TestClock(BEFORE_DEADLINE)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONSENTRY_SECRET_KEY", SECRET_KEY)
        app = build(Settings(database_url=f"sqlite:///{db}"), migrate=False, clock=clock)
        ctx = app.ctx
        user = [accounts.sign_up(ctx, plan="pro", training="on").account_id for _ in range(5)]
        before, after, longer, back, never = user
        choose_auto_delete(ctx, account_id=before, months=3)  # in force at the activity
        chats = {u: _chat(app, u) for u in user}
        w = World(app, clock, str(root / "lake"), root, set(), set())
        w.export()
        clock.set(clock.now() + timedelta(days=20))
        choose_auto_delete(ctx, account_id=after, months=3)  # caps the earlier chat (P13)
        choose_auto_delete(ctx, account_id=longer, months=36)
        choose_auto_delete(ctx, account_id=back, months=3)
        clock.set(clock.now() + timedelta(days=1))
        late = _chat(app, back)
        clock.set(clock.now() + timedelta(hours=1))
        choose_auto_delete(ctx, account_id=back, months=None)  # only later activity (P13)
        w.export()
        clock.set(clock.now() + timedelta(days=100))
        w.export()
        w.shortened = {chats[before], chats[after], chats[back], late}
        w.kept = {chats[longer], chats[never]}
        yield w
        app.engine.dispose()


def _manifest(spark: Any, lake: str, run_id: str) -> set[str]:
    from consentry.spark.runs import run_dir

    return {
        r["session_id"]
        for r in spark.read.parquet(str(run_dir(lake, run_id) / "sessions")).collect()
    }


def test_the_lake_ledger_carries_the_auto_delete_period_P12(world: World) -> None:
    lt = open_table(world.lake, "consent_events")
    rows = pq.read_table(lt.uris(lt.snapshot()), partitioning=None).to_pylist()
    periods = sorted(r["auto_delete"] for r in rows if r["type"] == "auto_delete")
    assert periods == ["36m", "3m", "3m", "3m", "off"]
    assert all(r["auto_delete"] is None for r in rows if r["type"] != "auto_delete")
    assert lt.snapshot().state["schema"] == ls.CONSENT_EVENTS_SCHEMA


def test_spark_run_and_sweep_apply_auto_delete_as_the_embedded_path_P13_R17_R20(
    spark: Any, world: World
) -> None:
    """P13 (R12, R17, R20): the Spark manifest equals the embedded one and leaves out the
    sessions auto-delete ended; the Spark sweep purges exactly what the embedded sweeper
    purges, the shortened sessions among them."""
    from consentry.spark.runs import create_run
    from consentry.spark.sweep import sweep_lake

    lake = str(world.root / "lake_for_run")
    shutil.copytree(world.lake, lake)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONSENTRY_SECRET_KEY", SECRET_KEY)
        embedded = runs.create_run(world.app.ctx, purpose="model_training")
        run = create_run(
            spark,
            lake=lake,
            purpose="model_training",
            cutoff=embedded.cutoff,
            policy=DEFAULT_POLICY,
            run_id=embedded.id,
            secret=embedded.pseudonym_secret,
        )
    manifest = set(runs.get_manifest(world.app.ctx, run_id=embedded.id).sessions)
    got = _manifest(spark, lake, run.id)
    assert got == manifest
    assert world.kept <= got and not world.shortened & got
    assert (run.sessions, run.messages) == (embedded.sessions, embedded.messages)

    swept = str(world.root / "lake_for_sweep")
    shutil.copytree(world.lake, swept)
    report = sweep_lake(spark, lake=swept, now=world.clock.now(), policy=DEFAULT_POLICY)
    done = retention.sweep_expired(world.app.ctx)
    with world.app.engine.connect() as conn:
        tb = t.tombstones.c
        purged = set(conn.execute(select(tb.item_id).where(tb.item_type == "session")).scalars())
    tombs = open_table(swept, "tombstones")
    rows = pq.read_table(tombs.uris(tombs.snapshot()), partitioning=None).to_pylist()
    assert {r["item_id"] for r in rows if r["item_type"] == "session"} == purged
    assert world.shortened <= purged and not world.kept & purged
    assert (report.sessions, report.messages) == (done.purged.sessions, done.purged.messages)
    assert report.proof == []


def test_a_lake_exported_before_the_period_is_refused_then_rewritten_P12(
    spark: Any, world: World
) -> None:
    """P12: consent_events files without ``auto_delete`` (a lake exported before it) would
    read every choice as "until I delete it": run-create and the sweep refuse them with
    ``auto_delete_not_in_lake``; the next ``lake export`` rewrites the table, after
    which the run is computed and equals the embedded one."""
    from consentry.spark.runs import AutoDeleteNotInLake, create_run
    from consentry.spark.sweep import sweep_lake

    lake = str(world.root / "lake_old")
    shutil.copytree(world.lake, lake)
    lt = open_table(lake, "consent_events")
    snap = lt.snapshot()
    old = pq.read_table(lt.uris(snap), partitioning=None).drop_columns(
        ["auto_delete", "region", "rule_set"]
    )
    rel, path = lt.new_file(0)
    pq.write_table(old, path)
    state = {k: v for k, v in snap.state.items() if k != "schema"}
    lt.commit(
        expected_version=snap.version,
        add=[DataFile(rel, 0, old.num_rows)],
        remove=list(snap.files),
        state=state,
        note="test: a consent_events table as exported before auto_delete",
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONSENTRY_SECRET_KEY", SECRET_KEY)
        cutoff = world.clock.now()
        with pytest.raises(AutoDeleteNotInLake) as refused:
            create_run(
                spark, lake=lake, purpose="model_training", cutoff=cutoff, policy=DEFAULT_POLICY
            )
        assert refused.value.code == "auto_delete_not_in_lake"
        with pytest.raises(AutoDeleteNotInLake):
            sweep_lake(spark, lake=lake, now=cutoff, policy=DEFAULT_POLICY)
        world.export(lake)
        assert open_table(lake, "consent_events").snapshot().state["schema"] == 2
        run = create_run(
            spark, lake=lake, purpose="model_training", cutoff=cutoff, policy=DEFAULT_POLICY
        )
        embedded = runs.create_run(world.app.ctx, purpose="model_training")
    assert embedded.cutoff == cutoff
    assert _manifest(spark, lake, run.id) == set(
        runs.get_manifest(world.app.ctx, run_id=embedded.id).sessions
    )
    lt = open_table(lake, "consent_events")
    rows = pq.read_table(lt.uris(lt.snapshot()), partitioning=None)
    with world.app.engine.connect() as conn:
        total = conn.execute(select(t.consent_events.c.seq)).all()
    assert sorted(rows.column("seq").to_pylist()) == sorted(r.seq for r in total)


def test_spark_add_months_equals_the_domains_at_month_ends_P13(spark: Any) -> None:
    """P13's calendar months: the Spark column adds months as `domain.retention.add_months`
    does (day clamped to the month's last, time of day and microseconds kept, UTC)."""
    from datetime import UTC, datetime

    from pyspark.sql import functions as F

    from consentry.domain.retention import add_months as domain_add_months
    from consentry.spark.rules import add_months

    instants = [
        datetime(2024, 1, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2024, 2, 29, 0, 0, tzinfo=UTC),
        datetime(2025, 3, 31, 12, 30, 1, 5, tzinfo=UTC),
        datetime(2025, 8, 30, 1, 2, 3, tzinfo=UTC),
        datetime(2025, 12, 31, 6, 0, tzinfo=UTC),
        datetime(1999, 11, 30, 0, 0, 0, 1, tzinfo=UTC),
    ]
    cases = [(t, m) for t in instants for m in (1, 2, 3, 13, 18, 36)]
    frame = spark.createDataFrame(cases, "t timestamp, m int")
    rows = frame.select("t", "m", add_months(F.col("t"), F.col("m")).alias("got")).collect()
    got = {(r["t"].timestamp(), r["m"]): r["got"].timestamp() for r in rows}
    want = {(t.timestamp(), m): domain_add_months(t, m).timestamp() for t, m in cases}
    assert got == want and len(got) == len(cases)
