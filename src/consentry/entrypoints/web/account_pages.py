"""An account's pages: the notice, privacy settings and receipts, export, a new token and
account deletion (R3, R5-R8, R15, R27, R28); sign-up and sign-in are in signin_pages."""

import json
from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from consentry.config.regions import region_name
from consentry.domain.clock import parse_iso
from consentry.entrypoints.web import i18n
from consentry.entrypoints.web.i18n import gettext as _
from consentry.entrypoints.web.i18n import when
from consentry.entrypoints.web.render import Posted, Redirect, Visit, Web, WebError
from consentry.entrypoints.web.signin_pages import add_signin_pages
from consentry.entrypoints.web.wording import N_
from consentry.service import accounts, auto_delete, data_export, ledger, runs


def training_value(posted: Posted) -> str:
    """The toggle is a checkbox: present means `on`, absent means `off`."""
    return "on" if posted.field("training") == "on" else "off"


def add_account_pages(router: APIRouter, web: Web) -> None:
    """Every page of an account, in the order they are routed."""
    add_signin_pages(router, web)
    _add_notice(router, web)
    _add_language_and_terms(router, web)
    _add_privacy_page(router, web)
    _add_choices(router, web)
    _add_export(router, web)
    _add_token(router, web)
    _add_deletion(router, web)


