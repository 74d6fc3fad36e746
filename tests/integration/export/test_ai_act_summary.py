"""The AI Act training-content summary of a run, from its export (docs/rules.md P7, P8)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from consentry.bootstrap import App
from consentry.domain.errors import ExportInvalid, NotExported, SummaryUnavailable
from consentry.entrypoints.cli import app as cli
from consentry.export import canonical_json, read_manifest
from consentry.export.ai_act import render_markdown, training_content_summary
from consentry.service import runs
from consentry.service.export_audit import audit_export
from consentry.service.training_export import export_run

from .conftest import Population

ENGLISH = "Could you help me write a short letter to my landlord about the broken heating?"
GERMAN = "Kannst du mir bitte helfen, einen kurzen Brief an meinen Vermieter zu schreiben?"
FRENCH = "Peux-tu m'aider à écrire une lettre courte à mon propriétaire au sujet du chauffage?"


def _world(app: App, clock: Any) -> Population:
    p = Population(app, clock)
    on = p.user()
    p.chat(on, ENGLISH, "Of course. Here is a polite letter you can send to your landlord.")
    p.chat(on, GERMAN, "Gern, hier ist ein höflicher Brief an deinen Vermieter.", surface="mobile")
    p.chat(
        on, FRENCH, "Bien sûr, voici une lettre polie pour votre propriétaire.", surface="desktop"
    )
    p.chat(on, "def f(x): return x  # why?", kind="code")
    p.chat(on, "ok")  # too few letters: undetermined
    off = p.user(training="off")
    p.chat(off, "Dies ist nicht im Lauf, denn Training ist aus.")
    p.advance(seconds=1)
    return p


def _rows(directory: Path) -> list[dict[str, Any]]:
    manifest = read_manifest(directory)
    rows: list[dict[str, Any]] = []
    for shard in manifest["shards"]:
        if shard["path"].startswith("messages-"):
            lines = (directory / shard["path"]).read_text(encoding="utf-8").splitlines()
            rows += [json.loads(line) for line in lines]
    return rows


def _export(app: App, tmp_path: Path, fmt: str) -> tuple[str, Path]:
    run = runs.create_run(app.ctx, purpose="model_training")
    return run.id, Path(
        export_run(app.ctx, run_id=run.id, out_dir=str(tmp_path), fmt=fmt).directory
    )


def test_summary_numbers_are_the_exported_rows_P7(app: App, clock: Any, tmp_path: Path) -> None:
    """P7: sizes, sources by surface, time span and languages equal what a reader of the
    JSON Lines shards counts for themselves."""
    _world(app, clock)
    run_id, directory = _export(app, tmp_path, "jsonl")
    rows = _rows(directory)
    summary = training_content_summary(app.ctx, run_id=run_id, directory=directory)
    info = summary["general_information"]
    assert info["size"]["messages"] == len(rows) == 8
    assert info["size"]["sessions"] == len({r["session"] for r in rows}) == 5
    assert info["size"]["characters"] == sum(len(r["text"]) for r in rows)
    assert info["size"]["range"] == "less than 1 billion tokens"
    assert info["time_span"]["earliest"] == min(r["at"] for r in rows)
    assert info["time_span"]["latest"] == max(r["at"] for r in rows)
    assert info["time_span"]["cutoff"] == summary["run"]["cutoff"]
    by_surface = {
        (s["surface"], s["kind"]): s["messages"]
        for s in summary["data_sources"]["user_data"]["by_surface"]
    }
    assert by_surface == dict(Counter((r["surface"], r["kind"]) for r in rows))
    languages = {entry["language"]: entry["sessions"] for entry in info["languages"]}
    assert {"en", "de", "fr", "und"} <= set(languages)
    assert sum(languages.values()) == 5
    assert sum(e["characters"] for e in info["languages"]) == info["size"]["characters"]
    assert summary["data_sources"]["crawled_or_scraped"] is None
    stages = summary["data_processing"]["sensitive_data"]["filter_stages"]
    assert stages == read_manifest(directory)["filter"]["stages"] and stages
    assert summary["general_information"]["provider"] == app.ctx.policy.controller
    markdown = render_markdown(summary)
    for heading in ("## 1. General information", "## 2. List of data sources", "2.4 User data"):
        assert heading in markdown


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_audit_recounts_the_content_and_names_an_edited_number_P8(
    app: App, clock: Any, tmp_path: Path, fmt: str
) -> None:
    """P8: an honest export audits ok; a manifest whose character count was raised
    (kept canonical) is named, key by key."""
    _world(app, clock)
    run_id, directory = _export(app, tmp_path, fmt)
    assert audit_export(app.ctx, run_id=run_id, directory=str(directory)).ok
    manifest = read_manifest(directory)
    manifest["content"]["characters"] += 1
    manifest["content"]["languages"][0]["sessions"] += 1
    (directory / "manifest.json").write_bytes(canonical_json(manifest))
    report = audit_export(app.ctx, run_id=run_id, directory=str(directory))
    items = {(f.item_id, f.problem) for f in report.findings}
    assert items == {
        ("manifest.json:content.characters", "manifest_mismatch"),
        ("manifest.json:content.languages", "manifest_mismatch"),
    }


def test_manifest_from_before_content_audits_ok_and_has_no_summary_P7_P8(
    app: App, clock: Any, tmp_path: Path
) -> None:
    """P8: a manifest without ``content`` is still a complete export that audits ok;
    P7: it has no summary (409 summary_unavailable), the caller exports again."""
    _world(app, clock)
    run_id, directory = _export(app, tmp_path, "parquet")
    manifest = read_manifest(directory)
    del manifest["content"]
    (directory / "manifest.json").write_bytes(canonical_json(manifest))
    assert audit_export(app.ctx, run_id=run_id, directory=str(directory)).ok
    with pytest.raises(SummaryUnavailable):
        training_content_summary(app.ctx, run_id=run_id, directory=directory)


def test_no_summary_without_a_verified_export_of_the_run_P7(
    app: App, clock: Any, tmp_path: Path
) -> None:
    """P7: no manifest, a shard edited after export, or another run's export: refused."""
    _world(app, clock)
    run_id, directory = _export(app, tmp_path, "jsonl")
    with pytest.raises(NotExported):
        training_content_summary(app.ctx, run_id=run_id, directory=tmp_path / "nowhere")
    other = runs.create_run(app.ctx, purpose="model_training").id
    with pytest.raises(ExportInvalid):
        training_content_summary(app.ctx, run_id=other, directory=directory)
    shard = next(directory.glob("messages-*.jsonl"))
    shard.write_bytes(shard.read_bytes().replace(b"landlord", b"landlady"))
    with pytest.raises(ExportInvalid):
        training_content_summary(app.ctx, run_id=run_id, directory=directory)


