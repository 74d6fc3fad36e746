"""The lake on object storage (issue 25): ``s3://`` against a real S3-compatible server.

moto's S3 server (``moto[server]``, the dev extra) runs on 127.0.0.1 in a subprocess;
the lake talks to it over HTTP through delta-rs and pyarrow's S3 file system, with the
credentials and endpoint from the environment (``AWS_*``), as against AWS or MinIO.
No Spark: the Spark job refuses an ``s3://`` lake (it would need the hadoop-aws JARs).
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.lake import schema as ls
from consentry.lake.catalog import open_table
from consentry.lake.export import LakeExporter
from consentry.lake.storage import storage_for
from consentry.service import accounts, retention, sessions
from tests.conftest import BEFORE_DEADLINE, require_or_skip

BUCKET = "consentry-lake"
LAKE = f"s3://{BUCKET}/prod/lake"
SECRET = "moto-secret-key-never-printed"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto's S3 server in a process of its own (in a thread of this one, a delta-rs call
    that holds the GIL while it waits for the server's answer would wait forever)."""
    require_or_skip(importlib.util.find_spec("moto") is not None, "moto[server] (dev extra)")
    import boto3

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for key, value in {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "consentry-test",
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_REGION": "us-east-1",
        }.items():
            monkeypatch.setenv(key, value)
        deadline = time.monotonic() + 60
        while True:
            try:
                boto3.client("s3").create_bucket(Bucket=BUCKET)
                break
            except Exception:  # not listening yet
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def world(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[App, TestClock]]:
    db = tmp_path / "consentry.db"
    shutil.copy(sqlite_template, db)
    clock = TestClock(BEFORE_DEADLINE)
    app = build(Settings(database_url=f"sqlite:///{db}"), migrate=False, clock=clock)
    yield app, clock
    app.engine.dispose()


def populate(app: App, *, chats: int) -> dict[str, str]:
    """Accounts with one two-message chat each; returns {session id: account id}."""
    out = {}
    for i in range(chats):
        account = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
        sid = sessions.start_session(app.ctx, account_id=account, kind="chat").session.id
        for role in ("user", "assistant"):
            sessions.add_message(
                app.ctx, account_id=account, session_id=sid, role=role, content=f"{role} {i}"
            )
        out[sid] = account
    return out


def messages_in_db(app: App) -> list[tuple[str, str]]:
    with app.engine.connect() as conn:
        m = t.messages.c
        return sorted((r.id, r.content) for r in conn.execute(select(m.id, m.content)))


def test_lake_export_to_s3_reads_back_with_polars_and_pyarrow_issue25(
    s3: str, world: tuple[App, TestClock]
) -> None:
    import polars as pl
    from deltalake import DeltaTable

    from consentry.entrypoints.cli_lake import app as lake_cli

    app, _ = world
    populate(app, chats=3)
    url = str(app.engine.url)
    result = CliRunner().invoke(lake_cli, ["export", "--lake", LAKE, "--database-url", url])
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output  # the storage options are never printed
    store = storage_for(LAKE)
    assert store.remote and SECRET not in repr(store)
    for table in ls.TABLES:
        assert open_table(LAKE, table.name).snapshot().version == 1, table.name
    # Nothing of the lake is on a local disk: it is all in the bucket.
    assert any(k.endswith(".parquet") for k in store.list(f"{BUCKET}/prod/lake/messages"))
    want = messages_in_db(app)
    # Polars (through delta-rs) and pyarrow (over the files the Delta log lists).
    got = pl.read_delta(f"{LAKE}/messages", storage_options=store.options)
    assert sorted(zip(got["id"], got["content"], strict=True)) == want
    listed = DeltaTable(f"{LAKE}/messages", storage_options=store.options).file_uris()
    paths = [u.removeprefix("s3://") for u in listed]
    rows = pq.read_table(paths, filesystem=store.filesystem, partitioning=None)
    assert sorted(zip(rows["id"].to_pylist(), rows["content"].to_pylist(), strict=True)) == want


def test_a_purge_over_s3_leaves_no_purged_row_in_any_file_r17_issue25(
    s3: str, world: tuple[App, TestClock]
) -> None:
    """The system of record's purge reaches the s3 lake in the next export as a purge
    commit; verify_absent holds: no data file left in the bucket (any retained version's,
    or an orphan's) holds a purged message, and no file the purge removed is left."""
    app, clock = world
    purged = populate(app, chats=2)
    exporter = LakeExporter(app.engine, LAKE, buckets=4)
    exporter.export(now=clock.now())
    clock.set(clock.now() + timedelta(days=1))
    kept = populate(app, chats=2)
    for sid, account in purged.items():  # R14: deleted; purged after the grace (R17)
        sessions.delete_session(app.ctx, account_id=account, session_id=sid)
    exporter.export(now=clock.now())
    msgs = open_table(LAKE, "messages")
    before = msgs.snapshot().version
    clock.set(clock.now() + timedelta(days=60))
    assert retention.sweep_expired(app.ctx).purged.sessions == len(purged)
    exporter.export(now=clock.now())
    assert any(v["purge"] for v in msgs.versions() if v["version"] > before)
    assert not msgs.readable(before)  # the version that held them cannot be read back
    assert msgs.leftovers() == []
    files = msgs.retained_files()
    assert files and all(f.startswith(f"{BUCKET}/prod/lake/messages/") for f in files)
    on_disk = pq.read_table(files, filesystem=msgs.filesystem, partitioning=None)
    held = set(on_disk.column("session_id").to_pylist())
    assert not held & set(purged)
    assert set(kept) <= held


def test_spark_job_refuses_an_s3_lake_with_a_clear_error_issue25() -> None:
    """Spark reads and writes the lake's files itself; without the hadoop-aws JARs (not
    fetchable here) it cannot, so the job refuses before a JVM starts."""
    from consentry.spark.job import LakeOnObjectStore, run

    for command in (["sweep"], ["run-create"], ["audit", "--run-id", "run_x"]):
        with pytest.raises(LakeOnObjectStore) as refused:
            run([command[0], "--lake", LAKE, *command[1:]])
        assert refused.value.code == "spark_lake_on_object_store"
        assert "mount" in refused.value.message
