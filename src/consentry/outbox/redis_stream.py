"""Optional publishing of every outbox event to a Redis Stream (``CONSENTRY_REDIS_URL``).

Each batch runs in one database transaction that holds this publisher's cursor row: read
the committed events after the cursor (up to the safe horizon), XADD them in one
MULTI/EXEC, move the cursor, commit. If the commit is lost after the XADD, the stream's
last entry says how far it got (its ``cursor`` field), so the next batch resumes after it
instead of adding the events again. Consumers still de-duplicate by ``event_id``.

Entry fields: ``event_id``, ``cursor``, ``type``, ``payload`` (JSON), ``created_at``.
With ``CONSENTRY_REDIS_FORMAT=cloudevents`` (issue 24) an entry is ``event_id``, ``cursor``,
``content_type`` (``application/cloudevents+json``) and ``cloudevent``: the event as a
CloudEvents 1.0 structured-mode JSON document.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from consentry.domain.clock import iso
from consentry.outbox.events import CLOUDEVENTS_CONTENT_TYPE, EventFormat, OutboxEvent
from consentry.outbox.feed import events_between, lock_cursor, move_cursor, safe_horizon

DEFAULT_STREAM = "consentry:events"


class RedisStreamPublisher:
    """Moves outbox events onto one stream, in outbox order, each committed event once."""

    def __init__(
        self,
        engine: Engine,
        client: Any,
        *,
        stream: str = DEFAULT_STREAM,
        maxlen: int | None = None,
        format: EventFormat = EventFormat.CONSENTRY,
    ) -> None:
        self.engine = engine
        self.format = format
        self.client = client
        self.stream = stream
        self.maxlen = maxlen
        self.cursor_name = f"redis:{stream}"[:64]

    @classmethod
    def from_url(
        cls,
        engine: Engine,
        url: str,
        *,
        stream: str = DEFAULT_STREAM,
        maxlen: int | None = None,
        format: EventFormat = EventFormat.CONSENTRY,
    ) -> RedisStreamPublisher:
        import redis  # optional dependency: only needed when CONSENTRY_REDIS_URL is set

        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        return cls(engine, client, stream=stream, maxlen=maxlen, format=format)

    def entry(self, event: OutboxEvent) -> dict[str, str]:
        """The stream entry's fields for `event`, in this publisher's format."""
        if self.format is EventFormat.CLOUDEVENTS:
            return {
                "event_id": event.event_id,
                "cursor": str(event.cursor),
                "content_type": CLOUDEVENTS_CONTENT_TYPE,
                "cloudevent": event.body(EventFormat.CLOUDEVENTS),
            }
        return {
            "event_id": event.event_id,
            "cursor": str(event.cursor),
            "type": event.type,
            "payload": json.dumps(event.payload, sort_keys=True),
            "created_at": iso(event.created_at),
        }

    def stream_head(self) -> int:
        """The outbox cursor of the stream's newest entry (0 for an empty stream)."""
        last = self.client.xrevrange(self.stream, count=1)
        if not last:
            return 0
        _, fields = last[0]
        value = fields.get(b"cursor", fields.get("cursor", 0))
        return int(value.decode() if isinstance(value, bytes) else value)

    def publish_pending(self, *, now: datetime, limit: int = 500) -> int:
        """Publish the next batch of committed events; returns how many were added."""
        horizon = safe_horizon(self.engine, lock_timeout_ms=500)
        if horizon is None:
            return 0
        with self.engine.begin() as conn:
            position = max(lock_cursor(conn, self.cursor_name, now=now), self.stream_head())
            if horizon <= position:
                return 0
            events = events_between(conn, position, horizon, limit)
            if not events:
                return 0
            pipe = self.client.pipeline(transaction=True)
            for event in events:
                fields = self.entry(event)
                if self.maxlen is not None:
                    pipe.xadd(self.stream, fields, maxlen=self.maxlen, approximate=True)
                else:
                    pipe.xadd(self.stream, fields)
            pipe.execute()
            move_cursor(conn, self.cursor_name, events[-1].cursor, now=now)
        return len(events)

    def close(self) -> None:
        self.client.close()
