"""JSON shapes shared by the HTTP API, the web pages and the CLI (SPEC §3)."""

from __future__ import annotations

from typing import Any

from consentry.domain.clock import iso
from consentry.service.accounts import PrivacyView
from consentry.service.records import AuditRecord, RunRecord


def privacy_json(view: PrivacyView) -> dict[str, Any]:
    notice = view.notice
    return {
        "account_id": view.account_id,
        "plan": view.plan.value,
        "scope": view.scope.value,
        "training": view.training.value,
        "terms_version_accepted": view.terms_version_accepted,
        "notice": None
        if notice is None
        else {
            "terms_version": notice.terms_version,
            "deadline": iso(notice.deadline),
            "can_defer": notice.can_defer,
            "default_training": notice.default_training.value,
        },
        "blocked": view.blocked,
        "retention_days": view.retention_days,
        "region": view.region,  # issue 23 (docs/rules.md P12-P16): additive members
        "rule_set": view.rule_set,
        "auto_delete": None
        if view.auto_delete is None
        else {
            "months": view.auto_delete.months,
            "chosen": view.auto_delete.chosen,
            "offered_months": list(view.auto_delete.offered_months),
            "preset_months": view.auto_delete.preset_months,
        },
    }


def run_json(run: RunRecord) -> dict[str, Any]:
    return {
        "run_id": run.id,
        "purpose": run.purpose.value,
        "cutoff": iso(run.cutoff),
        "status": run.status.value,
        "counts": {"sessions": run.sessions, "messages": run.messages, "feedback": run.feedback},
        "policy_digest": run.policy_digest,
        "ledger_head": run.ledger_head,
    }


def stored_audit_json(record: AuditRecord) -> dict[str, Any]:
    """A stored audit (issue 18): the audit's shape plus when it ran and what head it saw."""
    return {
        "audit_id": record.id,
        "run_id": record.run_id,
        "audited_at": iso(record.audited_at),
        "ledger_head": record.ledger_head,
        "ledger_events": record.ledger_events,
        "ok": record.ok,
        "checked_sessions": record.checked_sessions,
        "checked_feedback": record.checked_feedback,
        "findings": [dict(f) for f in record.findings],
    }
