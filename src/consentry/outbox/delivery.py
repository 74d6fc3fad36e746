"""Webhook delivery, at least once: fan out, claim, attempt over HTTP, record the outcome.

1. :func:`fan_out` turns committed outbox rows (up to the safe horizon, see
   :mod:`consentry.outbox.feed`) into one ``pending`` delivery per interested endpoint and
   moves the fan-out cursor, in one transaction.
2. :func:`claim_due` picks due deliveries (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
   workers never share one; SQLite's ``BEGIN IMMEDIATE`` serialises them) and leases them
   by pushing ``next_attempt_at`` out by ``lease_s`` from the claim and writing a fresh
   ``lease_token``. The claim commits before any HTTP. The worker claims one delivery at a
   time, just before sending it, and :func:`hold_lease` renews the lease right before the
   request, so a lease never runs out under a delivery that is being sent (a send ends
   within ``timeout_s``, shorter than ``lease_s``).
3. :func:`attempt` makes one signed POST with timeouts, through a client whose every
   connection is guarded (:mod:`consentry.outbox.targets`: the address is resolved,
   checked and connected to, so DNS rebinding is refused too); redirects are not followed.
4. :func:`record_attempt` stores the attempt and either marks the delivery ``delivered``,
   schedules a retry with exponential backoff and full jitter, or dead-letters it. What it
   stores of a failure is the status code and a short fixed reason, never the answer's
   body (a cloud metadata answer would otherwise reach the admin API). Only the holder of
   the current lease moves the delivery on: an attempt whose lease was lost and claimed
   by another worker is stored, and changes nothing.

A worker killed between 2 and 4 leaves a pending delivery whose lease runs out: it is
delivered again. Receivers therefore de-duplicate by ``Consentry-Event-Id`` (the same
value as the Standard Webhooks ``webhook-id``).

Each request is signed twice with the same key (:mod:`consentry.outbox.signing`:
``Consentry-Signature`` and Standard Webhooks), once per live secret, and its body is the
endpoint's format: consentry's envelope or CloudEvents 1.0 structured mode.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Connection, Engine, insert, select, update

from consentry import telemetry
from consentry.adapters.sql import tables as t
from consentry.config.sealing import (
    SecretBox,
    previous_webhook_secret_context,
    webhook_secret_context,
)
from consentry.outbox.events import EventFormat, OutboxEvent, content_type
from consentry.outbox.feed import (
    FANOUT_CURSOR,
    events_between,
    lock_cursor,
    move_cursor,
    safe_horizon,
)
from consentry.outbox.registry import DeliveryStatus, endpoint_from_row
from consentry.outbox.settings import DeliverySettings
from consentry.outbox.signing import EVENT_ID_HEADER, signed_headers
from consentry.outbox.targets import TargetGuard, TargetRefused, refused_reason

USER_AGENT = "consentry-webhooks/1"
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    attempt: int
    endpoint_id: str
    url: str
    secret: str
    event: OutboxEvent
    previous_secret: str | None = None
    """The secret a rotation replaced, while its grace period lasts: it signs too."""
    format: EventFormat = EventFormat.CONSENTRY
    lease_token: str | None = None
    """Names this claim's lease; only its holder sends and records the delivery."""

    def secrets(self) -> list[str]:
        return (
            [self.secret] if self.previous_secret is None else [self.secret, self.previous_secret]
        )


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str | None
    started_at: datetime
    finished_at: datetime


def backoff_delay(attempt: int, settings: DeliverySettings, rng: random.Random) -> float:
    """Seconds before the retry that follows failed attempt `attempt` (1-based): full jitter,
    uniform in [0, min(cap, base · 2^(attempt-1))]."""
    ceiling = min(settings.backoff_cap_s, settings.backoff_base_s * 2 ** (attempt - 1))
    return rng.uniform(0, ceiling)


