"""Scope (R1, R2): which data the training choice can apply to at all."""

from __future__ import annotations

from consentry.domain.policy import Policy
from consentry.domain.types import Plan, Scope, Surface


def account_scope(plan: Plan, policy: Policy) -> Scope:
    """An account has a training choice only on a consumer plan (R1, R2)."""
    return Scope.CONSUMER if plan in policy.consumer_plans else Scope.COMMERCIAL


def session_scope(plan: Plan, surface: Surface, policy: Policy) -> Scope:
    """R1: consumer iff the plan is consumer and the surface is not a commercial one.

    Coding sessions (surface ``code``) of consumer accounts are consumer-scoped.
    """
    if account_scope(plan, policy) is Scope.COMMERCIAL:
        return Scope.COMMERCIAL
    if surface in policy.commercial_surfaces:
        return Scope.COMMERCIAL
    return Scope.CONSUMER
