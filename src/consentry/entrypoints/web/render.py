"""Rendering and the request frame every page shares.

:class:`Web` holds the core, the templates and the cookie codec. :meth:`Web.route_class`
gives the routes a frame that turns every error :func:`consentry.entrypoints.errors.answer_for`
maps (a ``ConsentryError``, a ``RedactionError``, a database timeout) and the page-level
:class:`WebError` into an HTML error page with the status and code the API would give,
writes the session cookie when it changed, and adds the security headers — so the API's
JSON error handler never answers for a page.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from consentry.bootstrap import App
from consentry.domain import notice as notice_rules
from consentry.domain.clock import Clock, SystemClock, TestClock, as_utc, iso
from consentry.domain.errors import Unauthenticated
from consentry.entrypoints.errors import answer_for
from consentry.entrypoints.ratelimit import AbuseGuards
from consentry.entrypoints.web import error_words, i18n, wording
from consentry.entrypoints.web.browser import (
    COOKIE_NAME,
    CSRF_FIELD,
    BrowserSession,
    SessionCodec,
)
from consentry.entrypoints.web.i18n import gettext as _
from consentry.entrypoints.web.wording import N_
from consentry.service import accounts, gpc, jurisdiction, web_sessions
from consentry.service.accounts import PrivacyView
from consentry.service.records import AccountRecord
from consentry.service.web_sessions import WebSessionLimits

TEMPLATES = Path(__file__).parent / "templates"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class WebError(Exception):
    """A page-level refusal (a missing CSRF token, admin pages without the admin token)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Redirect(Exception):
    """Answer 303 See Other: after a form, or to the sign-in page."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


@dataclass
class Visit:
    """Who is asking: the browser session, the signed-in account and its privacy state."""

    browser: BrowserSession
    account: AccountRecord | None
    privacy: PrivacyView | None
    admin: bool

    def require_account(self) -> AccountRecord:
        if self.account is None:
            raise Redirect("/signin")
        return self.account


@dataclass
class Posted:
    """A form whose CSRF token matched the session's."""

    visit: Visit
    form: FormData

    def field(self, name: str) -> str:
        value = self.form.get(name)
        return value if isinstance(value, str) else ""


def when(instant: datetime | None) -> str:
    if instant is None:
        return "—"
    return as_utc(instant).strftime("%-d %b %Y, %H:%M UTC")


def span(days: int) -> str:
    """A retention period in words: 1825 → "5 years", 30 → "30 days"."""
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return f"{years} year" if years == 1 else f"{years} years"
    return "1 day" if days == 1 else f"{days} days"


class Keys(Protocol):
    """The cookie-signing key and the admin token's fingerprint (see `router.WebKeys`)."""

    @property
    def cookie(self) -> bytes: ...
    @property
    def admin(self) -> str | None: ...