def fan_out(engine: Engine, *, now: datetime, limit: int = 500) -> int:
    """Create deliveries for newly committed events; returns how many were created."""
    horizon = safe_horizon(engine, lock_timeout_ms=500)
    if horizon is None:
        return 0
    w = t.webhook_endpoints.c
    with engine.begin() as conn:
        position = lock_cursor(conn, FANOUT_CURSOR, now=now)
        if horizon <= position:
            return 0
        events = events_between(conn, position, horizon, limit)
        live = conn.execute(select(t.webhook_endpoints).where(w.deleted_at.is_(None))).all()
        endpoints = [endpoint_from_row(r) for r in live]
        after = {r.id: int(r.after_outbox_id) for r in live}
        rows = [
            {
                "endpoint_id": ep.id,
                "outbox_id": event.cursor,
                "event_id": event.event_id,
                "event_type": event.type,
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for event in events
            for ep in endpoints
            if ep.wants(event.type) and event.cursor > after[ep.id]
        ]
        if rows:
            conn.execute(insert(t.webhook_deliveries), rows)
        move_cursor(conn, FANOUT_CURSOR, events[-1].cursor if events else position, now=now)
    return len(rows)


def claim_due(
    engine: Engine,
    *,
    now: datetime,
    settings: DeliverySettings,
    box: SecretBox,
    limit: int | None = None,
    due_by: datetime | None = None,
) -> list[Claim]:
    """Lease up to `limit` (default `batch_size`) deliveries due by `due_by` (default `now`)
    to this worker, for `lease_s` from `now`, committed before any HTTP. The worker claims
    one at a time, with `due_by` the start of its pass: a retry that falls due during the
    pass waits for the next one.

    `box` opens the endpoints' sealed signing secrets."""
    d = t.webhook_deliveries.c
    token = secrets.token_hex(16)
    with engine.begin() as conn:
        ids = list(
            conn.execute(
                select(d.id)
                .where(
                    d.status == DeliveryStatus.PENDING.value, d.next_attempt_at <= (due_by or now)
                )
                .order_by(d.next_attempt_at, d.id)
                .limit(settings.batch_size if limit is None else limit)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        if not ids:
            return []
        conn.execute(
            update(t.webhook_deliveries)
            .where(d.id.in_(ids))
            .values(
                next_attempt_at=now + timedelta(seconds=settings.lease_s),
                lease_token=token,
                updated_at=now,
            )
        )
        rows = _claimed_rows(conn, ids)
    return [
        Claim(
            delivery_id=r.id,
            attempt=r.attempts + 1,
            endpoint_id=r.endpoint_id,
            url=r.url,
            secret=box.open(r.secret, context=webhook_secret_context(r.endpoint_id)),
            event=OutboxEvent(r.cursor, r.event_id, r.type, json.loads(r.payload), r.created_at),
            previous_secret=_live_previous(box, r, now),
            format=EventFormat(r.format),
            lease_token=token,
        )
        for r in rows
    ]


def _claimed_rows(conn: Connection, ids: list[int]) -> Sequence[Any]:
    """The claimed deliveries with their endpoints and events, in outbox order."""
    d, w, o = t.webhook_deliveries.c, t.webhook_endpoints.c, t.outbox.c
    return conn.execute(
        select(
            d.id,
            d.attempts,
            w.id.label("endpoint_id"),
            w.url,
            w.secret,
            w.previous_secret,
            w.previous_secret_until,
            w.format,
            o.id.label("cursor"),
            o.event_id,
            o.type,
            o.payload,
            o.created_at,
        )
        .join(t.webhook_endpoints, w.id == d.endpoint_id)
        .join(t.outbox, o.id == d.outbox_id)
        .where(d.id.in_(ids))
        .order_by(d.outbox_id, d.id)
    ).all()


def hold_lease(engine: Engine, claim: Claim, *, settings: DeliverySettings) -> bool:
    """Renew `claim`'s lease for `lease_s` from now, just before its request is sent.

    False when the lease is no longer this claim's: it ran out and another worker claimed
    the delivery, or the delivery is no longer pending (cancelled). Nothing is sent then."""
    d = t.webhook_deliveries.c
    now = _now()
    with engine.begin() as conn:
        renewed = conn.execute(
            update(t.webhook_deliveries)
            .where(
                d.id == claim.delivery_id,
                d.lease_token == claim.lease_token,
                d.status == DeliveryStatus.PENDING.value,
            )
            .values(next_attempt_at=now + timedelta(seconds=settings.lease_s), updated_at=now)
        )
    return renewed.rowcount == 1


def _live_previous(box: SecretBox, row: Any, now: datetime) -> str | None:
    """The replaced secret of a rotation while its grace period lasts, else None."""
    if row.previous_secret is None or row.previous_secret_until is None:
        return None
    if row.previous_secret_until <= now:
        return None
    context = previous_webhook_secret_context(row.endpoint_id)
    return box.open(row.previous_secret, context=context)


def _now() -> datetime:
    # Wall time, not the policy clock: a frozen test clock must not freeze retries.
    return datetime.now(UTC)


def attempt(client: httpx.Client, claim: Claim, guard: TargetGuard | None = None) -> Outcome:
    """One signed POST of the event; any 2xx is success, everything else a failure.

    `guard` re-checks the URL itself (scheme, credentials) before anything is sent; the
    client's transport checks the address it connects to. Traced (``consentry[otel]``):
    the request carries the ``traceparent`` of its span."""
    attributes = {
        "consentry.event.id": claim.event.event_id,
        "consentry.event.type": claim.event.type,
        "consentry.webhook.endpoint_id": claim.endpoint_id,
        "consentry.webhook.attempt": claim.attempt,
        "http.request.method": "POST",
    }
    with telemetry.span("consentry.webhook.deliver", attributes, kind="client") as current:
        outcome = _attempt(client, claim, guard)
        telemetry.set_attribute(current, "http.response.status_code", outcome.status_code)
        telemetry.set_attribute(current, "error.type", outcome.error)
        return outcome


def _attempt(client: httpx.Client, claim: Claim, guard: TargetGuard | None) -> Outcome:
    started = _now()
    if guard is not None:
        try:
            guard.check_delivery_url(claim.url)
        except TargetRefused as refused:
            return Outcome(False, None, f"target refused: {refused.reason}", started, _now())
    body = claim.event.body(claim.format)
    timestamp = int(time.time())
    headers = {
        "Content-Type": content_type(claim.format),
        "User-Agent": USER_AGENT,
        **signed_headers(
            claim.secrets(), msg_id=claim.event.event_id, timestamp=timestamp, body=body
        ),
        EVENT_ID_HEADER: claim.event.event_id,
        "Consentry-Event-Type": claim.event.type,
        "Consentry-Delivery-Attempt": str(claim.attempt),
    }
    telemetry.inject(headers)
    status: int | None = None
    error: str | None = None
    try:
        # Only the status is kept: the answer's body is never read (issue 17 item 2).
        with client.stream("POST", claim.url, content=body.encode(), headers=headers) as answer:
            status = answer.status_code
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except httpx.TimeoutException as exc:
        error = f"timeout: {exc.__class__.__name__}"
    except httpx.HTTPError as exc:
        reason = refused_reason(exc)
        error = f"target refused: {reason}" if reason else f"{exc.__class__.__name__}"
    return Outcome(error is None, status, error and error[:MAX_ERROR_CHARS], started, _now())


def record_attempt(
    engine: Engine,
    claim: Claim,
    outcome: Outcome,
    *,
    settings: DeliverySettings,
    rng: random.Random,
) -> DeliveryStatus:
    """Store the attempt and move the delivery on: delivered, retry later, or dead.

    Only the holder of the delivery's current lease moves it on; an attempt whose lease
    another worker has claimed since is stored and returns the status unchanged."""
    d = t.webhook_deliveries.c
    now = outcome.finished_at
    with engine.begin() as conn:
        conn.execute(
            insert(t.webhook_attempts).values(
                delivery_id=claim.delivery_id,
                attempt=claim.attempt,
                started_at=outcome.started_at,
                finished_at=outcome.finished_at,
                status_code=outcome.status_code,
                error=outcome.error,
            )
        )
        row = conn.execute(
            select(d.status, d.attempts, d.lease_token)
            .where(d.id == claim.delivery_id)
            .with_for_update()
        ).one()
        status = DeliveryStatus(row.status)
        if status is not DeliveryStatus.PENDING or row.lease_token != claim.lease_token:
            return status  # cancelled meanwhile, or the lease ran out and was claimed again
        attempts = row.attempts + 1
        values: dict[str, object] = {
            "attempts": attempts,
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
            "updated_at": now,
            "lease_token": None,
        }
        if outcome.ok:
            status = DeliveryStatus.DELIVERED
            values["delivered_at"] = now
        elif attempts >= settings.max_attempts:
            status = DeliveryStatus.DEAD
        else:
            delay = backoff_delay(attempts, settings, rng)
            values["next_attempt_at"] = now + timedelta(seconds=delay)
        values["status"] = status.value
        conn.execute(update(t.webhook_deliveries).where(d.id == claim.delivery_id).values(**values))
    return status
