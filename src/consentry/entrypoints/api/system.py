"""Liveness, readiness and Prometheus metrics (unauthenticated, no personal data)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import text

from consentry.entrypoints.api import schemas as s
from consentry.entrypoints.api.deps import Core, Metrics
from consentry.entrypoints.api.errors import ERROR_RESPONSES

router = APIRouter(tags=["system"])


@router.get("/healthz", response_model=s.Health)
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz", response_model=s.Health, responses={500: ERROR_RESPONSES[500]})
def readyz(core: Core) -> dict[str, str]:
    """Readiness: the database answers."""
    with core.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(registry: Metrics) -> Response:
    return Response(registry.render(), media_type=registry.content_type)