def test_cli_runs_summary_prints_markdown_and_json_P7(
    sqlite_url: str, clock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """P7: ``consentry runs summary RUN --format md|json`` over the default export directory."""
    from consentry.bootstrap import build
    from consentry.config.settings import Settings
    from consentry.domain.policy import DEFAULT_POLICY

    app = build(
        Settings(database_url=sqlite_url), migrate=False, clock=clock, policy=DEFAULT_POLICY
    )
    _world(app, clock)
    run_id, _ = _export(app, tmp_path / "exports", "parquet")
    app.engine.dispose()
    monkeypatch.setenv("CONSENTRY_EXPORT_DIR", str(tmp_path / "exports"))
    runner = CliRunner()
    base = ["runs", "summary", run_id, "--database-url", sqlite_url]
    md = runner.invoke(cli, base)
    assert md.exit_code == 0, md.output
    assert f"# Public summary of training content: run {run_id}" in md.output
    assert "| de |" in md.output
    js = runner.invoke(cli, [*base, "--format", "json"])
    assert js.exit_code == 0, js.output
    assert json.loads(js.output)["general_information"]["size"]["messages"] == 8
    bad = runner.invoke(cli, [*base, "--format", "pdf"])
    assert bad.exit_code == 2
    missing = runner.invoke(cli, [*base[:2], "run_nope", *base[3:]])
    assert missing.exit_code == 2 and "not_found" in missing.output
