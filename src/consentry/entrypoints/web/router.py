"""The pages as one router: ``create_app`` includes ``build_router(core)``."""

import hmac
import secrets
from pathlib import Path

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse

from consentry.bootstrap import App
from consentry.entrypoints.web.account_pages import add_account_pages
from consentry.entrypoints.web.admin_pages import add_admin_pages
from consentry.entrypoints.web.chat_pages import add_chat_pages
from consentry.entrypoints.web.render import Web, WebError

STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def build_router(core: App, *, secret_key: str | None = None) -> APIRouter:
    """All web pages over `core`, their cookies signed with :func:`cookie_key`."""
    web = Web(core, cookie_key(core, secret_key))
    router = APIRouter(route_class=web.route_class(), include_in_schema=False)
    add_account_pages(router, web)
    add_chat_pages(router, web)
    add_admin_pages(router, web)

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


def cookie_key(core: App, secret_key: str | None) -> str:
    """The key that signs browser sessions.

    An explicit key wins. Otherwise it is derived from the admin token, so every worker
    of one deployment agrees and rotating the admin token ends all browser sessions.
    Without either, a random key per process: fine for one process, and browsers simply
    sign in again after a restart.
    """
    if secret_key:
        return secret_key
    admin = core.settings.admin_token
    if admin:
        return hmac.new(admin.encode(), b"consentry web session cookies", "sha256").hexdigest()
    return secrets.token_urlsafe(32)
