"""The SQL side of :class:`~consentry.service.ports.Outbox`: every change's event,
written in the same transaction as the change (issue 7)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.engine import DriverStatement
from consentry.domain.ids import new_id

# Built once and sent as its compiled text: every change writes one (issue 22). No
# RETURNING: nobody reads the row's id.
_INSERT = DriverStatement(insert(t.outbox).inline(), ("event_id", "type", "payload", "created_at"))


INSERT_EVENT = _INSERT
"""The outbox insert, for a store that writes an event beside its own rows (the append)."""


def event_row(type: str, payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    """One event's outbox row: a new id, the payload as sorted JSON."""
    return {
        "event_id": new_id("chg"),
        "type": type,
        "payload": json.dumps(payload, sort_keys=True, default=str),
        "created_at": at,
    }


class SqlOutbox:
    """Outbox rows over the unit of work's connection."""

    conn: Connection

    def publish(self, type: str, payload: dict[str, Any], at: datetime) -> None:
        _INSERT.execute(self.conn, event_row(type, payload, at))
