"""Operator pages behind the admin token: runs with counts and audits, sweeps, the ledger."""

import hmac

from fastapi import APIRouter, Depends, Request, Response

from consentry.entrypoints.web.render import Posted, Redirect, Visit, Web, WebError
from consentry.service import ledger, retention, runs

# Auditing recomputes eligibility for the whole store, so the list audits the latest few.
AUDITED_ON_LIST = 10


def add_admin_pages(router: APIRouter, web: Web) -> None:
    ctx = web.ctx

    def require_admin(visit: Visit) -> None:
        if web.core.settings.admin_token is None:
            raise WebError(
                404, "admin_disabled", "The admin pages are off: no admin token is configured."
            )
        if not visit.admin:
            raise Redirect("/admin/signin")

    @router.get("/admin/signin")
    def signin_form(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        return web.page(request, "admin_signin.html", title="Admin sign-in", error=None)

    @router.post("/admin/signin")
    def signin(request: Request, posted: Posted = Depends(web.posted)) -> Response:
        expected = web.core.settings.admin_token
        given = posted.field("admin_token").strip()
        if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
            return web.page(
                request,
                "admin_signin.html",
                status=401,
                title="Admin sign-in",
                error="That is not the admin token.",
            )
        web.sign_in(posted.visit, posted.visit.account, admin=True)
        raise Redirect("/admin")

    @router.post("/admin/signout")
    def signout(posted: Posted = Depends(web.posted)) -> Response:
        web.sign_in(posted.visit, posted.visit.account, admin=False)
        raise Redirect("/admin/signin")

    @router.get("/admin")
    def dashboard(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        require_admin(visit)
        all_runs = sorted(runs.list_runs(ctx), key=lambda r: r.created_at, reverse=True)
        audits = {r.id: runs.audit_run(ctx, run_id=r.id) for r in all_runs[:AUDITED_ON_LIST]}
        return web.page(
            request,
            "admin.html",
            title="Admin",
            runs=all_runs,
            audits=audits,
            ledger=ledger.verify_ledger(ctx),
            purposes=sorted(ctx.policy.permitted_purposes),
        )

    @router.post("/admin/runs")
    def create(posted: Posted = Depends(web.posted)) -> Response:
        require_admin(posted.visit)
        run = runs.create_run(ctx, purpose=posted.field("purpose"))
        posted.visit.browser.say(
            f"Created run {run.id}: {run.sessions} sessions, {run.messages} messages, "
            f"{run.feedback} feedback."
        )
        raise Redirect(f"/admin/runs/{run.id}")

    @router.get("/admin/runs/{run_id}")
    def run_page(request: Request, run_id: str, visit: Visit = Depends(web.visit)) -> Response:
        require_admin(visit)
        run = runs.get_run(ctx, run_id=run_id)
        return web.page(
            request,
            "admin_run.html",
            title=f"Run {run.id}",
            run=run,
            audit=runs.audit_run(ctx, run_id=run.id),
        )

    @router.post("/admin/runs/{run_id}/start")
    def start(run_id: str, posted: Posted = Depends(web.posted)) -> Response:
        require_admin(posted.visit)
        run = runs.start_run(ctx, run_id=run_id)
        posted.visit.browser.say(f"Run {run.id} started; its data stays in it (R21).")
        raise Redirect(f"/admin/runs/{run.id}")

    @router.post("/admin/sweep")
    def sweep(request: Request, posted: Posted = Depends(web.posted)) -> Response:
        require_admin(posted.visit)
        result = retention.sweep_expired(ctx)
        return web.page(request, "admin_sweep.html", title="Sweep results", result=result)
