"""The Spark job yields the embedded path's manifest, texts and purges on the same data.

A population with every edge case is built through the service layer on SQLite at a
test clock, exported to the lake incrementally after each phase, and then:
the embedded ``create_run`` and ``spark run-create`` at the same cutoff must agree
(R20–R23), their exports must hold identical rows (R24, R25), and the embedded sweeper
and ``spark sweep`` must purge the same items, provably gone from the lake (R17).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import DEFAULT_POLICY, FeedbackTrainable, Policy, ResumeScope
from consentry.lake.catalog import open_table
from consentry.lake.export import LakeExporter
from consentry.service import retention, runs
from tests.conftest import BEFORE_DEADLINE
from tests.spark.population import build as build_population

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")
SECRET_KEY = "lake-test-master-key-" + "x" * 20


@dataclasses.dataclass
class World:
    app: App
    clock: TestClock
    lake: str
    root: Path

    def export_lake(self) -> None:
        LakeExporter(self.app.engine, self.lake, buckets=4).export(now=self.clock.now())

    def ctx_with(self, policy: Policy) -> Any:
        return dataclasses.replace(self.app.ctx, policy=policy)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    root = tmp_path_factory.mktemp("spark_world")
    db = root / "consentry.db"
    shutil.copy(sqlite_template, db)
    clock = TestClock(BEFORE_DEADLINE)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONSENTRY_SECRET_KEY", SECRET_KEY)  # seals run secrets in the lake
        app = build(Settings(database_url=f"sqlite:///{db}"), migrate=False, clock=clock)
        w = World(app, clock, str(root / "lake"), root)
        build_population(app, clock, per_case=4, export=w.export_lake)
        yield w
        app.engine.dispose()


def spark_manifest(spark: Any, lake: str, run_id: str) -> tuple[set[str], set[str], dict[str, Any]]:
    from consentry.spark.runs import read_run, run_dir

    d = run_dir(lake, run_id)
    sessions = {
        (r["session_id"], r["include_from"])
        for r in spark.read.parquet(str(d / "sessions")).collect()
    }
    feedback = {r["feedback_id"] for r in spark.read.parquet(str(d / "feedback")).collect()}
    return {s for s, _ in sessions}, feedback, dataclasses.asdict(read_run(lake, run_id))


def both_runs(spark: Any, world: World, *, policy: Policy, purpose: str) -> tuple[Any, Any]:
    from consentry.spark.runs import create_run

    embedded = runs.create_run(world.ctx_with(policy), purpose=purpose)
    run = create_run(
        spark,
        lake=world.lake,
        purpose=purpose,
        cutoff=embedded.cutoff,
        policy=policy,
        run_id=embedded.id,
        secret=embedded.pseudonym_secret,
    )
    return embedded, run


CASES = {
    "default": (DEFAULT_POLICY, "model_training"),
    "safety_classifiers": (DEFAULT_POLICY, "safety_classifiers"),
    "from_first_covered": (
        dataclasses.replace(DEFAULT_POLICY, resume_scope=ResumeScope.FROM_FIRST_COVERED_ACTIVITY),
        "model_training",
    ),
    "feedback_always": (
        dataclasses.replace(DEFAULT_POLICY, feedback_trainable=FeedbackTrainable.ALWAYS),
        "model_training",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_spark_manifest_equals_embedded_manifest_r20_r23(
    spark: Any, world: World, case: str
) -> None:
    policy, purpose = CASES[case]
    embedded, run = both_runs(spark, world, policy=policy, purpose=purpose)
    manifest = runs.get_manifest(world.app.ctx, run_id=embedded.id)
    with world.app.ctx.uow() as uow:
        expected_scope = {
            (m.session_id, m.include_from) for m in uow.runs.manifest_sessions(embedded.id)
        }
    got_sessions, got_feedback, record = spark_manifest(spark, world.lake, embedded.id)
    assert got_sessions == set(manifest.sessions)
    assert got_feedback == set(manifest.feedback)
    from consentry.spark.runs import run_dir

    scope = {
        (r["session_id"], r["include_from"])
        for r in spark.read.parquet(str(run_dir(world.lake, run.id) / "sessions")).collect()
    }
    assert {(s, f and f.timestamp()) for s, f in scope} == {
        (s, f and f.timestamp()) for s, f in expected_scope
    }
    assert (record["sessions"], record["messages"], record["feedback"]) == (
        embedded.sessions,
        embedded.messages,
        embedded.feedback,
    )
    assert record["ledger_head"] == embedded.ledger_head
    assert record["policy_digest"] == embedded.policy_digest
    assert embedded.sessions > 0


def test_population_covers_every_edge_case(spark: Any, world: World) -> None:
    """Guards the equivalence tests against a population where nothing is excluded."""
    embedded = runs.create_run(world.app.ctx, purpose="model_training")
    report = runs.audit_run(world.app.ctx, run_id=embedded.id)
    assert report.ok, report.findings
    with world.app.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(t.sessions)).scalar_one()
        holds = conn.execute(select(func.count()).select_from(t.holds)).scalar_one()
    assert 0 < embedded.sessions < total / 3
    assert holds > 0


def test_lake_mirrors_the_system_of_record_after_incremental_exports(world: World) -> None:
    """A second engine (Polars, reading the Delta log itself) gets the rows the port lists
    and the system of record holds (issue 25 item 4)."""
    import polars as pl

    with world.app.engine.connect() as conn:
        for name, key in (
            ("accounts", "id"),
            ("consent_events", "seq"),
            ("sessions", "id"),
            ("activities", "id"),
            ("messages", "id"),
            ("feedback", "id"),
            ("holds", "id"),
        ):
            lt = open_table(world.lake, name)
            files = [lt.uri(f) for f in lt.snapshot().files]
            table = pq.read_table(files, partitioning=None) if files else None
            ids = table.column(key).to_pylist() if table is not None else []
            sor = getattr(t, name)
            expected = list(conn.execute(select(sor.c[key])).scalars())
            assert sorted(ids) == sorted(expected), name
            other = pl.read_delta(str(lt.root))
            assert other.height == len(ids), name
            if table is not None:
                ours = table.sort_by(key).to_pylist()
                assert other.sort(key).to_arrow().to_pylist() == ours, name
            writes = [v for v in lt.versions() if v["operation"] == "WRITE"]
            assert len(writes) >= 2, f"{name} was not exported incrementally"
        s = t.sessions.c
        deleted = set(conn.execute(select(s.id).where(s.deleted_at.is_not(None))).scalars())
    lt = open_table(world.lake, "sessions")
    lake_sessions = pq.read_table([lt.uri(f) for f in lt.snapshot().files], partitioning=None)
    lake_deleted = {r["id"] for r in lake_sessions.to_pylist() if r["deleted_at"] is not None}
    assert lake_deleted == deleted and deleted


def read_rows(directory: Path, kind: str) -> list[dict[str, Any]]:
    files = sorted(directory.glob(f"{kind}-*.parquet"))
    return [row for f in files for row in pq.read_table(f).to_pylist()]


def test_spark_export_rows_and_manifest_equal_embedded_export_r24_r25(
    spark: Any, world: World
) -> None:
    from consentry.export.manifest import read_manifest, verify_export
    from consentry.service.training_export import export_run as embedded_export
    from consentry.spark.export import export_run as spark_export

    embedded, run = both_runs(spark, world, policy=DEFAULT_POLICY, purpose="model_training")
    a, b = world.root / "embedded", world.root / "spark"
    embedded_export(world.app.ctx, run_id=embedded.id, out_dir=str(a), shard_rows=40, batch_rows=8)
    spark_export(spark, lake=world.lake, run_id=run.id, out_dir=str(b), shard_rows=40, batch_rows=8)
    da, db = a / embedded.id, b / embedded.id
    assert verify_export(db) == []
    for kind in ("messages", "feedback"):
        rows_a, rows_b = read_rows(da, kind), read_rows(db, kind)
        assert rows_a == rows_b, kind
        assert rows_a, kind
    texts = " ".join(r["text"] for r in read_rows(db, "messages"))
    assert "jane.doe@example.com" not in texts and "s3cretpw" not in texts
    ma, mb = read_manifest(da), read_manifest(db)
    shards_a, shards_b = ma.pop("shards"), mb.pop("shards")
    assert ma == mb
    assert [s["rows"] for s in shards_a] == [s["rows"] for s in shards_b]
    # Same rows, batches and encoder: the shards come out byte for byte identical too.
    assert shards_a == shards_b


def test_run_records_versions_and_audit_time_travels_to_them_issue25_item3(
    spark: Any, world: World, tmp_path: Path
) -> None:
    from consentry.spark import rules
    from consentry.spark.lakeio import rewrite_buckets
    from consentry.spark.runs import audit_run, load_lake, run_dir, table_versions

    lake = str(tmp_path / "lake")
    shutil.copytree(world.lake, lake)
    embedded = runs.create_run(world.app.ctx, purpose="model_training")
    from consentry.spark.runs import create_run

    run = create_run(
        spark,
        lake=lake,
        purpose="model_training",
        cutoff=embedded.cutoff,
        policy=DEFAULT_POLICY,
        secret=embedded.pseudonym_secret,
    )
    assert run.versions == table_versions(lake) and run.versions["sessions"] > 0
    # Item 6: the pseudonym secret is sealed in run.json, never in clear.
    record = (run_dir(lake, run.id) / "run.json").read_text()
    assert embedded.pseudonym_secret not in record and "pseudonym_secret_sealed" in record
    # The lake moves on: a rewrite (not a purge) drops every session of bucket 0.
    rewrite_buckets(
        spark, lake, "sessions", [0], lambda cur: cur.limit(0), note="test", purge=False
    )
    now = rules.eligible_sessions(
        load_lake(spark, lake), purpose=run_purpose(), at=embedded.cutoff, policy=DEFAULT_POLICY
    ).count()
    assert now < run.sessions  # today's tables no longer give the run's manifest...
    audit = audit_run(spark, lake=lake, run_id=run.id, policy=DEFAULT_POLICY)
    assert audit.ok, audit.findings  # ...the versions it read (time travel) still do
    # A manifest that does not follow from those versions is caught.
    sessions_dir = run_dir(lake, run.id) / "sessions"
    kept = spark.read.parquet(str(sessions_dir)).orderBy("session_id").offset(1).collect()
    shutil.rmtree(sessions_dir)
    schema = "session_id string, account_id string, include_from timestamp"
    spark.createDataFrame(kept, schema).write.parquet(str(sessions_dir))
    findings = audit_run(spark, lake=lake, run_id=run.id, policy=DEFAULT_POLICY).findings
    assert findings and "1 eligible at the recorded versions but not in the manifest" in findings[0]
    # Once the retention has passed, the old version is gone: the audit falls back to
    # today's rows the run read, and says that the ones the rewrite dropped are gone.
    open_table(lake, "sessions", retention=0).vacuum()
    assert not open_table(lake, "sessions").readable(run.versions["sessions"])
    findings = audit_run(spark, lake=lake, run_id=run.id, policy=DEFAULT_POLICY).findings
    assert any(f.startswith("sessions: ") and "no longer in the table" in f for f in findings)


def test_audit_re_proves_a_run_after_a_sweep_purged_what_it_read_r17_r26_issue25(
    spark: Any, world: World, tmp_path: Path
) -> None:
    """R26 after R17: a sweep's purge commits delete the files of the versions the run
    read (no version may bring a purged row back); `consentry spark audit` re-proves the
    manifest from the rows the run read, as the embedded audit does after a sweep, and
    still catches a manifest that does not follow from them."""
    from typer.testing import CliRunner

    from consentry.entrypoints.cli import app as cli
    from consentry.spark.runs import create_run, run_dir
    from consentry.spark.sweep import sweep_lake

    lake = str(tmp_path / "lake")
    shutil.copytree(world.lake, lake)
    cutoff = world.clock.now()
    run = create_run(
        spark, lake=lake, purpose="model_training", cutoff=cutoff, policy=DEFAULT_POLICY
    )
    assert run.sessions > 0 and run.feedback > 0
    swept = sweep_lake(spark, lake=lake, now=cutoff + timedelta(days=40), policy=DEFAULT_POLICY)
    assert swept.sessions > 0 and swept.feedback > 0 and swept.proof == []
    # The feedback version the run read is gone (the purge deleted its files).
    assert not open_table(lake, "feedback").readable(run.versions["feedback"])
    argv = ["spark", "audit", "--lake", lake, "--run-id", run.id]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["findings"] == []
    assert any(n.startswith("feedback version") for n in report["notes"]), report["notes"]
    # A tampered manifest (one eligible feedback item dropped) is still caught.
    fb_dir = run_dir(lake, run.id) / "feedback"
    kept = spark.read.parquet(str(fb_dir)).orderBy("feedback_id").offset(1).collect()
    shutil.rmtree(fb_dir)
    spark.createDataFrame(kept, "feedback_id string, account_id string").write.parquet(str(fb_dir))
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    assert findings == [
        "feedback: 1 eligible at the recorded versions but not in the manifest,"
        " 0 in the manifest but not eligible"
    ]


def run_purpose() -> Any:
    from consentry.domain.types import Purpose

    return Purpose.MODEL_TRAINING


def test_spark_sweep_purges_what_the_embedded_sweeper_purges_r17(spark: Any, world: World) -> None:
    from consentry.spark.sweep import prove_purged, sweep_lake

    world.clock.set(world.clock.now() + timedelta(days=40))
    lake_before = world.root / "lake_for_sweep"
    shutil.copytree(world.lake, lake_before)
    embedded = retention.sweep_expired(world.app.ctx)
    report = sweep_lake(spark, lake=str(lake_before), now=world.clock.now(), policy=DEFAULT_POLICY)
    with world.app.engine.connect() as conn:
        tb = t.tombstones.c
        expected = {
            (r.item_type, r.item_id)
            for r in conn.execute(select(tb.item_type, tb.item_id).where(tb.item_type != "scores"))
        }
    tombs = open_table(str(lake_before), "tombstones")
    lake_tombs = pq.read_table(
        [tombs.uri(f) for f in tombs.snapshot().files], partitioning=None
    ).to_pylist()
    got = {(r["item_type"], r["item_id"]) for r in lake_tombs if r["item_type"] != "scores"}
    assert got == expected
    assert (report.sessions, report.messages, report.feedback) == (
        embedded.purged.sessions,
        embedded.purged.messages,
        embedded.purged.feedback,
    )
    assert report.sessions > 0 and report.proof == []
    # verify_absent (issue 25 item 2): with the default retention of old versions (168 h)
    # no retained version of the messages table can be read back to a purged row.
    purged = {i for kind, i in got if kind == "session"}
    msgs = open_table(str(lake_before), "messages")
    assert msgs.retention == 168
    for v in msgs.versions():
        if msgs.readable(v["version"]):
            files = msgs.uris(msgs.snapshot(v["version"]))
            rows = pq.read_table(files, partitioning=None) if files else None
            held = set(rows.column("session_id").to_pylist()) if rows is not None else set()
            assert not held & purged, v
    first_purge = min(v["version"] for v in msgs.versions() if v["purge"])
    assert not msgs.readable(first_purge - 1)  # the version before the sweep is gone
    # A rerun finds nothing left to do (idempotent), and the proof still holds.
    again = sweep_lake(spark, lake=str(lake_before), now=world.clock.now(), policy=DEFAULT_POLICY)
    assert (again.sessions, again.messages, again.feedback) == (0, 0, 0)
    assert prove_purged(spark, lake=str(lake_before)) == []
    # The lake export carries the system of record's purges into the lake as well.
    world.export_lake()
    assert prove_purged(spark, lake=world.lake) == []
