"""Webhook endpoints and the status of their deliveries: what operators register and see.

An endpoint receives every event committed after its registration whose type passes its
filter (all types when it has none). Removing an endpoint cancels its pending deliveries
and keeps their history.

Its URL must pass :class:`~consentry.outbox.targets.TargetGuard` (issue 17 item 2: public
addresses over https unless allowed otherwise), and its signing secret is stored sealed
under the service's secret key (item 5, :mod:`consentry.config.sealing`).

An endpoint receives consentry's envelope or, when registered with ``format:
"cloudevents"``, CloudEvents 1.0 (issue 24, :class:`~consentry.outbox.events.EventFormat`).
:func:`rotate_secret` replaces its secret; the old one keeps signing beside the new one
(two signatures per header) for a grace period, so receivers can switch without a gap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import Row

from consentry.adapters.sql import tables as t
from consentry.config.sealing import (
    SecretBox,
    previous_webhook_secret_context,
    webhook_secret_context,
)
from consentry.domain.errors import InvalidInput, NotFound
from consentry.domain.ids import new_id
from consentry.outbox.events import EVENT_TYPES, EventFormat, parse_format
from consentry.outbox.feed import FANOUT_CURSOR, lock_cursor, safe_horizon
from consentry.outbox.signing import generate_secret
from consentry.outbox.targets import TargetGuard, without_credentials

MIN_SECRET_CHARS = 16
DEFAULT_ROTATION_GRACE_S = 24 * 3600
MAX_ROTATION_GRACE_S = 7 * 24 * 3600


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Endpoint:
    id: str
    url: str
    event_types: tuple[str, ...] | None
    created_at: datetime
    deleted_at: datetime | None
    format: EventFormat = EventFormat.CONSENTRY

    def wants(self, event_type: str) -> bool:
        return self.event_types is None or event_type in self.event_types


@dataclass(frozen=True)
class NewEndpoint:
    """A registered endpoint and its signing secret, shown this once."""

    endpoint: Endpoint
    secret: str


@dataclass(frozen=True)
class RotatedSecret:
    """An endpoint's new secret, shown this once, and until when the old one still signs."""

    endpoint_id: str
    secret: str
    previous_valid_until: datetime | None


@dataclass(frozen=True)
class Delivery:
    id: int
    endpoint_id: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    last_status_code: int | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


def endpoint_from_row(row: Row[Any]) -> Endpoint:
    """The endpoint as shown: a URL stored with credentials before they were refused
    (issue 17) is listed without them."""
    types = json.loads(row.event_types) if row.event_types is not None else None
    return Endpoint(
        id=row.id,
        url=without_credentials(row.url),
        event_types=tuple(types) if types is not None else None,
        created_at=row.created_at,
        deleted_at=row.deleted_at,
        format=EventFormat(row.format),
    )


def _check_secret(secret: str) -> str:
    """A caller's signing secret: long enough without its surrounding whitespace, and
    printable (no control characters: NUL, which PostgreSQL refuses, among them)."""
    if len(secret.strip()) < MIN_SECRET_CHARS:
        raise InvalidInput(
            f"a signing secret needs at least {MIN_SECRET_CHARS} characters besides spaces"
        )
    if secret != secret.strip() or not secret.isprintable():
        raise InvalidInput(
            "a signing secret may not start or end with spaces or hold control characters"
        )
    return secret


def _check_types(event_types: list[str] | None) -> list[str] | None:
    if event_types is None:
        return None
    if not event_types:
        raise InvalidInput("event_types must name at least one type; omit it for every type")
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        known = ", ".join(EVENT_TYPES)
        raise InvalidInput(f"unknown event types {unknown}; expected some of {known}")
    return sorted(set(event_types))


def add_endpoint(
    engine: Engine,
    *,
    url: str,
    now: datetime,
    guard: TargetGuard,
    box: SecretBox,
    event_types: list[str] | None = None,
    secret: str | None = None,
    format: str | None = None,
) -> NewEndpoint:
    """Register a receiver; it gets the events committed from now on.

    `guard` refuses a URL that may not receive webhooks (422 `webhook_target_refused`
    with the reason); `box` seals the signing secret before it is stored."""
    types = _check_types(event_types)
    event_format = parse_format(format)
    secret = _check_secret(secret) if secret is not None else generate_secret()
    clean_url = guard.check_url(url)
    endpoint_id = new_id("whk")
    horizon = safe_horizon(engine)
    with engine.begin() as conn:
        if horizon is None:  # writers busy: the newest visible id is near enough
            horizon = conn.execute(select(func.coalesce(func.max(t.outbox.c.id), 0))).scalar_one()
        # Locking the fan-out cursor orders this registration with fan-out: events not yet
        # fanned out when it commits reach the new endpoint; those already committed
        # before it (below the horizon) do not.
        after = max(int(horizon), lock_cursor(conn, FANOUT_CURSOR, now=now))
        conn.execute(
            insert(t.webhook_endpoints).values(
                id=endpoint_id,
                url=clean_url,
                secret=box.seal(secret, context=webhook_secret_context(endpoint_id)),
                event_types=json.dumps(types) if types is not None else None,
                after_outbox_id=after,
                created_at=now,
                deleted_at=None,
                format=event_format.value,
            )
        )
    endpoint = Endpoint(
        endpoint_id, clean_url, tuple(types) if types is not None else None, now, None, event_format
    )
    return NewEndpoint(endpoint, secret)


