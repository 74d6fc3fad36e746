"""HTTP errors as pages for browsers (issue 18): an unknown address (404) or a page asked
for with the wrong method (405) answers an HTML page when the client asks for HTML,
and the API's JSON error shape otherwise. The API's handler for HTTP errors calls
:func:`browser_error_page` first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request, Response

from consentry.entrypoints.web import i18n
from consentry.entrypoints.web.wording import N_

if TYPE_CHECKING:
    from consentry.entrypoints.web.render import Web

# Paths that are never pages: the API, the probes and the machine-readable documents.
NOT_PAGES = ("/v1/", "/healthz", "/metrics", "/openapi.json")

MESSAGES = {
    404: N_("There is no page at this address. Check the link, or start again from your chats."),
    405: N_("This page can't be opened that way. Use the links and buttons on the pages."),
}


def wants_html(request: Request) -> bool:
    """A browser navigating: it accepts HTML, and the path is not an API path."""
    if request.url.path.startswith(NOT_PAGES):
        return False
    return "text/html" in request.headers.get("accept", "")


def browser_error_page(web: Web, request: Request, status: int, code: str) -> Response | None:
    """The error as a page for a browser, or None where JSON is the answer."""
    if status not in MESSAGES or not wants_html(request):
        return None
    i18n.use(i18n.choose(request))
    response = web.error_page(request, status, code, MESSAGES[status])
    return web.finish(request, response)
