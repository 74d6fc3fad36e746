"""Sign-up, sign-in and sign-out (R3, R4; P4, P15, P16): the form that opens an account
with its first choice, and the account token that opens it again."""

from fastapi import APIRouter, Depends, Request, Response

from consentry.domain.errors import InvalidInput, Unauthenticated
from consentry.domain.jurisdiction import rule_set_for
from consentry.domain.policy import SignupPreset
from consentry.domain.types import Plan
from consentry.entrypoints.web import error_words
from consentry.entrypoints.web.i18n import gettext as _
from consentry.entrypoints.web.render import Posted, Redirect, Visit, Web
from consentry.entrypoints.web.wording import N_
from consentry.service import accounts, gpc, jurisdiction
from consentry.service.context import Context

REGION_REFUSED = N_(
    "That country or region code is not in ISO 3166: use a code such as DE, FR or CA-QC, "
    "or leave the field empty."
)


def add_signin_pages(router: APIRouter, web: Web) -> None:
    """`/` (to the sessions or the sign-in), sign-up, sign-in and sign-out."""

    @router.get("/")
    def home(visit: Visit = Depends(web.visit)) -> Response:
        raise Redirect("/sessions" if visit.account else "/signin")

    _add_signup(router, web)
    _add_signin(router, web)


def _add_signup(router: APIRouter, web: Web) -> None:
    ctx = web.ctx

    @router.get("/signup")
    def signup_form(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        region = _header_region(web, request)
        # P4: a browser sending GPC finds the toggle preset off (never on: R4); P15
        preset = _signup_preset(ctx, request, region)
        return _signup_page(web, request, plan="free", region=region, training=preset)

    @router.post("/signup")
    def signup(request: Request, posted: Posted = Depends(web.posted)) -> Response:
        web.guards.sign_up(request)  # 429 past the per-address allowance (issue 17)
        plan, training = posted.field("plan"), posted.field("training") or None
        typed = posted.field("region").strip() or None
        try:
            region = _typed_region(typed) or _header_region(web, request)  # P16
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
            return _signup_page(
                web,
                request,
                status=error.status,
                plan=plan,
                region=typed,
                training=training,
                error=error_words.page_message(error.code, error.message),
            )
        account = accounts.authenticate(ctx, creds.token)
        web.sign_in(posted.visit, account, admin=posted.visit.admin)
        return web.page(request, "welcome.html", title=_("Your account token"), token=creds.token)


def _add_signin(router: APIRouter, web: Web) -> None:
    ctx = web.ctx

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


def _signup_page(
    web: Web,
    request: Request,
    *,
    plan: str,
    region: str | None,
    training: str | None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    """The sign-up form: first shown, or shown again with what was entered and why not."""
    consumer = [p for p in Plan if p in web.ctx.policy.consumer_plans]
    commercial = [p for p in Plan if p not in web.ctx.policy.consumer_plans]
    return web.page(
        request,
        "signup.html",
        status=status,
        title=_("Sign up"),
        consumer_plans=consumer,
        commercial_plans=commercial,
        chosen_plan=plan,
        chosen_region=region,
        chosen_training=training,
        error=error,
    )


def _header_region(web: Web, request: Request) -> str | None:
    """P16: the region the operator's edge sets, when a setting names its header."""
    name = web.core.settings.region_header
    try:
        return jurisdiction.parse_region(request.headers.get(name) if name else None)
    except InvalidInput:
        return None  # a bad header is ignored on the form; the typed field still counts


def _gpc(request: Request) -> bool:
    return gpc.signal(request.headers.get("sec-gpc"))


def _signup_preset(ctx: Context, request: Request, region: str | None) -> str | None:
    """P4/P15: the sign-up toggle's start: off for a GPC browser (never on, R4), else the
    rule set's preset for the region (typed, or from the edge's header)."""
    if gpc.presets_off(ctx, _gpc(request), region):
        return "off"
    preset = rule_set_for(region, ctx.policy).signup_preset
    return None if preset is SignupPreset.NONE else preset.value


def _typed_region(typed: str | None) -> str | None:
    """P16: the region typed on the sign-up form, or the page's own reason to re-ask."""
    try:
        return jurisdiction.parse_region(typed)
    except InvalidInput:
        raise InvalidInput(REGION_REFUSED) from None
