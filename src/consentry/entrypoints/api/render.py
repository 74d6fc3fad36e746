"""Service results to wire dictionaries (the shapes of :mod:`.schemas`)."""

from __future__ import annotations

from typing import Any

from consentry.domain.clock import iso
from consentry.service.records import MessageRecord, RunRecord, SessionRecord


def session_json(session: SessionRecord, covered: bool | None = None) -> dict[str, Any]:
    return {
        "session_id": session.id,
        "kind": session.kind.value,
        "surface": session.surface.value,
        "incognito": session.incognito,
        "scope": session.scope.value,
        "created_at": iso(session.created_at),
        "last_activity_at": iso(session.last_activity_at),
        "covered": session.first_covered_at is not None if covered is None else covered,
        "retain_until": iso(session.retain_until),
    }


def message_json(message: MessageRecord) -> dict[str, Any]:
    return {
        "message_id": message.id,
        "role": message.role.value,
        "content": message.content,
        "at": iso(message.at),
        "covered": message.covered,
        "author": message.author.value,
    }


def run_ref_json(run: RunRecord) -> dict[str, Any]:
    return {"run_id": run.id, "purpose": run.purpose.value, "cutoff": iso(run.cutoff)}
