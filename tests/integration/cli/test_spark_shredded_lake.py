"""Issue 26 item 4: the Spark job refuses a lake that holds crypto-shredded content.

With crypto-shredding on, the lake carries ciphertext and the Spark job has no data keys:
`spark run-create` and `spark export` exit 2 with `lake_encrypted` before a JVM starts,
instead of filtering ciphertext into a run (R24: shards hold filtered plain text); a
lake written with shredding off is not refused.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.adapters.sql.engine import upgrade
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.entrypoints.cli import app as cli
from consentry.lake.export import LakeExporter
from consentry.spark.shredded import LakeEncrypted, encrypted_table, refuse_encrypted_lake
from tests.conftest import require_or_skip
from tests.integration.cli.test_db_backup_keys import shredding  # noqa: F401 (fixture)
from tests.integration.service.conftest import World

runner = CliRunner()


@pytest.fixture
def world(sqlite_url: str, clock: TestClock, shredding: Path) -> Iterator[World]:  # noqa: F811
    app: App = build(Settings.from_env(database_url=sqlite_url), migrate=False, clock=clock)
    yield World(app, clock)
    app.engine.dispose()


def _lake(world: World, root: Path, text: str) -> str:
    uid = world.user(training="on")
    world.chat(uid, text)
    world.advance(days=1)
    LakeExporter(world.app.engine, str(root)).export(now=world.clock.now())
    return str(root)


def test_a_lake_with_ciphertext_is_refused_and_a_plain_one_is_not_R24(
    world: World, clock: TestClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encrypted = _lake(world, tmp_path / "lake-enc", "secret words")
    assert encrypted_table(encrypted) == "messages.content"
    with pytest.raises(LakeEncrypted) as refused:
        refuse_encrypted_lake(encrypted)
    assert refused.value.code == "lake_encrypted"

    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "0")
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    upgrade(url)
    plain_app = build(Settings.from_env(database_url=url), migrate=False, clock=clock)
    try:
        plain = _lake(World(plain_app, clock), tmp_path / "lake-plain", "plain words")
    finally:
        plain_app.engine.dispose()
    assert encrypted_table(plain) is None
    refuse_encrypted_lake(plain)  # no error: Spark may read it


def test_spark_run_create_and_export_exit_2_with_lake_encrypted_R24(
    world: World, tmp_path: Path
) -> None:
    require_or_skip(importlib.util.find_spec("pyspark") is not None, "pyspark (spark extra)")
    lake = _lake(world, tmp_path / "lake", "secret words")
    for args in (
        ["spark", "run-create", "--lake", lake],
        ["spark", "export", "--lake", lake, "--run-id", "run_x", "--out", str(tmp_path / "o")],
    ):
        done = runner.invoke(cli, args)
        assert done.exit_code == 2, done.output
        assert "lake_encrypted" in done.output and "consentry runs export" in done.output
    assert not (tmp_path / "o").exists()
