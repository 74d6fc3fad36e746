"""Admin HTTP routes for the change feed and webhooks, as one ``APIRouter``.

    GET    /v1/admin/events?after=<cursor>&limit=      the change feed, ordered, resumable
    POST   /v1/admin/webhooks                          register; 201 with the secret, once
    GET    /v1/admin/webhooks                          live endpoints (no secrets)
    DELETE /v1/admin/webhooks/{id}                     remove; pending deliveries cancelled
    GET    /v1/admin/webhooks/{id}/deliveries          delivery status, newest first

Errors are consentry's own (`InvalidInput`, `NotFound`), mapped by the API's handler.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from consentry.domain.clock import iso
from consentry.entrypoints.api.deps import Core, require_admin
from consentry.entrypoints.api.errors import ERROR_RESPONSES
from consentry.entrypoints.api.schemas import Body
from consentry.outbox import feed, registry
from consentry.outbox.registry import Delivery, Endpoint
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


class EventOut(BaseModel):
    event_id: str
    cursor: str
    type: str
    payload: dict[str, Any]
    created_at: str


class FeedOut(BaseModel):
    items: list[EventOut]
    next_cursor: str


class WebhookOut(BaseModel):
    id: str
    url: str
    event_types: list[str] | None
    created_at: str


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Shown only in this answer: store it now.")


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

    @router.get("/events", response_model=FeedOut)
    def list_events(
        core: Core,
        after: Annotated[str | None, Query(description="Resume after this cursor.")] = None,
        limit: Annotated[int, Query(ge=1, le=feed.MAX_LIMIT)] = feed.DEFAULT_LIMIT,
    ) -> dict[str, Any]:
        """Committed changes oldest first; pass `next_cursor` back as `after` to resume."""
        page = feed.read_events(core.engine, after=after, limit=limit)
        return {"items": [e.to_json() for e in page.items], "next_cursor": page.next_cursor}

    @router.post("/webhooks", status_code=201, response_model=WebhookCreated)
    def add_webhook(body: WebhookIn, core: Core) -> dict[str, Any]:
        """Register a receiver for the events committed from now on."""
        created = registry.add_endpoint(
            core.engine,
            url=body.url,
            event_types=body.event_types,
            secret=body.secret,
            now=core.ctx.clock.now(),
            guard=guard_for(core.settings),
            box=core.box,
        )
        return {**_endpoint(created.endpoint), "secret": created.secret}

    @router.get("/webhooks", response_model=list[WebhookOut])
    def list_webhooks(core: Core) -> list[dict[str, Any]]:
        return [_endpoint(ep) for ep in registry.list_endpoints(core.engine)]

    @router.delete("/webhooks/{endpoint_id}", status_code=204)
    def remove_webhook(endpoint_id: str, core: Core) -> None:
        registry.remove_endpoint(core.engine, endpoint_id=endpoint_id, now=core.ctx.clock.now())

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

    return router


router = create_router()
