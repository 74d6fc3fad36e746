"""The catalogue of outbox event types and the envelope a consumer receives.

Payloads carry identifiers and choices, never content: a message's text or a comment
never leaves through the outbox. ``docs/events.md`` documents each type; a test keeps the
catalogue, the documentation and the ``publish(...)`` calls of the service layer in step.

Two envelopes (:class:`EventFormat`): consentry's own (:meth:`OutboxEvent.to_json`, the
default everywhere) and CloudEvents 1.0 in structured mode (:meth:`OutboxEvent.to_cloudevent`,
``application/cloudevents+json``): ``id`` is the event id, ``type`` ours behind the
reverse-DNS prefix ``dev.consentry.``, ``subject`` the account id (else the run, session,
hold or sweep id the payload names), ``data`` the payload, and the extension attribute
``cursor`` the outbox position.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from consentry.domain.clock import iso
from consentry.domain.errors import InvalidInput

EVENT_TYPES: dict[str, str] = {
    "account.created": "an account signed up or was imported",
    "consent.choice": "a training choice was recorded (R3, R8, R15)",
    "consent.deferral": "the notice was deferred with “Not now” (R6)",
    "consent.auto_delete": "the user chose how long their history is kept (P12)",
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


CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"
CLOUDEVENT_TYPE_PREFIX = "dev.consentry."
CLOUDEVENT_SOURCE = "/consentry/outbox"
SUBJECT_KEYS = ("account_id", "run_id", "session_id", "hold_id", "sweep_id")
"""The payload key that names an event's subject, first present wins."""


class EventFormat(StrEnum):
    """How an event is written for a consumer: consentry's envelope or CloudEvents 1.0."""

    CONSENTRY = "consentry"
    CLOUDEVENTS = "cloudevents"


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

    def subject(self) -> str | None:
        for key in SUBJECT_KEYS:
            value = self.payload.get(key)
            if isinstance(value, str) and value:
                return value
        return None

    def to_cloudevent(self) -> dict[str, Any]:
        """The event as a CloudEvents 1.0 structured-mode JSON object."""
        event: dict[str, Any] = {
            "specversion": "1.0",
            "id": self.event_id,
            "source": CLOUDEVENT_SOURCE,
            "type": CLOUDEVENT_TYPE_PREFIX + self.type,
            "time": iso(self.created_at),
            "datacontenttype": "application/json",
            "cursor": str(self.cursor),
            "data": self.payload,
        }
        subject = self.subject()
        if subject is not None:
            event["subject"] = subject
        return event

    def render(self, format: EventFormat = EventFormat.CONSENTRY) -> dict[str, Any]:
        if format is EventFormat.CLOUDEVENTS:
            return self.to_cloudevent()
        return self.to_json()

    def body(self, format: EventFormat = EventFormat.CONSENTRY) -> str:
        """The exact webhook request body, the bytes the signature covers."""
        return json.dumps(self.render(format), sort_keys=True, separators=(",", ":"))


def content_type(format: EventFormat) -> str:
    if format is EventFormat.CLOUDEVENTS:
        return CLOUDEVENTS_CONTENT_TYPE
    return "application/json"


def parse_format(value: str | None) -> EventFormat:
    """`value` as an :class:`EventFormat` (None: the default); a clear error otherwise."""
    if value is None:
        return EventFormat.CONSENTRY
    try:
        return EventFormat(value)
    except ValueError:
        allowed = ", ".join(f.value for f in EventFormat)
        raise InvalidInput(f"format must be one of {allowed}, not {value!r}") from None
