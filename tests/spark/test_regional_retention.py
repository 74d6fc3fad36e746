"""Retention periods per region (docs/rules.md P21) on the lake and Spark path.

The lake's ``accounts`` carry the region recorded at sign-up, and the Spark rules give
each consumer activity the periods of the rule set of its account's region, as
:func:`consentry.domain.retention.retain_until` does: under a policy whose `short` rule
set (DE) shortens retention, ``spark run-create`` picks the sessions the embedded run
picks and ``spark sweep`` purges the sessions the embedded sweeper purges. A lake whose
``accounts`` were exported before the column is refused until ``lake export`` rewrites it.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App, build
from consentry.config.policy_file import load_policy
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock, iso
from consentry.domain.policy import DEFAULT_POLICY, Policy
from consentry.entrypoints.cli import app as cli
from consentry.lake import schema as ls
from consentry.lake.catalog import open_table
from consentry.lake.export import LakeExporter
from consentry.lake.port import DataFile
from consentry.service import accounts, retention, runs, sessions
from consentry.service.context import Context
from tests.conftest import BEFORE_DEADLINE, require_or_skip

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

SECRET_KEY = "lake-regional-master-key-" + "x" * 20
POLICY_TOML = (
    '[retention]\non_opt_out = "shorten"\n\n[jurisdictions.regions]\n"DE" = "short"\n\n'
    "[jurisdictions.rule_sets.short]\nretention_training_on = 25\nretention_standard = 7\n"
)
"""DE (and its subdivisions) keep opted-in activity 25 days and the rest 7 (the policy's:
five years and 30 days); FR, US, JP (no rule set of its own) and no region: the default.
An opt-out shortens what was kept for training to the standard period (R18)."""


@dataclasses.dataclass
class World:
    app: App
    ctx: Context
    clock: TestClock
    policy: Policy
    policy_file: str
    lake: str
    root: Path
    ended: set[str]
    """Sessions whose DE periods ended by the cutoff (the default ones have not)."""
    kept: set[str]
    """The same histories in regions with the default periods, still retained."""

    def export(self, lake: str | None = None) -> None:
        LakeExporter(self.app.engine, lake or self.lake, buckets=2).export(now=self.clock.now())


def _say(ctx: Context, account: str, session: str) -> None:
    sessions.add_message(ctx, account_id=account, session_id=session, role="user", content="hi")


def _chat(ctx: Context, account: str) -> str:
    sid = sessions.start_session(ctx, account_id=account, kind="chat").session.id
    _say(ctx, account, sid)
    return sid


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    """Per region (DE, DE-BY, FR, US, JP, none): an opted-in user who chatted once, an
    opted-out one who chatted again 20 days later, and one opted in who chatted again then
    opted out (R18); in DE and FR also an imported account with no consent event; the
    cutoff is 30 days after the first chats (before the R7 deadline)."""
    root = tmp_path_factory.mktemp("regional")
    db = root / "consentry.db"
    shutil.copy(sqlite_template, db)
    (root / "policy.toml").write_text(POLICY_TOML, encoding="utf-8")
    policy = load_policy(root / "policy.toml")
    clock = TestClock(BEFORE_DEADLINE)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONSENTRY_SECRET_KEY", SECRET_KEY)
        app = build(Settings(database_url=f"sqlite:///{db}"), migrate=False, clock=clock)
        ctx = dataclasses.replace(app.ctx, policy=policy)
        lake, policy_file = str(root / "lake"), str(root / "policy.toml")
        w = World(app, ctx, clock, policy, policy_file, lake, root, set(), set())
        later: list[tuple[str, str, str | None]] = []  # (account, session, then opt out)
        for region in ("DE", "DE-BY", "FR", "US", "JP", None):
            short = region is not None and region.startswith("DE")
            made = {
                kind: accounts.sign_up(ctx, plan="pro", training=choice, region=region).account_id
                for kind, choice in (("on", "on"), ("off", "off"), ("on_off", "on"))
            }
            if region in ("DE", "FR"):
                made["none"] = accounts.import_account(ctx, plan="pro", region=region).account_id
            for kind, account in made.items():
                sid = _chat(ctx, account)
                (w.ended if short else w.kept).add(sid)
                if kind != "on":
                    later.append((account, sid, "off" if kind == "on_off" else None))
        w.export()
        clock.set(clock.now() + timedelta(days=20))
        for account, sid, _ in later:
            _say(ctx, account, sid)
        clock.set(clock.now() + timedelta(days=2))
        for account, _, then in later:
            if then:
                accounts.record_choice(ctx, account_id=account, training=then)
        w.export()
        clock.set(clock.now() + timedelta(days=8))
        w.export()
        yield w
        app.engine.dispose()


def _manifest(spark: Any, lake: str, run_id: str) -> set[str]:
    from consentry.spark.runs import run_dir

    return {
        r["session_id"]
        for r in spark.read.parquet(str(run_dir(lake, run_id) / "sessions")).collect()
    }


def _session_tombstones(lake: str) -> set[str]:
    tombs = open_table(lake, "tombstones")
    rows = pq.read_table(tombs.uris(tombs.snapshot()), partitioning=None).to_pylist()
    return {r["item_id"] for r in rows if r["item_type"] == "session"}


def test_the_lake_accounts_carry_their_region_P21(world: World) -> None:
    """P16/P21: every account's recorded region (none for none), the table's schema 2."""
    lt = open_table(world.lake, "accounts")
    rows = pq.read_table(lt.uris(lt.snapshot()), partitioning=None).to_pylist()
    with world.app.engine.connect() as conn:
        want = {r.id: r.region for r in conn.execute(select(t.accounts.c.id, t.accounts.c.region))}
        no_event = conn.execute(
            select(func.count()).where(
                t.accounts.c.id.not_in(select(t.consent_events.c.account_id))
            )
        ).scalar_one()
    assert {r["id"]: r["region"] for r in rows} == want
    assert {"DE", "DE-BY", "FR", "US", "JP", None} == set(want.values())
    assert no_event == 2  # the imported accounts: their region is only on the account
    assert lt.snapshot().state["schema"] == ls.ACCOUNTS_SCHEMA


def test_spark_run_and_sweep_apply_regional_periods_as_the_embedded_path_P21(
    spark: Any, world: World
) -> None:
    """P21 (R12, R17, R18, R20): through the job (`--policy`), the Spark manifest equals
    the embedded run's and leaves out the DE sessions whose shortened periods ended (an
    account without a consent event and a subdivision among them) while FR, US, JP and
    no region keep the policy's; the Spark sweep purges exactly what the embedded
    sweeper purges."""
    from consentry.spark.job import run

    lake = str(world.root / "lake_for_run")
    shutil.copytree(world.lake, lake)
    swept = str(world.root / "lake_for_sweep")
    shutil.copytree(world.lake, swept)
    base = ["--policy", world.policy_file]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONSENTRY_SECRET_KEY", SECRET_KEY)
        embedded = runs.create_run(world.ctx, purpose="model_training")
        made = run(
            [*base, "run-create", "--lake", lake, "--cutoff", iso(embedded.cutoff)], spark=spark
        )
        audit = run([*base, "audit", "--lake", lake, "--run-id", made["id"]], spark=spark)
    want = set(runs.get_manifest(world.ctx, run_id=embedded.id).sessions)
    got = _manifest(spark, lake, made["id"])
    assert got == want
    assert not world.ended & got and len(got) == 4  # FR, US, JP, none: their `on` chats
    assert (made["sessions"], made["messages"]) == (embedded.sessions, embedded.messages)
    assert made["policy_digest"] == world.policy.digest != DEFAULT_POLICY.digest
    assert audit["ok"], audit

    report = run([*base, "sweep", "--lake", swept, "--now", iso(world.clock.now())], spark=spark)
    done = retention.sweep_expired(world.ctx)
    with world.app.engine.connect() as conn:
        tb = t.tombstones.c
        purged = set(conn.execute(select(tb.item_id).where(tb.item_type == "session")).scalars())
    assert _session_tombstones(swept) == purged
    assert purged == world.ended and not world.kept & purged
    assert (report["sessions"], report["messages"]) == (done.purged.sessions, done.purged.messages)
    assert report["proof"] == []


def _strip_regions(lake: str) -> None:
    """Make `lake`'s accounts a table as exported before they carried the region (P21):
    a Delta table whose schema, files and export state have no ``region``."""
    from deltalake import DeltaTable

    from consentry.lake.delta import DeltaTableFormat

    lt = open_table(lake, "accounts")
    snap = lt.snapshot()
    rows = pq.read_table(lt.uris(snap), partitioning=None).drop_columns(["region"])
    shutil.rmtree(lt.root)
    old = DeltaTableFormat(lake, "accounts", rows.schema)
    rel, path = old.new_file(0)
    pq.write_table(rows, path)
    old.commit(
        expected_version=old.snapshot().version,
        add=[DataFile(rel, 0, rows.num_rows)],
        remove=[],
        state={k: v for k, v in snap.state.items() if k != "schema"},
        note="test: an accounts table as exported before region",
    )
    assert "region" not in DeltaTable(str(lt.root)).schema().to_arrow().names


def test_a_lake_exported_before_the_region_is_refused_then_rewritten_P21(
    spark: Any, world: World
) -> None:
    """P21: accounts files without ``region`` would give every account the default
    periods: run-create, audit and sweep refuse them under a regional policy
    (``region_not_in_lake``, before a JVM is needed), not under one without regional
    periods; the next ``lake export`` rewrites the table from every account, after which
    the run is computed and equals the embedded one."""
    from deltalake import DeltaTable

    from consentry.spark.job import run
    from consentry.spark.regions import RegionNotInLake, refuse_regionless_accounts

    lake = str(world.root / "lake_old")
    shutil.copytree(world.lake, lake)
    _strip_regions(lake)
    base = ["--policy", world.policy_file]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONSENTRY_SECRET_KEY", SECRET_KEY)
        for command in (["sweep"], ["run-create"], ["audit", "--run-id", "run_x"]):
            with pytest.raises(RegionNotInLake) as refused:
                run([*base, command[0], "--lake", lake, *command[1:]])
            assert refused.value.code == "region_not_in_lake"
            assert "consentry lake export" in refused.value.message
        refuse_regionless_accounts(lake, DEFAULT_POLICY)  # no regional periods: no refusal
        world.export(lake)
        lt = open_table(lake, "accounts")
        assert lt.snapshot().state["schema"] == ls.ACCOUNTS_SCHEMA
        assert "region" in DeltaTable(str(lt.root)).schema().to_arrow().names
        cutoff = iso(world.clock.now())
        made = run([*base, "run-create", "--lake", lake, "--cutoff", cutoff], spark=spark)
        embedded = runs.create_run(world.ctx, purpose="model_training")
    assert iso(embedded.cutoff) == cutoff
    assert _manifest(spark, lake, made["id"]) == set(
        runs.get_manifest(world.ctx, run_id=embedded.id).sessions
    )
    rows = pq.read_table(lt.uris(lt.snapshot()), partitioning=None).to_pylist()
    with world.app.engine.connect() as conn:
        want = {r.id: r.region for r in conn.execute(select(t.accounts.c.id, t.accounts.c.region))}
    assert sorted(r["id"] for r in rows) == sorted(want)  # each account once
    assert {r["id"]: r["region"] for r in rows} == want


def test_spark_cli_exits_2_with_the_code_P21(tmp_path: Path, world: World) -> None:
    """P21: `consentry spark sweep --policy …` over such a lake exits 2 with the code on
    stderr (needs the spark extra installed, as every `consentry spark` command does)."""
    require_or_skip(importlib.util.find_spec("pyspark") is not None, "pyspark")
    lake = str(tmp_path / "lake")
    shutil.copytree(world.lake, lake)
    _strip_regions(lake)
    answer = CliRunner().invoke(
        cli, ["spark", "sweep", "--lake", lake, "--policy", world.policy_file]
    )
    assert answer.exit_code == 2, answer.output
    assert "region_not_in_lake" in answer.output
