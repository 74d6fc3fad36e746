"""The public policy page (docs/rules.md P3): the facts of `GET /v1/policy` for people,
in the reader's language, without signing in."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from consentry.domain.clock import parse_iso
from consentry.entrypoints.policy_facts import SCHEMA_PATH, policy_facts
from consentry.entrypoints.web.i18n import gettext as _
from consentry.entrypoints.web.render import Visit, Web


def add_policy_pages(router: APIRouter, web: Web) -> None:
    ctx = web.ctx

    @router.get("/privacy/policy")
    def policy_page(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        """The policy in force: the same values the API answers, in words."""
        facts = policy_facts(ctx.policy, ctx.clock.now())
        current = next(t for t in facts.terms if t.in_force)
        return web.page(
            request,
            "policy.html",
            title=_("Privacy policy facts"),
            facts=facts,
            published=parse_iso(current.published_at),
            deadline=parse_iso(facts.notice.deadline),
            schema_path=SCHEMA_PATH,
        )
