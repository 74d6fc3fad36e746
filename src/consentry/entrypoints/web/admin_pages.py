"""Operator pages behind the admin token: runs with counts and audits, sweeps, the ledger.

Audits and ledger verifications are never run while a page loads: the pages show the
latest stored result (:mod:`consentry.service.audits`) with a button to run one now.
"""

import hmac

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.background import BackgroundTask

from consentry.adapters.sql.consent_report import SqlConsentReport
from consentry.entrypoints.web.i18n import gettext as _
from consentry.entrypoints.web.render import Posted, Redirect, Visit, Web, WebError
from consentry.entrypoints.web.report_charts import report_charts
from consentry.service import audits, consent_report, retention, runs


def add_admin_pages(router: APIRouter, web: Web) -> None:
    """Every operator page, in the order they are routed."""
    _add_admin_signin(router, web)
    _add_dashboard(router, web)
    _add_run_pages(router, web)
    _add_sweep(router, web)
    _add_consent_report(router, web)


def _require_admin(web: Web, visit: Visit) -> None:
    """404 while no admin token is configured; otherwise to the admin sign-in unless signed in."""
    if web.core.settings.admin_token is None:
        raise WebError(
            404, "admin_disabled", "The admin pages are off: no admin token is configured."
        )
    if not visit.admin:
        raise Redirect("/admin/signin")


def _add_admin_signin(router: APIRouter, web: Web) -> None:
    """Sign-in and sign-out with the admin token."""

    @router.get("/admin/signin")
    def signin_form(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        return web.page(request, "admin_signin.html", title=_("Admin sign-in"), error=None)

    @router.post("/admin/signin")
    def signin(request: Request, posted: Posted = Depends(web.posted)) -> Response:
        expected = web.core.settings.admin_token
        given = posted.field("admin_token").strip()
        web.guards.before_auth(request)
        if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
            web.guards.auth_failed(request)
            return web.page(
                request,
                "admin_signin.html",
                status=401,
                title=_("Admin sign-in"),
                error=_("That is not the admin token."),
            )
        web.sign_in(posted.visit, posted.visit.account, admin=True)
        raise Redirect("/admin")

    @router.post("/admin/signout")
    def signout(posted: Posted = Depends(web.posted)) -> Response:
        web.sign_in(posted.visit, posted.visit.account, admin=False)
        raise Redirect("/admin/signin")


def _add_dashboard(router: APIRouter, web: Web) -> None:
    """The dashboard (runs, their latest audits, the ledger check) and a ledger check now."""
    ctx = web.ctx

    @router.get("/admin")
    def dashboard(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        _require_admin(web, visit)
        all_runs = sorted(runs.list_runs(ctx), key=lambda r: r.created_at, reverse=True)
        return web.page(
            request,
            "admin.html",
            title=_("Admin"),
            runs=all_runs,
            audits=audits.latest_audits(ctx, run_ids=[r.id for r in all_runs]),
            ledger=audits.latest_ledger_check(ctx),
            purposes=sorted(ctx.policy.permitted_purposes),
        )

    @router.post("/admin/ledger/verify")
    def verify(posted: Posted = Depends(web.posted)) -> Response:
        _require_admin(web, posted.visit)
        check = audits.verify_and_store(ctx)
        posted.visit.browser.say(
            _("Ledger verified: %(count)s events, the hash chain is intact.")
            % {"count": check.ledger_events}
            if check.ok
            else _("Ledger verification failed: see below.")
        )
        raise Redirect("/admin#ledger-title")


def _add_run_pages(router: APIRouter, web: Web) -> None:
    """Training runs: create (audited in the background), a run's page, audit, start."""
    ctx = web.ctx

    @router.post("/admin/runs")
    def create(posted: Posted = Depends(web.posted)) -> Response:
        _require_admin(web, posted.visit)
        run = runs.create_run(ctx, purpose=posted.field("purpose"))
        posted.visit.browser.say(
            _(
                "Created run %(run)s: %(sessions)s sessions, %(messages)s messages, "
                "%(feedback)s feedback. It is being audited in the background."
            )
            % {
                "run": run.id,
                "sessions": run.sessions,
                "messages": run.messages,
                "feedback": run.feedback,
            }
        )
        # Audited once the answer is sent, so creating a run never waits for its audit.
        return RedirectResponse(
            f"/admin/runs/{run.id}",
            status_code=303,
            background=BackgroundTask(audits.audit_in_background, ctx, run_id=run.id),
        )

    @router.get("/admin/runs/{run_id}")
    def run_page(request: Request, run_id: str, visit: Visit = Depends(web.visit)) -> Response:
        _require_admin(web, visit)
        run = runs.get_run(ctx, run_id=run_id)
        return web.page(
            request,
            "admin_run.html",
            title=_("Run %(run)s") % {"run": run.id},
            run=run,
            audit=audits.latest_audits(ctx, run_ids=[run.id]).get(run.id),
        )

    @router.post("/admin/runs/{run_id}/audit")
    def audit(run_id: str, posted: Posted = Depends(web.posted)) -> Response:
        _require_admin(web, posted.visit)
        record = audits.audit_and_store(ctx, run_id=run_id)
        posted.visit.browser.say(
            _("Audit finished: nothing extra, nothing missing.")
            if record.ok
            else _("Audit finished with %(count)s findings.") % {"count": len(record.findings)}
        )
        raise Redirect(f"/admin/runs/{run_id}#audit-title")

    @router.post("/admin/runs/{run_id}/start")
    def start(run_id: str, posted: Posted = Depends(web.posted)) -> Response:
        _require_admin(web, posted.visit)
        run = runs.start_run(ctx, run_id=run_id)
        posted.visit.browser.say(
            _("Run %(run)s started. Its data stays in it for good.") % {"run": run.id}
        )
        raise Redirect(f"/admin/runs/{run.id}")


def _add_sweep(router: APIRouter, web: Web) -> None:
    """A sweep now, and its results (R17)."""
    ctx = web.ctx

    @router.post("/admin/sweep")
    def sweep(request: Request, posted: Posted = Depends(web.posted)) -> Response:
        _require_admin(web, posted.visit)
        result = retention.sweep_expired(ctx)
        return web.page(request, "admin_sweep.html", title=_("Sweep results"), result=result)


def _add_consent_report(router: APIRouter, web: Web) -> None:
    """The consent report (P20)."""
    ctx = web.ctx

    @router.get("/admin/reports/consent")
    def report_page(
        request: Request, bucket: str = "month", visit: Visit = Depends(web.visit)
    ) -> Response:
        """P20: the consent report with its charts (SVG drawn on the server)."""
        _require_admin(web, visit)
        report = consent_report.consent_report(
            ctx, SqlConsentReport(web.core.engine), bucket=bucket
        )
        tables = {
            "opt-in-plan": report["opt_in_by_plan"],
            "opt-in-surface": report["opt_in_by_surface"],
            "opt-outs": report["opt_outs_after_opt_in"],
            "deferrals": report["deferrals"],
            "deletions": report["deletions"],
            "sweeps": report["sweeps"],
            "runs": report["runs"],
        }
        return web.page(
            request,
            "admin_report.html",
            title=_("Consent report"),
            report=report,
            charts=report_charts(report),
            tables=tables,
        )
