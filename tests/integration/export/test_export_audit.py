"""`runs audit` / `audit_export` re-prove a run and its files, naming each bad item (R25, R26)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import delete, insert, text
from typer.testing import CliRunner

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App
from consentry.entrypoints.cli import app as cli
from consentry.export import canonical_json, read_manifest
from consentry.service import runs
from consentry.service.export_audit import audit_export
from consentry.service.training_export import export_run

from .conftest import Population


def _exported(app: App, tmp_path: Path, fmt: str = "parquet") -> tuple[str, Path]:
    run = runs.create_run(app.ctx, purpose="model_training")
    result = export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path), fmt=fmt)
    return run.id, Path(result.directory)


def _findings(app: App, run_id: str, directory: Path) -> set[tuple[str, str, str]]:
    report = audit_export(app.ctx, run_id=run_id, directory=str(directory))
    assert report.ok == (not report.findings)
    return {(f.kind, f.item_id, f.problem) for f in report.findings}


def test_honest_run_and_export_pass(app: App, population: Population, tmp_path: Path) -> None:
    run_id, directory = _exported(app, tmp_path)
    report = audit_export(app.ctx, run_id=run_id, directory=str(directory))
    assert report.ok, report.findings
    assert report.checked_sessions > 0


def test_manifest_row_added_in_the_store_is_named_R26(
    app: App, population: Population, tmp_path: Path
) -> None:
    run_id, directory = _exported(app, tmp_path)
    with app.ctx.uow() as uow:
        members = {m.session_id for m in uow.runs.manifest_sessions(run_id)}
        row = uow.store.conn.execute(text("SELECT id, account_id FROM sessions ORDER BY id")).all()
        intruder = next(r for r in row if r.id not in members)
        uow.store.conn.execute(
            insert(t.run_sessions).values(
                run_id=run_id, session_id=intruder.id, account_id=intruder.account_id
            )
        )
        uow.commit()
    found = _findings(app, run_id, directory)
    assert ("session", intruder.id, "extra") in found


def test_manifest_row_removed_in_the_store_is_named_R26(
    app: App, population: Population, tmp_path: Path
) -> None:
    run_id, directory = _exported(app, tmp_path)
    with app.ctx.uow() as uow:
        victim = uow.runs.manifest_sessions(run_id)[0].session_id
        uow.store.conn.execute(
            delete(t.run_sessions).where(
                t.run_sessions.c.run_id == run_id, t.run_sessions.c.session_id == victim
            )
        )
        uow.commit()
    found = _findings(app, run_id, directory)
    assert ("session", victim, "missing") in found
    # The export still holds that session: its pseudonym now matches no manifest session.
    assert any(kind == "session" and problem == "extra_in_export" for kind, _, problem in found)


def test_tampered_ledger_fails_the_audit_R26_R27(
    app: App, population: Population, tmp_path: Path
) -> None:
    run_id, directory = _exported(app, tmp_path)
    with app.ctx.uow() as uow:
        conn = uow.store.conn
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER consent_events_no_update"))
        else:
            conn.execute(text("ALTER TABLE consent_events DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE consent_events SET value = 'on' WHERE value = 'off'"))
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE consent_events ENABLE TRIGGER USER"))
        uow.commit()
    found = _findings(app, run_id, directory)
    assert any(kind == "ledger" for kind, _, _ in found), found


def test_altered_shard_is_named(app: App, population: Population, tmp_path: Path) -> None:
    run_id, directory = _exported(app, tmp_path)
    shard = directory / "messages-00000.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    found = _findings(app, run_id, directory)
    assert ("export", "messages-00000.parquet", "export_invalid") in found


def test_rewritten_shard_with_fixed_hash_is_caught_by_pseudonyms(
    app: App, population: Population, tmp_path: Path
) -> None:
    run_id, directory = _exported(app, tmp_path, fmt="jsonl")
    shard = directory / "messages-00000.jsonl"
    rows = [json.loads(line) for line in shard.read_text().splitlines()]
    dropped = rows[0]["session"]
    forged = [dict(r, session="f" * 32) if r["session"] == dropped else r for r in rows]
    shard.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in forged))
    manifest = read_manifest(directory)
    manifest["shards"][0]["sha256"] = hashlib.sha256(shard.read_bytes()).hexdigest()
    (directory / "manifest.json").write_bytes(canonical_json(manifest))
    found = _findings(app, run_id, directory)
    assert ("session", "f" * 32, "extra_in_export") in found
    assert any(problem == "missing_from_export" for _, _, problem in found)


def test_manifest_json_fields_must_match_the_run(
    app: App, population: Population, tmp_path: Path
) -> None:
    run_id, directory = _exported(app, tmp_path)
    manifest = read_manifest(directory)
    manifest["ledger_head"] = "0" * 64
    manifest["counts"]["sessions"] += 1
    manifest["unavailable"]["sessions"] += 1
    (directory / "manifest.json").write_bytes(canonical_json(manifest))
    found = _findings(app, run_id, directory)
    assert ("export", "manifest.json:ledger_head", "manifest_mismatch") in found
    assert ("export", "manifest.json:counts", "manifest_mismatch") in found


def test_cli_export_and_audit_export(
    app: App, population: Population, tmp_path: Path, database_url: str
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    runner = CliRunner()
    db = ["--database-url", database_url]
    done = runner.invoke(
        cli, ["runs", "export", run.id, "--format", "jsonl", "--out", str(tmp_path), *db]
    )
    assert done.exit_code == 0, done.output
    directory = tmp_path / run.id
    assert (directory / "messages-00000.jsonl").exists()
    ok = runner.invoke(cli, ["runs", "audit-export", run.id, str(directory), *db])
    assert ok.exit_code == 0, ok.output
    (directory / "feedback-00000.jsonl").write_text("{}\n")
    bad = runner.invoke(cli, ["runs", "audit-export", run.id, str(directory), *db])
    assert bad.exit_code == 1
    assert "feedback-00000.jsonl" in bad.output
    wrong = runner.invoke(
        cli, ["runs", "export", run.id, "--format", "csv", "--out", str(tmp_path), *db]
    )
    assert wrong.exit_code == 2
