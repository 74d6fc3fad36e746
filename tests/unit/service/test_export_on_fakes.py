"""A training export and its audit (`service/training_export.py`,
`service/export_audit.py`) on the in-memory fakes of the export reads (issue 20): the
keyset pages, the purged-since counts and the audit's reads. tests/integration/export
runs the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from consentry.domain.policy import DEFAULT_POLICY
from consentry.service import export_audit, retention, runs, sessions
from consentry.service.context import Context
from consentry.service.training_export import ExportCounts, export_run
from tests.unit.service.conftest import T0, move_clock
from tests.unit.service.fake_uow import InMemoryStore
from tests.unit.service.test_runs_on_fakes import _history


def test_an_export_writes_the_manifest_and_its_audit_passes_R20_R25_R26(
    fake_ctx: Context, fake_store: InMemoryStore, tmp_path: Path
) -> None:
    """R25: shards and a manifest with the run's counts; R20: only manifest sessions'
    messages (the account-written assistant message is not taken, issue 17); R26: the
    audit of the export finds every item where the store says it belongs."""
    _history(fake_ctx)
    move_clock(fake_ctx, T0 + timedelta(hours=1))
    run = runs.create_run(fake_ctx, purpose="model_training")

    result = export_run(fake_ctx, run_id=run.id, out_dir=str(tmp_path), batch_rows=1)
    assert result.counts == ExportCounts(sessions=2, messages=4, feedback=1)
    assert result.unavailable == ExportCounts()
    assert [Path(f.path).name for f in result.files][-1] == "manifest.json"
    written = {Path(f.path).name.split("-")[0]: f.rows for f in result.files[:-1]}
    assert written == {"messages": 4, "feedback": 1}  # batch_rows=1: one page per row
    report = export_audit.audit_export(fake_ctx, run_id=run.id, directory=result.directory)
    assert report.ok, report.findings


def test_content_purged_after_the_run_is_counted_unavailable_R14_R17_R21_R25(
    fake_ctx: Context, fake_store: InMemoryStore, tmp_path: Path
) -> None:
    """R21: the manifest keeps a session deleted after the run, but once purged (R14,
    R17) its content and its feedback are gone: a later export counts them unavailable
    instead of writing them, and the audit still passes."""
    named = _history(fake_ctx)
    move_clock(fake_ctx, T0 + timedelta(hours=1))
    run = runs.create_run(fake_ctx, purpose="model_training")
    sessions.delete_session(fake_ctx, account_id=named["on"], session_id=named["covered"])
    move_clock(fake_ctx, T0 + timedelta(hours=1) + DEFAULT_POLICY.retention.days("deleted_grace"))
    retention.sweep_expired(fake_ctx)  # also purges the off sessions (standard period)
    assert fake_store.sessions[named["covered"]].purged_at is not None
    assert fake_store.sessions[named["resumed"]].purged_at is None  # kept: training on

    result = export_run(fake_ctx, run_id=run.id, out_dir=str(tmp_path))
    assert result.unavailable == ExportCounts(sessions=1, messages=2, feedback=1)
    assert result.counts == ExportCounts(run.sessions, run.messages, run.feedback)
    written = {Path(f.path).name.split("-")[0]: f.rows for f in result.files[:-1]}
    assert written == {"messages": run.messages - 2, "feedback": 0}
    report = export_audit.audit_export(fake_ctx, run_id=run.id, directory=result.directory)
    assert report.ok, report.findings
