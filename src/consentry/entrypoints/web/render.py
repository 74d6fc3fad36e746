"""Rendering and the request frame every page shares.

:class:`Web` holds the core, the templates and the cookie codec. :meth:`Web.route_class`
gives the routes a frame that turns every :class:`~consentry.domain.errors.ConsentryError`
(and the page-level :class:`WebError`) into an HTML error page with the error's status,
writes the session cookie when it changed, and adds the security headers — so the API's
JSON error handler never answers for a page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from consentry.bootstrap import App
from consentry.domain import notice as notice_rules
from consentry.domain.clock import TestClock, as_utc, iso
from consentry.domain.errors import ConsentryError, Unauthenticated
from consentry.entrypoints.web.browser import (
    COOKIE_NAME,
    CSRF_FIELD,
    MAX_AGE_SECONDS,
    BrowserSession,
    SessionCodec,
)
from consentry.service import accounts
from consentry.service.accounts import PrivacyView
from consentry.service.records import AccountRecord

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


class Web:
    def __init__(self, core: App, secret_key: str) -> None:
        self.core = core
        self.ctx = core.ctx
        self.codec = SessionCodec(secret_key)
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["when"] = when
        self.env.filters["span"] = span
        self.env.filters["iso"] = lambda instant: iso(instant) if instant else ""

    # -- dependencies -------------------------------------------------------------

    def visit(self, request: Request) -> Visit:
        """Read the cookie and authenticate its token as the API would (R15: dead tokens fail)."""
        browser = self.codec.load(request.cookies.get(COOKIE_NAME))
        request.state.browser = browser
        account = privacy = None
        if browser.token:
            try:
                account = accounts.authenticate(self.ctx, browser.token)
                privacy = accounts.privacy_view(self.ctx, account)
            except Unauthenticated:
                browser.sign_out()
                browser.say("Your sign-in is no longer valid. Please sign in again.")
                account = None
        visit = Visit(browser, account, privacy, browser.is_admin(self.core.settings.admin_token))
        request.state.visit = visit
        return visit

    def visit_as(self, request: Request, visit: Visit, token: str | None) -> None:
        """After signing in or out within a request, render the rest as the new visitor."""
        visit.account = accounts.authenticate(self.ctx, token) if token else None
        visit.privacy = accounts.privacy_view(self.ctx, visit.account) if visit.account else None

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
            "retention": self.ctx.policy.retention,
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
        }
        base.update(values)
        return base

    def page(self, request: Request, template: str, status: int = 200, **values: Any) -> Response:
        html = self.env.get_template(template).render(self.context(request, **values))
        return HTMLResponse(html, status_code=status)

    def error_page(self, request: Request, status: int, code: str, message: str) -> Response:
        return self.page(
            request, "error.html", status=status, code=code, message=message, title="Error"
        )

    def finish(self, request: Request, response: Response) -> Response:
        browser: BrowserSession | None = getattr(request.state, "browser", None)
        if browser is not None and browser.dirty:
            response.set_cookie(
                COOKIE_NAME,
                self.codec.dump(browser),
                max_age=MAX_AGE_SECONDS,
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
                    try:
                        response = await handle(request)
                    except Redirect as go:
                        response = RedirectResponse(go.location, status_code=303)
                    except (ConsentryError, WebError) as error:
                        response = web.error_page(request, error.status, error.code, error.message)
                    except RequestValidationError:
                        response = web.error_page(
                            request, 422, "validation_error", "The form was not complete."
                        )
                    return web.finish(request, response)

                return framed

        return PageRoute
