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
there and is what the general routing reaches (:class:`~.fast_routes.FastRoute`).
"""

from __future__ import annotations

import functools
from typing import Any, cast

from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from consentry.bootstrap import App
from consentry.entrypoints.api import sessions as sessions_http
from consentry.entrypoints.api.fast_routes import FastRoute, route_of
from consentry.entrypoints.api.workers import in_worker
from consentry.entrypoints.ratelimit import AbuseGuards

_PREFIX, _SUFFIX = "/v1/me/sessions/", "/messages"


def append_route(router: Any) -> AppendRoute:
    """The fast path for the append route of ``sessions.router``, to be put first in the
    application's routes; `router` is the application's router (the general path)."""
    return AppendRoute(route_of(sessions_http.router.routes, sessions_http.add_message), router.app)


class AppendRoute(FastRoute):
    method = "POST"

    def path_params(self, path: str) -> dict[str, str] | None:
        """The session id, as Starlette's `[^/]+` parameter matches it."""
        if not (path.startswith(_PREFIX) and path.endswith(_SUFFIX)):
            return None
        session_id = path[len(_PREFIX) : -len(_SUFFIX)]
        if not session_id or "/" in session_id:
            return None
        return {"session_id": session_id}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        credentials = await self._bearer_or_general(request, receive, send)
        if credentials is None:
            return
        given = await self._json_body(request, receive, send)
        if given is None:
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
