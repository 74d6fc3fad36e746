"""The pages as one router: ``create_app`` includes ``build_router(core)``."""

import hmac
from datetime import timedelta
from functools import cached_property
from pathlib import Path

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse

from consentry.bootstrap import App
from consentry.config.secret_key import derive_key, load_secret_key
from consentry.domain.clock import Clock
from consentry.entrypoints.ratelimit import AbuseGuards
from consentry.entrypoints.web.account_pages import add_account_pages
from consentry.entrypoints.web.admin_pages import add_admin_pages
from consentry.entrypoints.web.chat_pages import add_chat_pages
from consentry.entrypoints.web.export_pages import add_export_pages
from consentry.entrypoints.web.policy_pages import add_policy_pages
from consentry.entrypoints.web.render import Web, WebError
from consentry.service.web_sessions import WebSessionLimits

STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


class PagesRouter(APIRouter):
    """The pages' router; `web` also renders HTTP errors as pages for browsers."""

    web: Web | None = None


def build_router(
    core: App,
    *,
    secret_key: str | None = None,
    session_clock: Clock | None = None,
    guards: AbuseGuards | None = None,
) -> PagesRouter:
    """All web pages over `core`, their cookies signed with :func:`cookie_key`; browser
    sessions timed by `session_clock` (default: the system clock); sign-in and sign-up
    limited by `guards` (shared with the API when `create_app` passes its own)."""
    settings = core.settings
    limits = WebSessionLimits(
        lifetime=timedelta(minutes=settings.web_session_minutes),
        idle=timedelta(minutes=settings.web_session_idle_minutes),
    )
    web = Web(
        core,
        WebKeys(core, secret_key),
        limits=limits,
        session_clock=session_clock,
        guards=guards or AbuseGuards.from_settings(settings),
    )
    router = PagesRouter(route_class=web.route_class(), include_in_schema=False)
    router.web = web
    add_account_pages(router, web)
    add_chat_pages(router, web)
    add_admin_pages(router, web)
    add_policy_pages(router, web)  # issue 23: public policy facts (P3)
    add_export_pages(router, web)  # issue 23: the ZIP export (P7)

    @router.get("/static/web/{name}")
    def static(name: str) -> Response:
        """The CSS and the little JavaScript, shipped with the package (no outside assets)."""
        path = STATIC / name
        if path.suffix not in STATIC_TYPES or path.parent != STATIC or not path.is_file():
            raise WebError(404, "not_found", "No such file.")
        response = FileResponse(path, media_type=STATIC_TYPES[path.suffix])
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    return router


class WebKeys:
    """The pages' two keys, read on first use: an application that never serves a page
    (API tests on PostgreSQL) never creates a key file."""

    def __init__(self, core: App, secret_key: str | None) -> None:
        self._core, self._secret_key = core, secret_key

    @cached_property
    def cookie(self) -> bytes:
        return cookie_key(self._core, self._secret_key)

    @cached_property
    def admin(self) -> str | None:
        return admin_key(self._core)


def cookie_key(core: App, secret_key: str | None) -> bytes:
    """The key that signs the browser cookie: a key of its own, never derived from
    another secret such as the admin token (issue 17 item 3).

    An explicit key (`CONSENTRY_WEB_SECRET`) wins; otherwise a sub-key of the service's
    secret key (:mod:`consentry.config.secret_key`: `CONSENTRY_SECRET_KEY`, or a 0600
    key file generated once), so every worker of one deployment signs alike. The cookie
    proves nothing about who is signed in (that is the server-side session), so an
    attacker holding any cookie has nothing to test admin-token guesses against.
    """
    if secret_key:
        return secret_key.encode()
    return derive_key(load_secret_key(core.settings), "web-session-cookies")


def admin_key(core: App) -> str | None:
    """A keyed fingerprint of the admin token, stored in operator sessions: a session
    opened with one admin token is no operator session once the token is changed.
    Keyed, so the sessions table alone gives nothing to test token guesses against."""
    token = core.settings.admin_token
    if token is None:
        return None
    key = derive_key(load_secret_key(core.settings), "web-admin-sessions")
    return hmac.new(key, token.encode(), "sha256").hexdigest()