def list_endpoints(engine: Engine) -> list[Endpoint]:
    w = t.webhook_endpoints.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.webhook_endpoints).where(w.deleted_at.is_(None)).order_by(w.created_at, w.id)
        )
        return [endpoint_from_row(r) for r in rows]


def get_endpoint(engine: Engine, endpoint_id: str) -> Endpoint:
    w = t.webhook_endpoints.c
    with engine.connect() as conn:
        row = conn.execute(select(t.webhook_endpoints).where(w.id == endpoint_id)).first()
    if row is None or row.deleted_at is not None:
        raise NotFound(f"no webhook endpoint {endpoint_id!r}")
    return endpoint_from_row(row)


def rotate_secret(
    engine: Engine,
    *,
    endpoint_id: str,
    now: datetime,
    box: SecretBox,
    secret: str | None = None,
    grace_s: int = DEFAULT_ROTATION_GRACE_S,
) -> RotatedSecret:
    """Give an endpoint a new signing secret (generated unless given).

    For `grace_s` seconds the old secret signs every delivery beside the new one (both
    headers carry two signatures), so a receiver can switch without refusing any; 0 ends
    the old secret at once. A rotation during a grace period drops the older secret."""
    if not 0 <= grace_s <= MAX_ROTATION_GRACE_S:
        raise InvalidInput(f"grace_s must be between 0 and {MAX_ROTATION_GRACE_S}")
    new_secret = _check_secret(secret) if secret is not None else generate_secret()
    w = t.webhook_endpoints.c
    until = now + timedelta(seconds=grace_s) if grace_s else None
    with engine.begin() as conn:
        row = conn.execute(
            select(w.secret).where(w.id == endpoint_id, w.deleted_at.is_(None)).with_for_update()
        ).first()
        if row is None:
            raise NotFound(f"no webhook endpoint {endpoint_id!r}")
        old = box.open(row.secret, context=webhook_secret_context(endpoint_id))
        previous = (
            box.seal(old, context=previous_webhook_secret_context(endpoint_id))
            if until is not None
            else None
        )
        conn.execute(
            update(t.webhook_endpoints)
            .where(w.id == endpoint_id)
            .values(
                secret=box.seal(new_secret, context=webhook_secret_context(endpoint_id)),
                previous_secret=previous,
                previous_secret_until=until,
            )
        )
    return RotatedSecret(endpoint_id, new_secret, until)


def remove_endpoint(engine: Engine, *, endpoint_id: str, now: datetime) -> None:
    """Stop delivering to an endpoint: pending deliveries are cancelled, history kept."""
    w, d = t.webhook_endpoints.c, t.webhook_deliveries.c
    with engine.begin() as conn:
        done = conn.execute(
            update(t.webhook_endpoints)
            .where(w.id == endpoint_id, w.deleted_at.is_(None))
            .values(deleted_at=now)
        )
        if done.rowcount == 0:
            raise NotFound(f"no webhook endpoint {endpoint_id!r}")
        conn.execute(
            update(t.webhook_deliveries)
            .where(d.endpoint_id == endpoint_id, d.status == DeliveryStatus.PENDING.value)
            .values(
                status=DeliveryStatus.CANCELLED.value,
                last_error="endpoint removed",
                updated_at=now,
            )
        )


def list_deliveries(
    engine: Engine,
    *,
    endpoint_id: str,
    status: str | None = None,
    limit: int = 100,
    before: int | None = None,
) -> list[Delivery]:
    """An endpoint's deliveries, newest first (keyset-paginated by id)."""
    get_endpoint(engine, endpoint_id)
    d = t.webhook_deliveries.c
    query = select(t.webhook_deliveries).where(d.endpoint_id == endpoint_id)
    if status is not None:
        try:
            query = query.where(d.status == DeliveryStatus(status).value)
        except ValueError:
            allowed = ", ".join(s.value for s in DeliveryStatus)
            raise InvalidInput(f"status must be one of {allowed}") from None
    if before is not None:
        query = query.where(d.id < before)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(d.id.desc()).limit(limit))
        return [
            Delivery(
                id=r.id,
                endpoint_id=r.endpoint_id,
                event_id=r.event_id,
                event_type=r.event_type,
                status=DeliveryStatus(r.status),
                attempts=r.attempts,
                next_attempt_at=r.next_attempt_at,
                last_error=r.last_error,
                last_status_code=r.last_status_code,
                created_at=r.created_at,
                updated_at=r.updated_at,
                delivered_at=r.delivered_at,
            )
            for r in rows
        ]
