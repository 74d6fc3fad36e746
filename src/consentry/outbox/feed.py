"""Reading the outbox in commit-safe order: the change feed and every consumer's cursor.

Outbox ids come from an autoincrement, so on PostgreSQL a transaction can take id 7, and
commit after another one took (and committed) id 8. A reader that saw 8 and moved its
cursor past 7 would lose 7 for ever. So reads stop at a **safe horizon**: the highest id
below which every row that will ever exist is already visible.

- PostgreSQL: briefly take ``LOCK TABLE outbox IN SHARE MODE``. It conflicts with the
  ``ROW EXCLUSIVE`` lock every inserting transaction holds until it ends, so it is granted
  only once all transactions that drew an id have committed or rolled back; ``max(id)``
  read then is the horizon. Ids drawn afterwards are larger. The lock waits at most
  ``lock_timeout_ms``; on timeout the horizon stays where the reader was (it retries).
- SQLite: writers are serialised (``BEGIN IMMEDIATE``), ids commit in order, and the
  visible ``max(id)`` is the horizon.

Rolled-back transactions leave holes in the ids; they are simply never seen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from consentry.adapters.sql import tables as t
from consentry.domain.errors import InvalidInput
from consentry.outbox.events import OutboxEvent

MAX_LIMIT = 1000
FANOUT_CURSOR = "webhooks"
"""The cursor of the webhook fan-out (outbox rows turned into deliveries)."""
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class FeedPage:
    items: list[OutboxEvent]
    next_cursor: str
    """Where to resume: the last item's cursor, or the request's when nothing is new."""


def parse_cursor(value: str | None) -> int:
    if value is None or value == "":
        return 0
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise InvalidInput(f"cursor must be a non-negative integer, not {value!r}")
    return int(value)


def safe_horizon(engine: Engine, *, lock_timeout_ms: int = 2000) -> int | None:
    """The highest outbox id below which nothing can still commit; None if undecidable now."""
    if engine.dialect.name != "postgresql":
        with engine.connect() as conn:
            return int(conn.execute(select(func.coalesce(func.max(t.outbox.c.id), 0))).scalar_one())
    try:
        with engine.begin() as conn:
            conn.execute(text(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}"))
            conn.execute(text("LOCK TABLE outbox IN SHARE MODE"))
            return int(conn.execute(select(func.coalesce(func.max(t.outbox.c.id), 0))).scalar_one())
    except OperationalError:
        # lock_timeout: writers are busy; nothing is lost by answering "not yet".
        return None


def events_between(conn: Connection, after: int, upto: int, limit: int) -> list[OutboxEvent]:
    o = t.outbox.c
    rows = conn.execute(
        select(t.outbox).where(o.id > after, o.id <= upto).order_by(o.id).limit(limit)
    )
    return [
        OutboxEvent(
            cursor=r.id,
            event_id=r.event_id,
            type=r.type,
            payload=json.loads(r.payload),
            created_at=r.created_at,
        )
        for r in rows
    ]


def read_events(
    engine: Engine,
    *,
    after: str | None = None,
    limit: int = DEFAULT_LIMIT,
    lock_timeout_ms: int = 2000,
) -> FeedPage:
    """The change feed: committed events after `after`, oldest first, at most `limit`."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}")
    position = parse_cursor(after)
    horizon = safe_horizon(engine, lock_timeout_ms=lock_timeout_ms)
    if horizon is None or horizon <= position:
        return FeedPage([], str(position))
    with engine.connect() as conn:
        items = events_between(conn, position, horizon, limit)
    return FeedPage(items, str(items[-1].cursor) if items else str(position))


# -- consumer cursors ----------------------------------------------------------------


def lock_cursor(conn: Connection, name: str, *, now: datetime) -> int:
    """The position of consumer `name`, locked for this transaction (created at 0)."""
    c = t.outbox_cursors.c
    query = select(c.position).where(c.name == name).with_for_update()
    position = conn.execute(query).scalar_one_or_none()
    if position is None:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(
            dialect.insert(t.outbox_cursors)
            .values(name=name, position=0, updated_at=now)
            .on_conflict_do_nothing()
        )
        position = conn.execute(query).scalar_one()
    return int(position)


def move_cursor(conn: Connection, name: str, position: int, *, now: datetime) -> None:
    c = t.outbox_cursors.c
    conn.execute(
        update(t.outbox_cursors).where(c.name == name).values(position=position, updated_at=now)
    )


def read_cursor(engine: Engine, name: str) -> int:
    c = t.outbox_cursors.c
    with engine.connect() as conn:
        value = conn.execute(select(c.position).where(c.name == name)).scalar_one_or_none()
    return int(value or 0)
