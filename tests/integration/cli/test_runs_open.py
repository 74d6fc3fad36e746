"""Issue 26: `consentry runs open` gives a trainer the plain shards of a sealed export.

R25: the export a trainer reads is the filtered, pseudonymised one the manifest proves;
R17/R26: once the run key is destroyed no copy opens. The opened directory is private
(0700, files 0600) and appears whole or not at all.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.errors import ExportInvalid, InvalidInput
from consentry.entrypoints.cli import app as cli
from consentry.export.manifest import read_manifest
from consentry.export.opened import open_export
from consentry.service import runs
from consentry.service.keys import KeyUnavailable, run_scope
from consentry.service.training_export import export_run
from tests.integration.service.conftest import World
from tests.shredding import shredding, world  # noqa: F401 (fixtures)

runner = CliRunner()


def _exported(w: World, out: Path) -> tuple[str, Path]:
    uid = w.user(training="on")
    sid = w.chat(uid, "how do I reverse a list? my phone is +1 415 555 0134")
    w.say(uid, sid, "use reversed(xs)", role="assistant")
    w.advance(days=1)
    run = runs.create_run(w.ctx, purpose="model_training")
    result = export_run(w.ctx, run_id=run.id, out_dir=str(out), fmt="jsonl")
    return run.id, Path(result.directory)


def test_runs_open_writes_the_plain_filtered_shards_privately_R25(
    world: World, sqlite_url: str, tmp_path: Path
) -> None:
    run_id, root = _exported(world, tmp_path / "exports")
    sealed = b"".join(p.read_bytes() for p in root.glob("messages-*.jsonl"))
    assert b"reverse" not in sealed
    target = tmp_path / "trainer" / "opened"
    done = runner.invoke(
        cli,
        ["runs", "open", run_id, str(root), "--to", str(target), "--database-url", sqlite_url],
    )
    assert done.exit_code == 0, done.output
    answer = json.loads(done.output[done.output.index("{") :])
    manifest = read_manifest(root)
    assert answer["directory"] == str(target)
    assert answer["shards"] == [{"path": e["path"], "rows": e["rows"]} for e in manifest["shards"]]
    assert stat.S_IMODE(target.stat().st_mode) == 0o700
    files = sorted(target.iterdir())
    assert [f.name for f in files] == sorted(e["path"] for e in manifest["shards"])
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    rows = [
        json.loads(line)
        for f in files
        if f.name.startswith("messages-")
        for line in f.read_text().splitlines()
    ]
    texts = " ".join(r["text"] for r in rows)
    assert "how do I reverse a list?" in texts and "use reversed(xs)" in texts
    assert "415 555 0134" not in texts and "enc:v1:" not in texts  # filtered (R24)
    assert len(rows) == sum(e["rows"] for e in manifest["shards"] if "messages" in e["path"])

    again = runner.invoke(
        cli,
        ["runs", "open", run_id, str(root), "--to", str(target), "--database-url", sqlite_url],
    )
    assert again.exit_code == 2 and "validation_error" in again.output
    assert sorted(target.iterdir()) == files  # the first opening is untouched


def test_a_tampered_or_shredded_export_does_not_open_and_leaves_nothing_R17_R26(
    world: World, tmp_path: Path
) -> None:
    run_id, root = _exported(world, tmp_path / "exports")
    shard = next(root.glob("messages-*.jsonl"))
    good = shard.read_bytes()
    shard.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    with pytest.raises(ExportInvalid, match="does not verify"):
        open_export(world.ctx, run_id=run_id, directory=str(root), target=str(tmp_path / "a"))
    shard.write_bytes(good)
    assert world.ctx.shredder is not None
    world.ctx.shredder.keys.destroy([run_scope(run_id)])  # what `keys collect` does
    with pytest.raises(KeyUnavailable, match="destroyed"):
        open_export(world.ctx, run_id=run_id, directory=str(root), target=str(tmp_path / "b"))
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("consentry-opened-")] == []


def test_a_plain_export_is_not_opened_and_a_target_is_never_reused_R25(
    world: World, sqlite_url: str, clock: TestClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id, root = _exported(world, tmp_path / "exports")
    taken = tmp_path / "taken"
    taken.mkdir()
    with pytest.raises(InvalidInput, match="exists"):
        open_export(world.ctx, run_id=run_id, directory=str(root), target=str(taken))
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "0")
    plain_app = build(Settings.from_env(database_url=sqlite_url), migrate=False, clock=clock)
    try:
        plain = export_run(plain_app.ctx, run_id=run_id, out_dir=str(tmp_path / "p"), fmt="jsonl")
        with pytest.raises(ExportInvalid, match="not sealed"):
            open_export(
                plain_app.ctx, run_id=run_id, directory=plain.directory, target=str(tmp_path / "c")
            )
        with pytest.raises(KeyUnavailable, match="shredding is off"):
            open_export(
                plain_app.ctx, run_id=run_id, directory=str(root), target=str(tmp_path / "d")
            )
    finally:
        plain_app.engine.dispose()
