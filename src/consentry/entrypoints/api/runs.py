"""Training runs for operators (R19–R26): create, list, read, manifest, start, audit, export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, BackgroundTasks

from consentry.entrypoints.api import schemas as s
from consentry.entrypoints.api.deps import Admin, Core
from consentry.entrypoints.api.errors import ERROR_RESPONSES
from consentry.service import audits, runs
from consentry.service.views import run_json, stored_audit_json

router = APIRouter(
    prefix="/v1/admin/training-runs", tags=["training runs"], responses=ERROR_RESPONSES
)


@router.post(
    "",
    status_code=201,
    response_model=s.RunOut,
    responses={503: {"model": s.ErrorBody, "description": "busy: writers in flight too long"}},
)
def create_run(body: s.RunIn, core: Core, _: Admin, background: BackgroundTasks) -> dict[str, Any]:
    """R19/R20: a permitted purpose only (422 ``purpose_not_permitted``); cutoff is now.
    The run is audited in the background once the answer is sent (R26), and the result
    stored for the admin pages."""
    run = runs.create_run(core.ctx, purpose=body.purpose)
    background.add_task(audits.audit_in_background, core.ctx, run_id=run.id)
    return run_json(run)


@router.get("", response_model=list[s.RunOut])
def list_runs(core: Core, _: Admin) -> list[dict[str, Any]]:
    return [run_json(run) for run in runs.list_runs(core.ctx)]


@router.get("/{run_id}", response_model=s.RunOut)
def get_run(run_id: str, core: Core, _: Admin) -> dict[str, Any]:
    return run_json(runs.get_run(core.ctx, run_id=run_id))


@router.get("/{run_id}/manifest", response_model=s.ManifestOut)
def get_manifest(run_id: str, core: Core, _: Admin) -> dict[str, Any]:
    manifest = runs.get_manifest(core.ctx, run_id=run_id)
    return {"run_id": manifest.run_id, "sessions": manifest.sessions, "feedback": manifest.feedback}


@router.post("/{run_id}/start", response_model=s.RunOut)
def start_run(run_id: str, core: Core, _: Admin) -> dict[str, Any]:
    """R21: starting twice answers 409 ``invalid_state``."""
    return run_json(runs.start_run(core.ctx, run_id=run_id))


@router.post("/{run_id}/export", response_model=s.ExportOut)
def export_run(run_id: str, core: Core, _: Admin, body: s.ExportIn | None = None) -> dict[str, Any]:
    """R24/R25: filtered, pseudonymous shards plus ``manifest.json`` under the export
    directory; a rerun yields the same bytes. Paths are absolute."""
    from consentry.service import training_export  # heavy (pyarrow): load on first use

    out_dir = Path(core.settings.export_dir).resolve()
    fmt = body.format if body is not None else "parquet"
    result = training_export.export_run(core.ctx, run_id=run_id, out_dir=str(out_dir), fmt=fmt)
    return {
        "directory": str(Path(result.directory).resolve()),
        "files": [
            {"path": str(Path(f.path).resolve()), "sha256": f.sha256, "rows": f.rows}
            for f in result.files
        ],
    }


@router.get("/{run_id}/summary", response_model=s.JsonObject)
def training_content_summary(run_id: str, core: Core, _: Admin) -> dict[str, Any]:
    """P7: the EU AI Act Art. 53(1)(d) summary of the run's training content, from its
    verified export under the export directory (409 ``not_exported``, ``export_invalid``
    or ``summary_unavailable`` otherwise)."""
    from consentry.export.ai_act import training_content_summary as summarize

    directory = Path(core.settings.export_dir).resolve() / run_id
    return summarize(core.ctx, run_id=run_id, directory=directory)


@router.get("/{run_id}/audit", response_model=s.AuditOut)
def audit_run(run_id: str, core: Core, _: Admin) -> dict[str, Any]:
    """R26: recompute eligibility at the cutoff and report every extra or missing item."""
    report = runs.audit_run(core.ctx, run_id=run_id)
    return {
        "run_id": report.run_id,
        "ok": report.ok,
        "checked_sessions": report.checked_sessions,
        "checked_feedback": report.checked_feedback,
        "findings": [
            {"kind": f.kind, "item_id": f.item_id, "problem": f.problem, "detail": f.detail}
            for f in report.findings
        ],
    }


@router.post("/{run_id}/audit", response_model=s.StoredAuditOut)
def audit_and_store(run_id: str, core: Core, _: Admin) -> dict[str, Any]:
    """R26 on demand: audit now, keep the result (the admin pages show the latest) and
    answer it with the instant it ran and the ledger head it saw."""
    return stored_audit_json(audits.audit_and_store(core.ctx, run_id=run_id))