def _add_notice(router: APIRouter, web: Web) -> None:
    """The notice of new terms (R5, R6): accept, defer, and the notice as a page."""
    ctx = web.ctx

    @router.post("/notice/accept")
    def accept(posted: Posted = Depends(web.posted)) -> Response:
        account = posted.visit.require_account()
        view = accounts.accept_notice(ctx, account_id=account.id, training=training_value(posted))
        posted.visit.browser.say(
            _("Thank you. Model training is on; you can change it any time in Privacy settings.")
            if view.training.value == "on"
            else _(
                "Thank you. Model training is off; you can change it any time in Privacy settings."
            )
        )
        raise Redirect(_back(posted))

    @router.post("/notice/defer")
    def defer(posted: Posted = Depends(web.posted)) -> Response:
        account = posted.visit.require_account()
        view = accounts.defer_notice(ctx, account_id=account.id)
        if view.notice is not None:
            posted.visit.browser.deferred = view.notice.terms_version
            posted.visit.browser.say(
                _("Not now — noted. Please choose by %(deadline)s.")
                % {"deadline": when(view.notice.deadline)}
            )
        raise Redirect(_back(posted))

    @router.get("/notice")
    def notice_page(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        """The notice as a page of its own: where "Choose now" leads without JavaScript."""
        visit.require_account()
        if visit.privacy is None or visit.privacy.notice is None:
            raise Redirect("/privacy")
        return web.page(request, "notice.html", title=_("Updated terms"), notice_inline=True)


def _add_language_and_terms(router: APIRouter, web: Web) -> None:
    """The language chooser and the terms summary, linked from every page."""
    ctx = web.ctx

    @router.post("/language")
    def language(request: Request, posted: Posted = Depends(web.posted)) -> Response:
        """The language chooser on every page: remembered in a cookie of its own."""
        chosen = posted.field("language")
        if chosen not in i18n.LANGUAGES:
            raise WebError(422, "validation_error", N_("Choose one of the languages offered."))
        response = RedirectResponse(_back(posted), status_code=303)
        response.set_cookie(
            i18n.COOKIE,
            chosen,
            max_age=i18n.COOKIE_MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    @router.get("/terms")
    def terms(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        """Every terms version's summary, newest first; linked from every page."""
        versions = sorted(ctx.policy.terms, key=lambda t: t.published_at, reverse=True)
        return web.page(request, "terms.html", title=_("Terms summary"), versions=versions)


def _add_privacy_page(router: APIRouter, web: Web) -> None:
    """Privacy settings and the consent receipts (R27)."""
    ctx = web.ctx

    @router.get("/privacy/receipts")
    def receipt_list(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        """R27: each consent event as a receipt with its core fields."""
        account = visit.require_account()
        return web.page(
            request,
            "receipts.html",
            title=_("Consent receipts"),
            receipts=[
                {**r, "at": parse_iso(str(r["time"]))}
                for r in ledger.receipts(ctx, account_id=account.id)
            ],
        )

    @router.get("/privacy")
    def privacy(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        account = visit.require_account()
        used_by = runs.runs_for_account(ctx, account_id=account.id)
        return web.page(
            request,
            "privacy.html",
            title=_("Privacy settings"),
            region_name=region_name(account.region) if account.region else None,  # P16
            history=accounts.consent_history(ctx, account_id=account.id),
            used_by=used_by,
            standing=ledger.ledger_standing(ctx, account_id=account.id),
            runs_verified=ledger.runs_verified(
                ctx, account_id=account.id, run_ids=[r.id for r in used_by]
            ),
        )


def _add_choices(router: APIRouter, web: Web) -> None:
    """The choices on the privacy page: model training (R3) and auto-delete (P12)."""
    ctx = web.ctx

    @router.post("/privacy/training")
    def change(posted: Posted = Depends(web.posted)) -> Response:
        account = posted.visit.require_account()
        view = accounts.record_choice(ctx, account_id=account.id, training=training_value(posted))
        posted.visit.browser.say(
            _("Saved. Model training is now on.")
            if view.training.value == "on"
            else _("Saved. Model training is now off.")
        )
        raise Redirect("/privacy")

    @router.post("/privacy/auto-delete")
    def change_auto_delete(posted: Posted = Depends(web.posted)) -> Response:
        """P12/P13: the auto-delete control (as `PUT /v1/me/privacy/auto-delete`)."""
        account = posted.visit.require_account()
        picked = posted.field("auto_delete")
        months: object = None if picked == "off" else (int(picked) if picked.isdigit() else picked)
        updated = auto_delete.choose_auto_delete(ctx, account_id=account.id, months=months)
        posted.visit.browser.say(
            _("Saved. Your history is kept until you delete it.")
            if not updated.auto_delete_months
            else _("Saved. Your history is deleted %(months)s months after its last activity.")
            % {"months": updated.auto_delete_months}
        )
        raise Redirect("/privacy")


def _add_export(router: APIRouter, web: Web) -> None:
    """The account's data as JSON (R28)."""
    ctx = web.ctx

    @router.post("/privacy/export")
    def export(posted: Posted = Depends(web.posted)) -> Response:
        account = posted.visit.require_account()
        document = data_export.export_account(ctx, account_id=account.id)
        stamp = _stamp(ctx.clock.now())
        return Response(
            json.dumps(document, indent=2, ensure_ascii=False),
            media_type="application/json",
            headers={
                "Content-Disposition": (
                    f'attachment; filename="consentry-export-{account.id}-{stamp}.json"'
                )
            },
        )


def _add_token(router: APIRouter, web: Web) -> None:
    """A new account token (issue 17)."""
    ctx = web.ctx

    @router.post("/privacy/token")
    def rotate_token(request: Request, posted: Posted = Depends(web.posted)) -> Response:
        """A new account token, shown once (as `POST /v1/me/tokens/rotate`): the old one
        is dead at once and every browser session of the account ends (issue 17); this
        browser is signed in again with a new session, the others stay signed out."""
        account = posted.visit.require_account()
        creds = accounts.rotate_token(ctx, account_id=account.id)
        web.sign_in(posted.visit, accounts.authenticate(ctx, creds.token), admin=posted.visit.admin)
        return web.page(
            request, "token_rotated.html", title=_("Your new account token"), token=creds.token
        )


def _add_deletion(router: APIRouter, web: Web) -> None:
    """Account deletion, confirmed (R15)."""
    ctx = web.ctx

    @router.get("/privacy/delete")
    def delete_form(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        visit.require_account()
        return web.page(
            request,
            "delete_account.html",
            title=_("Delete account"),
            notice_inline=True,
            error=None,
        )

    @router.post("/privacy/delete")
    def delete(request: Request, posted: Posted = Depends(web.posted)) -> Response:
        account = posted.visit.require_account()
        if posted.field("confirm") != "yes":
            return web.page(
                request,
                "delete_account.html",
                status=422,
                title=_("Delete account"),
                notice_inline=True,
                error=_("Tick the box to confirm that you want to delete it."),
            )
        accounts.delete_account(ctx, account_id=account.id)  # ends its web sessions (R15)
        web.sign_in(posted.visit, None, admin=posted.visit.admin)
        return web.page(request, "goodbye.html", title=_("Account deleted"))


def _back(posted: Posted) -> str:
    """Return to the page the form was on; only local paths are followed."""
    target = posted.field("next")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/sessions"


def _stamp(instant: datetime) -> str:
    return instant.strftime("%Y%m%dT%H%M%SZ")
