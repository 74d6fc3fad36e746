"""The outbox port: how a use case announces a change (issue 7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class Outbox(Protocol):
    """The transactional outbox (issue 7): how a use case announces a change."""

    def publish(self, type: str, payload: dict[str, Any], at: datetime) -> None:
        """Record event `type` with its JSON-serialisable `payload` in the caller's
        transaction, so it is published iff the change commits. Readers (the change feed,
        webhooks, the Redis stream) see events in commit order, none skipped
        (`outbox/feed.py`)."""
        ...
