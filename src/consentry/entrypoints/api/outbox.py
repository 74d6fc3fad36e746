"""Admin HTTP routes for the change feed and webhooks, as one ``APIRouter``.

    GET    /v1/admin/events?after=<cursor>&limit=      the change feed, ordered, resumable
           (&format=cloudevents: items as CloudEvents 1.0 structured-mode objects)
    POST   /v1/admin/webhooks                          register; 201 with the secret, once
    POST   /v1/admin/webhooks/{id}/secret              rotate the secret; the old one signs
                                                       beside it for grace_s (issue 24)
    GET    /v1/admin/webhooks                          live endpoints (no secrets)
    DELETE /v1/admin/webhooks/{id}                     remove; pending deliveries cancelled
    GET    /v1/admin/webhooks/{id}/deliveries          delivery status, newest first

Errors are consentry's own (`InvalidInput`, `NotFound`), mapped by the API's handler.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from consentry.domain.clock import iso
from consentry.entrypoints.api.deps import Core, require_admin
from consentry.entrypoints.api.errors import ERROR_RESPONSES
from consentry.entrypoints.api.schemas import Body
from consentry.outbox import feed, registry
from consentry.outbox.events import parse_format
from consentry.outbox.registry import Delivery, Endpoint
from consentry.outbox.signing import standard_secret
from consentry.outbox.targets import guard_for

MAX_DELIVERY_ID = 2**31 - 1
"""Delivery ids are 32-bit integers; a larger `before` is refused, not sent to the store."""


class WebhookIn(Body):
    """Unknown fields are refused (422), like every request body (issue 17)."""

    url: str = Field(
        max_length=2048,
        description="An absolute https:// URL of a public address (422 "
        "`webhook_target_refused` with the reason otherwise).",
    )
    event_types: list[str] | None = Field(
        default=None, max_length=64, description="Types to receive; omitted: every type."
    )
    secret: str | None = Field(
        default=None,
        min_length=registry.MIN_SECRET_CHARS,
        max_length=128,
        description="Signing secret; generated when omitted.",
    )
    format: Literal["consentry", "cloudevents"] | None = Field(
        default=None,
        description="Request bodies: consentry's envelope (default) or CloudEvents 1.0 "
        "structured mode (`application/cloudevents+json`).",
    )


class RotateIn(Body):
    secret: str | None = Field(
        default=None,
        min_length=registry.MIN_SECRET_CHARS,
        max_length=128,
        description="The new signing secret; generated when omitted.",
    )
    grace_s: int = Field(
        default=registry.DEFAULT_ROTATION_GRACE_S,
        ge=0,
        le=registry.MAX_ROTATION_GRACE_S,
        description="Seconds the old secret keeps signing beside the new one (0: none).",
    )


class EventOut(BaseModel):
    event_id: str
    cursor: str
    type: str
    payload: dict[str, Any]
    created_at: str


class FeedOut(BaseModel):
    items: list[EventOut]
    next_cursor: str


class CloudEventOut(BaseModel):
    """CloudEvents 1.0, structured mode (JSON format)."""

    specversion: str
    id: str
    source: str
    type: str
    time: str
    datacontenttype: str
    cursor: str
    subject: str | None = None
    data: dict[str, Any]


class CloudEventsFeedOut(BaseModel):
    items: list[CloudEventOut]
    next_cursor: str


class WebhookOut(BaseModel):
    id: str
    url: str
    event_types: list[str] | None
    created_at: str
    format: str = "consentry"


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Shown only in this answer: store it now.")
    standard_secret: str = Field(
        description="The same key in the Standard Webhooks `whsec_` form, for libraries "
        "that verify `webhook-signature`."
    )


class SecretRotated(BaseModel):
    id: str
    secret: str = Field(description="Shown only in this answer: store it now.")
    standard_secret: str
    previous_valid_until: str | None = Field(
        description="Until then the old secret signs beside the new one; null: not at all."
    )


class DeliveryOut(BaseModel):
    id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: str | None
    last_status_code: int | None
    last_error: str | None
    created_at: str
    delivered_at: str | None


def _endpoint(ep: Endpoint) -> dict[str, Any]:
    return {
        "id": ep.id,
        "url": ep.url,
        "event_types": list(ep.event_types) if ep.event_types is not None else None,
        "created_at": iso(ep.created_at),
        "format": ep.format.value,
    }


def _when(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


def _delivery(d: Delivery) -> dict[str, Any]:
    pending = d.status is registry.DeliveryStatus.PENDING
    return {
        "id": d.id,
        "event_id": d.event_id,
        "event_type": d.event_type,
        "status": d.status.value,
        "attempts": d.attempts,
        "next_attempt_at": _when(d.next_attempt_at) if pending else None,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "created_at": iso(d.created_at),
        "delivered_at": _when(d.delivered_at),
    }


def create_router(admin: Callable[..., Any] = require_admin) -> APIRouter:
    """The routes, each guarded by the `admin` dependency (the API's admin-token check)."""
    router = APIRouter(
        prefix="/v1/admin",
        tags=["events"],
        responses=ERROR_RESPONSES,
        dependencies=[Depends(admin)],
    )

    _add_feed(router)
    _add_webhooks(router)
    _add_deliveries(router)
    return router


def _add_feed(router: APIRouter) -> None:
    """`GET /events`: the change feed."""

    @router.get("/events", response_model=FeedOut | CloudEventsFeedOut)
    def list_events(
        core: Core,
        after: Annotated[str | None, Query(description="Resume after this cursor.")] = None,
        limit: Annotated[int, Query(ge=1, le=feed.MAX_LIMIT)] = feed.DEFAULT_LIMIT,
        format: Annotated[
            Literal["consentry", "cloudevents"] | None,
            Query(description="`cloudevents`: items as CloudEvents 1.0 (structured mode)."),
        ] = None,
    ) -> dict[str, Any]:
        """Committed changes oldest first; pass `next_cursor` back as `after` to resume."""
        page = feed.read_events(core.engine, after=after, limit=limit)
        kind = parse_format(format)
        return {"items": [e.render(kind) for e in page.items], "next_cursor": page.next_cursor}


def _add_webhooks(router: APIRouter) -> None:
    """Register, rotate the secret of, list and remove webhook endpoints."""

    @router.post("/webhooks", status_code=201, response_model=WebhookCreated)
    def add_webhook(body: WebhookIn, core: Core) -> dict[str, Any]:
        """Register a receiver for the events committed from now on."""
        created = registry.add_endpoint(
            core.engine,
            url=body.url,
            event_types=body.event_types,
            secret=body.secret,
            format=body.format,
            now=core.ctx.clock.now(),
            guard=guard_for(core.settings),
            box=core.box,
        )
        return {
            **_endpoint(created.endpoint),
            "secret": created.secret,
            "standard_secret": standard_secret(created.secret),
        }

    @router.post("/webhooks/{endpoint_id}/secret", response_model=SecretRotated)
    def rotate_webhook_secret(endpoint_id: str, body: RotateIn, core: Core) -> dict[str, Any]:
        """A new signing secret; the old one signs beside it for `grace_s` seconds."""
        rotated = registry.rotate_secret(
            core.engine,
            endpoint_id=endpoint_id,
            # Wall time, as the worker's: a frozen test clock must not freeze the grace.
            now=datetime.now(UTC),
            box=core.box,
            secret=body.secret,
            grace_s=body.grace_s,
        )
        return {
            "id": rotated.endpoint_id,
            "secret": rotated.secret,
            "standard_secret": standard_secret(rotated.secret),
            "previous_valid_until": _when(rotated.previous_valid_until),
        }

    @router.get("/webhooks", response_model=list[WebhookOut])
    def list_webhooks(core: Core) -> list[dict[str, Any]]:
        return [_endpoint(ep) for ep in registry.list_endpoints(core.engine)]

    @router.delete("/webhooks/{endpoint_id}", status_code=204)
    def remove_webhook(endpoint_id: str, core: Core) -> None:
        registry.remove_endpoint(core.engine, endpoint_id=endpoint_id, now=core.ctx.clock.now())


def _add_deliveries(router: APIRouter) -> None:
    """`GET /webhooks/{id}/deliveries`: an endpoint's deliveries, newest first."""

    @router.get("/webhooks/{endpoint_id}/deliveries", response_model=list[DeliveryOut])
    def list_deliveries(
        endpoint_id: str,
        core: Core,
        status: Annotated[
            str | None, Query(description="pending, delivered, dead, cancelled")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        before: Annotated[
            int | None, Query(ge=1, le=MAX_DELIVERY_ID, description="Only ids below this one.")
        ] = None,
    ) -> list[dict[str, Any]]:
        """Newest first: status, attempts, next retry, last error (dead-lettered: `dead`)."""
        deliveries = registry.list_deliveries(
            core.engine, endpoint_id=endpoint_id, status=status, limit=limit, before=before
        )
        return [_delivery(d) for d in deliveries]


router = create_router()
