"""Sign-up, sign-in, the notice, privacy settings, export and account deletion (R3–R8, R15, R28)."""

import json
from datetime import datetime

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse

from consentry.config.regions import region_name
from consentry.domain.clock import parse_iso
from consentry.domain.errors import InvalidInput, Unauthenticated
from consentry.domain.jurisdiction import rule_set_for
from consentry.domain.policy import SignupPreset
from consentry.domain.types import Plan
from consentry.entrypoints.web import error_words, i18n
from consentry.entrypoints.web.i18n import gettext as _
from consentry.entrypoints.web.i18n import when
from consentry.entrypoints.web.render import Posted, Redirect, Visit, Web, WebError
from consentry.entrypoints.web.wording import N_
from consentry.service import accounts, auto_delete, data_export, gpc, jurisdiction, ledger, runs
from consentry.service.context import Context


def training_value(posted: Posted) -> str:
    """The toggle is a checkbox: present means `on`, absent means `off`."""
    return "on" if posted.field("training") == "on" else "off"


def _gpc(request: Request) -> bool:
    return gpc.signal(request.headers.get("sec-gpc"))


def _signup_preset(ctx: Context, request: Request, region: str | None) -> str | None:
    """P4/P15: the sign-up toggle's start: off for a GPC browser (never on, R4), else the
    rule set's preset for the region (typed, or from the edge's header)."""
    if gpc.presets_off(ctx, _gpc(request), region):
        return "off"
    preset = rule_set_for(region, ctx.policy).signup_preset
    return None if preset is SignupPreset.NONE else preset.value


REGION_REFUSED = N_(
    "That country or region code is not in ISO 3166: use a code such as DE, FR or CA-QC, "
    "or leave the field empty."
)


def _typed_region(typed: str | None) -> str | None:
    """P16: the region typed on the sign-up form, or the page's own reason to re-ask."""
    try:
        return jurisdiction.parse_region(typed)
    except InvalidInput:
        raise InvalidInput(REGION_REFUSED) from None


def add_account_pages(router: APIRouter, web: Web) -> None:
    ctx = web.ctx

    def plans() -> tuple[list[Plan], list[Plan]]:
        consumer = [p for p in Plan if p in ctx.policy.consumer_plans]
        return consumer, [p for p in Plan if p not in ctx.policy.consumer_plans]

    @router.get("/")
    def home(visit: Visit = Depends(web.visit)) -> Response:
        raise Redirect("/sessions" if visit.account else "/signin")

    def header_region(request: Request) -> str | None:
        """P16: the region the operator's edge sets, when a setting names its header."""
        name = web.core.settings.region_header
        try:
            return jurisdiction.parse_region(request.headers.get(name) if name else None)
        except InvalidInput:
            return None  # a bad header is ignored on the form; the typed field still counts

    @router.get("/signup")
    def signup_form(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        consumer, commercial = plans()
        region = header_region(request)
        return web.page(
            request,
            "signup.html",
            title=_("Sign up"),
            consumer_plans=consumer,
            commercial_plans=commercial,
            chosen_plan="free",
            chosen_region=region,
            # P4: a browser sending GPC finds the toggle preset off (never on: R4); P15
            chosen_training=_signup_preset(ctx, request, region),
            error=None,
        )

    @router.post("/signup")
    def signup(request: Request, posted: Posted = Depends(web.posted)) -> Response:
        web.guards.sign_up(request)  # 429 past the per-address allowance (issue 17)
        plan, training = posted.field("plan"), posted.field("training") or None
        typed = posted.field("region").strip() or None
        try:
            region = _typed_region(typed) or header_region(request)  # P16
            # P4: "off" left as the GPC preset is the signal's effect: source `gpc`
            preset = training == "off" and gpc.presets_off(ctx, _gpc(request), region)
            kept = None if preset else training
            creds = gpc.sign_up(
                ctx,
                plan=plan,
                training=kept,
                gpc=_gpc(request),
                preset_shown=True,
                region=region,
            )
        except InvalidInput as error:  # R4: re-ask, keeping what was entered
            consumer, commercial = plans()
            return web.page(
                request,
                "signup.html",
                status=error.status,
                title=_("Sign up"),
                consumer_plans=consumer,
                commercial_plans=commercial,
                chosen_plan=plan,
                chosen_region=typed,
                chosen_training=training,
                error=error_words.page_message(error.code, error.message),
            )
        account = accounts.authenticate(ctx, creds.token)
        web.sign_in(posted.visit, account, admin=posted.visit.admin)
        return web.page(request, "welcome.html", title=_("Your account token"), token=creds.token)

    @router.get("/signin")
    def signin_form(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        return web.page(request, "signin.html", title=_("Sign in"), error=None)

    @router.post("/signin")
    def signin(request: Request, posted: Posted = Depends(web.posted)) -> Response:
        token = posted.field("token").strip()
        web.guards.before_auth(request)
        try:
            account = accounts.authenticate(ctx, token)
        except Unauthenticated:
            web.guards.auth_failed(request)
            return web.page(
                request,
                "signin.html",
                status=401,
                title=_("Sign in"),
                error=_("That account token is not valid. Check it and try again."),
            )
        web.sign_in(posted.visit, account, admin=posted.visit.admin)
        raise Redirect("/sessions")

    @router.post("/signout")
    def signout(posted: Posted = Depends(web.posted)) -> Response:
        """The server-side session ends: a copy of the cookie opens nothing afterwards."""
        web.sign_in(posted.visit, None, admin=posted.visit.admin)
        posted.visit.browser.say(_("You are signed out."))
        raise Redirect("/signin")

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