class Web:
    """The pages' shared state: the core, the cookie codec, the templates.

    `admin_key` is a keyed fingerprint of the configured admin token: an operator's
    browser session stores it, so a session opened with an earlier admin token is no
    operator session once the token changes. `session_clock` times browser sessions
    (the system clock unless a test passes its own; never the service's test clock).
    """

    def __init__(
        self,
        core: App,
        keys: Keys,
        *,
        limits: WebSessionLimits,
        guards: AbuseGuards,
        session_clock: Clock | None = None,
    ) -> None:
        self.core = core
        self.ctx = core.ctx
        self.guards = guards
        self.keys = keys
        self.limits = limits
        self.session_clock = session_clock or SystemClock()
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"],
        )
        # Languages (issue 18): gettext in the request's language; see web.i18n.
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            i18n.gettext, i18n.ngettext, newstyle=True
        )
        self.env.policies["ext.i18n.trimmed"] = True
        # Text that comes from data (titles, error messages, a policy's summary) is looked
        # up as is: `_()` would also %-format it, and user input may hold a "%".
        self.env.filters["translate"] = i18n.gettext
        self.env.filters["when"] = i18n.when
        self.env.filters["span"] = wording.span
        self.env.filters["iso"] = lambda instant: iso(instant) if instant else ""
        self.env.filters["time"] = wording.time_tag
        self.env.filters["history_event"] = wording.history_event
        self.env.filters["history_source"] = wording.history_source
        self.env.filters["without_rule_ids"] = wording.without_rule_ids

    @cached_property
    def codec(self) -> SessionCodec:
        return SessionCodec(self.keys.cookie, int(self.limits.lifetime.total_seconds()))

    @property
    def admin_key(self) -> str | None:
        return self.keys.admin

    # -- dependencies -------------------------------------------------------------

    def visit(self, request: Request) -> Visit:
        """Read the cookie and look its session up on the server (issue 17 item 3): a
        signed-out, expired, idle or revoked session (R15) is a signed-out visitor."""
        browser = self.codec.load(request.cookies.get(COOKIE_NAME))
        request.state.browser = browser
        account = privacy = None
        admin = False
        if browser.sid:
            record = web_sessions.resume_web_session(
                self.ctx, browser.sid, clock=self.session_clock
            )
            if record is not None and record.account_id is not None:
                try:
                    account = web_sessions.session_account(self.ctx, record)
                except Unauthenticated:
                    record = None
            if account is not None:  # P5: the browser's GPC signal, as the policy says
                signal = gpc.signal(request.headers.get("sec-gpc"))
                account = gpc.honour(self.ctx, account, signal)
            if record is None:
                browser.switch(None)
                browser.say(_("Your sign-in is no longer valid. Please sign in again."))
            else:
                admin = self._is_admin(record.admin_key)
                if account is not None:
                    privacy = accounts.privacy_view(self.ctx, account)
        visit = Visit(browser, account, privacy, admin)
        request.state.visit = visit
        return visit

    def _is_admin(self, stored: str | None) -> bool:
        """True only while the admin token the session was opened with is still the one."""
        if stored is None or self.admin_key is None:
            return False
        return hmac.compare_digest(stored, self.admin_key)

    def sign_in(self, visit: Visit, account: AccountRecord | None, *, admin: bool) -> None:
        """Give this browser a new server-side session as `account` and/or the operator;
        the old session ends (a new id on every change: no fixation). Neither: signed out."""
        browser = visit.browser
        admin_key = self.admin_key if admin else None
        if account is None and admin_key is None:
            if browser.sid:
                web_sessions.end_web_session(self.ctx, browser.sid)
            browser.switch(None)
        else:
            browser.switch(
                web_sessions.open_web_session(
                    self.ctx,
                    account_id=account.id if account else None,
                    admin_key=admin_key,
                    limits=self.limits,
                    clock=self.session_clock,
                    replacing=browser.sid,
                )
            )
        visit.account = account
        visit.privacy = accounts.privacy_view(self.ctx, account) if account else None
        visit.admin = admin_key is not None

    async def posted(self, request: Request) -> Posted:
        """Every form carries the session's CSRF token; anything else is refused (403)."""
        visit = self.visit(request)
        form = await request.form()
        token = form.get(CSRF_FIELD)
        if not visit.browser.csrf_ok(token if isinstance(token, str) else None):
            raise WebError(
                403,
                "csrf_failed",
                "This form did not carry a valid security token, so nothing was changed. "
                "Go back, reload the page and try again.",
            )
        return Posted(visit, form)

    # -- rendering ----------------------------------------------------------------

    def context(self, request: Request, **values: Any) -> dict[str, Any]:
        visit: Visit | None = getattr(request.state, "visit", None)
        browser: BrowserSession | None = getattr(request.state, "browser", None)
        now = self.ctx.clock.now()
        terms = notice_rules.current_terms(self.ctx.policy, now)
        privacy = visit.privacy if visit else None
        notice = privacy.notice if privacy else None
        deferred = bool(
            notice and notice.can_defer and browser and browser.deferred == notice.terms_version
        )
        summary = ""
        if notice is not None:
            version = self.ctx.policy.terms_version(notice.terms_version)
            summary = version.summary if version else ""
        base: dict[str, Any] = {
            "now": now,
            "test_clock": isinstance(self.ctx.clock, TestClock),
            "terms": terms,
            "policy": self.ctx.policy,
            # P21: the signed-in account's region may shorten the days the pages state
            "retention": jurisdiction.retention_of(
                self.ctx.policy, visit.account if visit else None
            ),
            "visit": visit,
            "account": visit.account if visit else None,
            "privacy": privacy,
            "is_admin": bool(visit and visit.admin),
            "csrf_field": CSRF_FIELD,
            "csrf": browser.csrf if browser else "",
            "flash": browser.take_flash() if browser else [],
            "notice": notice,
            "notice_summary": summary,
            "notice_deferred": deferred,
            "notice_inline": False,
            "path": request.url.path,
            "lang": i18n.current(),
            "languages": i18n.LANGUAGES,
        }
        base.update(values)
        return base

    def page(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        html = self.env.get_template(template).render(self.context(request, **values))
        return HTMLResponse(html, status_code=status)

    def error_page(self, request: Request, status: int, code: str, message: str) -> Response:
        """`message` is the API's English; the page says the code's sentence for people
        in the reader's language (web.error_words)."""
        shown = error_words.page_message(code, message)
        return self.page(
            request, "error.html", status=status, code=code, message=shown, title=_("Error")
        )

    def finish(self, request: Request, response: Response) -> Response:
        browser: BrowserSession | None = getattr(request.state, "browser", None)
        if browser is not None and browser.dirty:
            response.set_cookie(
                COOKIE_NAME,
                self.codec.dump(browser),
                max_age=self.codec.max_age_s,
                path="/",
                httponly=True,
                samesite="lax",
                secure=request.url.scheme == "https",
            )
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def route_class(self) -> type[APIRoute]:
        web = self

        class PageRoute(APIRoute):
            def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
                handle = super().get_route_handler()

                async def framed(request: Request) -> Response:
                    i18n.use(i18n.choose(request))
                    try:
                        response = await handle(request)
                    except Redirect as go:
                        response = RedirectResponse(go.location, status_code=303)
                    except WebError as error:
                        response = web.error_page(request, error.status, error.code, error.message)
                    except RequestValidationError:
                        response = web.error_page(
                            request, 422, "validation_error", N_("The form was not complete.")
                        )
                    except Exception as error:
                        # The API's mapping (entrypoints/errors.py): same status and code,
                        # as a page; an unexpected error goes on to the middleware (500).
                        answer = answer_for(error)
                        if answer is None:
                            raise
                        response = web.error_page(
                            request, answer.status, answer.code, answer.message
                        )
                        if "Retry-After" in answer.headers:
                            response.headers["Retry-After"] = answer.headers["Retry-After"]
                    return web.finish(request, response)

                return framed

        return PageRoute
