"""The public policy facts over HTTP (docs/rules.md P1, P2): no authentication, no
personal data; the answer validates against the schema served next to it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from consentry.entrypoints.api.deps import Core
from consentry.entrypoints.api.errors import ERROR_RESPONSES
from consentry.entrypoints.policy_facts import (
    GpcSupport,
    PolicyFacts,
    facts_schema,
    gpc_resource,
    policy_facts,
)

router = APIRouter(tags=["policy"], responses={500: ERROR_RESPONSES[500]})


@router.get("/v1/policy", response_model=PolicyFacts)
def get_policy(core: Core) -> PolicyFacts:
    """The policy in force as public facts (P1): terms, notice deadline, retention, plans,
    purposes, the filter stages before training, and the digest runs record."""
    return policy_facts(core.ctx.policy, core.ctx.clock.now())


@router.get("/.well-known/gpc.json", response_model=GpcSupport)
def gpc_support(core: Core) -> GpcSupport:
    """The GPC support resource (GPC specification §3.5, P6): `gpc` is true unless the
    policy ignores the signal; `lastUpdate` is the day the policy in force was published."""
    return gpc_resource(core.ctx.policy, core.ctx.clock.now())


@router.get("/v1/policy/schema")
def get_policy_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) that `GET /v1/policy` answers by (P2)."""
    return facts_schema()
