"""The message append's fast path (issue 22): matched before every other route.

``POST /v1/me/sessions/{session_id}/messages`` is most of the traffic. Through FastAPI it
is matched after every route of the routers included before it and has five dependencies
solved per request; together that was about a third of an append's CPU in process. This
route is tried first and serves the ordinary append itself: a Bearer token, a JSON body
that ``MessageIn`` accepts. It runs the same work (:func:`sessions.append_blocking`,
one worker thread) and writes the same 201, and its errors go to the same exception
handlers. Every other request to the path (no or another credential, another content
type, a body that is not valid JSON or not a valid message) is handed, body and all, to
the general routing, which answers it exactly as before (401, 415, 422 with the token
refusal first, …). The route is not in the OpenAPI document; the FastAPI route stays
there and is what the general routing reaches.
"""

from __future__ import annotations

import functools
import json
from typing import Any, cast

from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.bootstrap import App
from consentry.entrypoints.api import schemas as s
from consentry.entrypoints.api import sessions as sessions_http
from consentry.entrypoints.api.deps import _bearer
from consentry.entrypoints.api.workers import in_worker
from consentry.entrypoints.ratelimit import AbuseGuards

PATH = "/v1/me/sessions/{session_id}/messages"
_PREFIX, _SUFFIX = "/v1/me/sessions/", "/messages"
_GENERAL = "consentry.append_general"
"""Scope key: this request is on its way through the general routing; do not match it."""


def append_route(router: Any) -> AppendRoute:
    """The fast path for the append route of ``sessions.router``, to be put first in the
    application's routes; `router` is the application's router (the general path)."""
    for route in sessions_http.router.routes:
        if isinstance(route, APIRoute) and route.endpoint is sessions_http.add_message:
            return AppendRoute(route, router.app)
    raise LookupError("sessions.router has no append route")


class AppendRoute(BaseRoute):
    include_in_schema = False
    path = path_format = PATH

    def __init__(self, route: APIRoute, general: ASGIApp) -> None:
        self.route = route
        self.general = general

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """A POST to the append path, as Starlette's `[^/]+` parameter matches it."""
        if scope["type"] != "http" or scope["method"] != "POST" or _GENERAL in scope:
            return Match.NONE, {}
        path = get_route_path(scope)
        if not (path.startswith(_PREFIX) and path.endswith(_SUFFIX)):
            return Match.NONE, {}
        session_id = path[len(_PREFIX) : -len(_SUFFIX)]
        if not session_id or "/" in session_id:
            return Match.NONE, {}
        params = {**scope.get("path_params", {}), "session_id": session_id}
        return Match.FULL, {
            "endpoint": self.route.endpoint,
            "path_params": params,
            "route": self.route,
        }

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        credentials = await _bearer(request)
        content_type = request.headers.get("content-type")
        if credentials is None or not credentials.credentials or content_type != "application/json":
            await self._general(scope, [], receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                await self._general(scope, messages, receive, send)
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        try:
            given = s.MessageIn.model_validate(json.loads(body))
        except (ValueError, ValidationError, RecursionError):
            # JSONDecodeError, UnicodeDecodeError, and JSON nested too deep for json.loads:
            # the general route answers each of them with its 4xx.
            await self._general(scope, messages, receive, send)
            return
        token = credentials.credentials

        async def answer(scope: Scope, receive: Receive, send: Send) -> None:
            state = request.app.state
            work = functools.partial(
                sessions_http.append_blocking,
                cast(App, state.core),
                cast(AbuseGuards, state.guards),
                request,
                token,
                scope["path_params"]["session_id"],
                given.role,
                given.content,
            )
            # The account routes' worker threads (one pool of 40, not one more beside them),
            # in the request's context: its request id reaches the worker's log lines.
            message = await in_worker(work)
            await sessions_http.message_created(message)(scope, receive, send)

        await wrap_app_handling_exceptions(answer, request)(scope, receive, send)

    async def _general(
        self, scope: Scope, consumed: list[Message], receive: Receive, send: Send
    ) -> None:
        """Route the request as if this route were not there, replaying what was read."""
        for key in ("endpoint", "path_params", "route"):
            scope.pop(key, None)
        scope[_GENERAL] = True

        async def replay() -> Message:
            return consumed.pop(0) if consumed else await receive()

        await self.general(scope, replay, send)
