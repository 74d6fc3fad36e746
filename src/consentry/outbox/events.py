"""The catalogue of outbox event types and the envelope a consumer receives.

Payloads carry identifiers and choices, never content: a message's text or a comment
never leaves through the outbox. ``docs/events.md`` documents each type; a test keeps the
catalogue, the documentation and the ``publish(...)`` calls of the service layer in step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from consentry.domain.clock import iso

EVENT_TYPES: dict[str, str] = {
    "account.created": "an account signed up or was imported",
    "consent.choice": "a training choice was recorded (R3, R8, R15)",
    "consent.deferral": "the notice was deferred with “Not now” (R6)",
    "account.deleted": "an account and all its sessions and feedback were deleted (R15)",
    "session.created": "a session was started",
    "session.deleted": "a session was deleted by its user (R14)",
    "message.added": "a message was added to a session (no content)",
    "feedback.given": "feedback was given on an assistant message (no comment)",
    "hold.placed": "a legal or safety hold was placed on a session (R16)",
    "hold.released": "a hold was released",
    "retention.purged": "one sweeper batch purged content (R17)",
    "run.created": "a training run froze its manifest (R20)",
    "run.started": "a training run started (R21)",
}


@dataclass(frozen=True)
class OutboxEvent:
    """One committed change. `cursor` is its position in the outbox (strictly increasing)."""

    cursor: int
    event_id: str
    type: str
    payload: dict[str, Any]
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "cursor": str(self.cursor),
            "type": self.type,
            "payload": self.payload,
            "created_at": iso(self.created_at),
        }

    def body(self) -> str:
        """The exact webhook request body, the bytes the signature covers."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
