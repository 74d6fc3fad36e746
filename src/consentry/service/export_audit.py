"""Re-prove an exported run (R25, R26): the run's audit plus its files.

`audit_export` runs :func:`consentry.service.runs.audit_run` (eligibility recomputed
with the pure domain rules, ledger head at the cutoff) and then checks the export
directory against the run:

* :func:`~consentry.export.verify_export`: the manifest is complete and canonical,
  every shard has its recorded SHA-256 and row count, nothing unlisted is present;
* the manifest's run id, purpose, cutoff, policy digest, ledger head and counts are
  the run's;
* the session pseudonyms in the message shards are exactly the HMACs of the manifest
  sessions that have exportable messages (sessions purged since may be present, as
  long as they are manifest sessions), each with its own account's pseudonym; the
  feedback pseudonyms likewise;
* the manifest's ``content`` (the AI Act summary's numbers, docs/rules.md P7), when it
  has one, equals the count made again from the message shards (P8); manifests written
  before ``content`` existed have nothing to compare and audit as before.

Every discrepancy is an :class:`~consentry.service.runs.AuditFinding` naming the item.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from consentry.export.content import content_of_shards
from consentry.export.formats import iso_utc, shard_columns
from consentry.export.manifest import read_manifest, shard_kind, verify_export
from consentry.export.pseudonyms import Pseudonymizer
from consentry.export.sealed import opened_shards
from consentry.service.context import Context
from consentry.service.keys import run_scope
from consentry.service.records import RunRecord
from consentry.service.runs import AuditFinding, AuditReport, audit_run, get_run


def audit_export(
    ctx: Context,
    *,
    run_id: str,
    directory: str,
    progress: Callable[[int], None] | None = None,
) -> AuditReport:
    """R26 for a run and one export directory of it; ``report.ok`` only if all hold."""
    report = audit_run(ctx, run_id=run_id, progress=progress)
    check_export(ctx, report, run=get_run(ctx, run_id=run_id), directory=Path(directory))
    return report


def check_export(ctx: Context, report: AuditReport, *, run: RunRecord, directory: Path) -> None:
    problems = verify_export(directory)
    for problem in problems:
        item = problem.split(":", 1)[0]
        report.add(AuditFinding("export", item, "export_invalid", problem))
    try:
        manifest = read_manifest(directory)
    except (OSError, ValueError):
        return
    _check_fields(report, run, manifest)
    if problems:
        return  # shard contents are not trustworthy enough to compare item by item
    if "encryption" in manifest:
        _check_sealed(ctx, report, run, manifest, directory)
        return
    _check_items(ctx, report, run, manifest, directory)
    _check_content(report, manifest, directory)


def _check_sealed(
    ctx: Context, report: AuditReport, run: RunRecord, manifest: dict[str, Any], root: Path
) -> None:
    """Issue 26: shards sealed under the run's key are opened into a private temporary
    directory and checked there; once the key is destroyed, ``run_key_destroyed``."""
    keys = ctx.shredder.keys if ctx.shredder is not None else None
    key = keys.data_key(run_scope(run.id), create=False) if keys is not None else None
    if key is None:
        problem, why = (
            ("run_key_destroyed", "the run key was destroyed")
            if keys is not None
            else ("run_key_unavailable", "crypto-shredding is off: no key vault to open it")
        )
        report.add(AuditFinding("export", run_scope(run.id), problem, why))
        return
    with opened_shards(root, manifest, key) as (plain, problems):
        for problem in problems:
            report.add(AuditFinding("export", problem.split(":", 1)[0], "export_invalid", problem))
        if not problems:
            _check_items(ctx, report, run, manifest, plain)
            _check_content(report, manifest, plain)


def _check_content(report: AuditReport, manifest: dict[str, Any], root: Path) -> None:
    """P8: every number of the manifest's ``content`` is counted again from the shards."""
    if "content" not in manifest:
        return
    shards = [entry["path"] for entry in manifest["shards"]]
    recounted = content_of_shards(root, shards, manifest["format"])
    claimed = manifest["content"]
    if not isinstance(claimed, dict):
        claimed = {"": claimed}
    for key in sorted(set(recounted) | set(claimed)):
        if claimed.get(key) != recounted.get(key):
            report.add(
                AuditFinding(
                    "export",
                    f"manifest.json:content.{key}",
                    "manifest_mismatch",
                    f"the manifest says {claimed.get(key)!r}, the shards give"
                    f" {recounted.get(key)!r}",
                )
            )


def _check_fields(report: AuditReport, run: RunRecord, manifest: dict[str, Any]) -> None:
    expected = {
        "run_id": run.id,
        "purpose": run.purpose.value,
        "cutoff": iso_utc(run.cutoff),
        "policy_digest": run.policy_digest,
        "ledger_head": run.ledger_head,
        "counts": {"sessions": run.sessions, "messages": run.messages, "feedback": run.feedback},
    }
    for key, value in expected.items():
        if manifest.get(key) != value:
            report.add(
                AuditFinding(
                    "export",
                    f"manifest.json:{key}",
                    "manifest_mismatch",
                    f"the export says {manifest.get(key)!r}, the run says {value!r}",
                )
            )


def _check_items(
    ctx: Context, report: AuditReport, run: RunRecord, manifest: dict[str, Any], root: Path
) -> None:
    pseudonym = Pseudonymizer(run.pseudonym_secret)
    with ctx.uow(read_only=True) as uow:
        members = uow.runs.manifest_sessions(run.id)
        with_content = set(uow.runs.export_session_ids(run.id, cutoff=run.cutoff))
        feedback_ids = uow.runs.manifest_feedback(run.id)
        feedback_live = set(uow.runs.export_feedback_ids(run.id))
    sessions = {
        pseudonym("session", m.session_id): (m.session_id, pseudonym("account", m.account_id))
        for m in members
    }
    feedback = {pseudonym("feedback", fid): fid for fid in feedback_ids}
    seen_sessions: set[str] = set()
    seen_feedback: set[str] = set()
    fmt = manifest["format"]
    for entry in manifest["shards"]:
        kind = shard_kind(entry["path"])
        path = root / entry["path"]
        if kind == "messages":
            for session_p, account_p in shard_columns(path, fmt, ("session", "account")):
                if session_p not in seen_sessions:
                    seen_sessions.add(session_p)
                    _check_session(report, sessions, session_p, account_p)
        elif kind == "feedback":
            for (feedback_p,) in shard_columns(path, fmt, ("feedback",)):
                seen_feedback.add(feedback_p)
    for session_p, (sid, _) in sorted(sessions.items(), key=lambda kv: kv[1][0]):
        if sid in with_content and session_p not in seen_sessions:
            report.add(
                AuditFinding(
                    "session", sid, "missing_from_export", "has exportable messages, none exported"
                )
            )
    for feedback_p in sorted(seen_feedback - set(feedback)):
        report.add(
            AuditFinding("feedback", feedback_p, "extra_in_export", "matches no manifest feedback")
        )
    for feedback_p, fid in sorted(feedback.items(), key=lambda kv: kv[1]):
        if fid in feedback_live and feedback_p not in seen_feedback:
            report.add(AuditFinding("feedback", fid, "missing_from_export", "not exported"))


def _check_session(
    report: AuditReport, sessions: dict[str, tuple[str, str]], session_p: str, account_p: str
) -> None:
    known = sessions.get(session_p)
    if known is None:
        report.add(
            AuditFinding(
                "session", session_p, "extra_in_export", "matches no manifest session (pseudonym)"
            )
        )
    elif known[1] != account_p:
        report.add(AuditFinding("session", known[0], "wrong_account", "account pseudonym differs"))
