"""Issue 26 item 3: the Spark job opens a crypto-shredded lake only with keys handed to it.

`consentry spark export` with shredding on opens the vault and hands the job the run's
data keys (tests/spark/test_shredded_export.py holds its export equal to the embedded
one, R24/R25). Without keys -- spark-submit running job.py, which opens no vault, or the
CLI with shredding off -- an export over a lake holding ciphertext is refused with
`lake_encrypted` instead of filtering ciphertext into a run (R24: shards hold filtered
plain text); a lake written with shredding off is not refused. `spark run-create` reads
no text and needs no keys.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.adapters.sql.engine import upgrade
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.entrypoints.cli import app as cli
from consentry.lake.export import LakeExporter
from consentry.spark import job
from consentry.spark.shredded import LakeEncrypted, encrypted_table, refuse_encrypted_lake
from tests.conftest import require_or_skip
from tests.integration.service.conftest import World
from tests.shredding import shredding, world  # noqa: F401 (fixtures)

runner = CliRunner()


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


def test_job_py_without_keys_refuses_an_encrypted_lake_R24_issue26(
    world: World, tmp_path: Path
) -> None:
    """spark-submit runs job.py with no vault: its export is refused before any Spark work
    (a stand-in session that fails on use proves nothing ran), and nothing is written."""
    lake = _lake(world, tmp_path / "lake", "secret words")
    out = tmp_path / "o"

    class NoSpark:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"Spark was used ({name}) before the refusal")

    argv = ["export", "--lake", lake, "--run-id", "run_x", "--out", str(out)]
    with pytest.raises(LakeEncrypted) as refused:
        job.run(argv, spark=NoSpark())
    assert refused.value.code == "lake_encrypted"
    assert "CONSENTRY_CRYPTO_SHREDDING=1" in refused.value.message
    assert not out.exists()


def test_cli_export_with_shredding_off_exits_2_and_run_create_needs_no_keys_R24(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_or_skip(
        importlib.util.find_spec("pyspark") is not None and bool(shutil.which("java")),
        "pyspark with a Java runtime (spark extra)",
    )
    lake = _lake(world, tmp_path / "lake", "secret words")
    created = runner.invoke(cli, ["spark", "run-create", "--lake", lake, "--master", "local[2]"])
    assert created.exit_code == 0, created.output
    assert '"sessions": 1' in created.output and '"messages": 1' in created.output
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "0")  # no vault: no keys
    run_id = created.output.split('"id": "')[1].split('"')[0]
    out = tmp_path / "o"
    args = ["spark", "export", "--lake", lake, "--run-id", run_id, "--out", str(out)]
    done = runner.invoke(cli, [*args, "--master", "local[2]"])
    assert done.exit_code == 2, done.output
    assert "lake_encrypted" in done.output and "consentry runs export" in done.output
    assert not out.exists()
