"""Who wrote an assistant message, on the lake and Spark path (issue 17 item 7): the
lake's messages carry ``author``, and ``spark run-create``/``spark export`` leave out
assistant messages no service token wrote unless the policy says
``export_assistant_messages_from = "any"``, exactly as the embedded run and export do."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import DEFAULT_POLICY, AssistantFrom, Policy
from consentry.domain.types import Author
from consentry.lake.catalog import open_table
from consentry.lake.export import LakeExporter
from consentry.service import accounts, runs, sessions
from tests.conftest import BEFORE_DEADLINE

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")

SECRET_KEY = "lake-authorship-master-key-" + "x" * 20
ANY = dataclasses.replace(DEFAULT_POLICY, export_assistant_messages_from=AssistantFrom.ANY)
BY_SERVICE, BY_ACCOUNT = "the assistant's backend wrote this", "an account wrote this"


@dataclasses.dataclass
class World:
    app: App
    lake: str
    root: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[World]:
    root = tmp_path_factory.mktemp("authorship")
    db = root / "consentry.db"
    shutil.copy(sqlite_template, db)
    clock = TestClock(BEFORE_DEADLINE)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONSENTRY_SECRET_KEY", SECRET_KEY)
        app = build(Settings(database_url=f"sqlite:///{db}"), migrate=False, clock=clock)
        ctx = app.ctx
        uid = accounts.sign_up(ctx, plan="pro", training="on").account_id
        sid = sessions.start_session(ctx, account_id=uid, kind="chat").session.id
        sessions.add_message(ctx, account_id=uid, session_id=sid, role="user", content="hi")
        sessions.add_message(
            ctx,
            account_id=uid,
            session_id=sid,
            role="assistant",
            content=BY_SERVICE,
            author=Author.SERVICE,
        )
        # SPEC §3 lets an account post "assistant" text (the default policy).
        sessions.add_message(
            ctx,
            account_id=uid,
            session_id=sid,
            role="assistant",
            content=BY_ACCOUNT,
        )
        clock.set(clock.now() + timedelta(hours=1))
        lake = str(root / "lake")
        LakeExporter(app.engine, lake, buckets=2).export(now=clock.now())
        yield World(app, lake, root)
        app.engine.dispose()


def _texts(directory: Path) -> list[str]:
    files = sorted(directory.glob("messages-*.parquet"))
    return [row["text"] for f in files for row in pq.read_table(f).to_pylist()]


def test_the_lake_messages_carry_their_author(world: World) -> None:
    snap = open_table(world.lake, "messages").snapshot()
    rows = pq.read_table(open_table(world.lake, "messages").uris(snap), partitioning=None)
    authors = {r["content"]: r["author"] for r in rows.to_pylist()}
    assert authors[BY_SERVICE] == "service" and authors[BY_ACCOUNT] == "account"
    assert authors["hi"] == "account"


@pytest.mark.parametrize(
    ("policy", "kept"),
    [(DEFAULT_POLICY, {BY_SERVICE}), (ANY, {BY_SERVICE, BY_ACCOUNT})],
    ids=["service", "any"],
)
def test_spark_leaves_out_what_the_embedded_export_leaves_out(
    spark: Any, world: World, policy: Policy, kept: set[str]
) -> None:
    from consentry.service.training_export import export_run as embedded_export
    from consentry.spark.export import export_run as spark_export
    from consentry.spark.runs import create_run

    ctx = dataclasses.replace(world.app.ctx, policy=policy)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CONSENTRY_SECRET_KEY", SECRET_KEY)
        embedded = runs.create_run(ctx, purpose="model_training")
        run = create_run(
            spark,
            lake=world.lake,
            purpose="model_training",
            cutoff=embedded.cutoff,
            policy=policy,
            run_id=embedded.id,
            secret=embedded.pseudonym_secret,
        )
        assert run.assistant_from == policy.export_assistant_messages_from.value
        assert run.messages == embedded.messages
        a, b = world.root / f"embedded-{run.id}", world.root / f"spark-{run.id}"
        embedded_export(ctx, run_id=embedded.id, out_dir=str(a))
        spark_export(spark, lake=world.lake, run_id=run.id, out_dir=str(b))
    embedded_texts, spark_texts = _texts(a / run.id), _texts(b / run.id)
    assert spark_texts == embedded_texts
    assert {BY_SERVICE, BY_ACCOUNT} & set(spark_texts) == kept
