"""Fast paths for the hottest routes (issue 22): matched before every other route.

A :class:`FastRoute` stands in front of one FastAPI route and serves its ordinary
request itself, skipping FastAPI's matching of the routes before it and its dependency
solving, with the same work and the same answer; its errors go to the same exception
handlers. Every other request it hands, unchanged (and with what it read of the body
replayed), to the general routing, which answers it exactly as before; there it is marked
with :data:`GENERAL`, and no fast route matches it again. A fast route is not in the
OpenAPI document: the FastAPI route stays there, and is what the general routing reaches.

* :class:`~consentry.entrypoints.api.append_route.AppendRoute`: the message append.
* :class:`BearerReadRoute`: ``GET /v1/me/privacy`` (:func:`privacy_route`).
* :class:`BearerWriteRoute`: ``POST /v1/me/sessions`` (:func:`session_route`) and
  ``PUT /v1/me/privacy`` (:func:`choice_route`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, serialize_response
from pydantic import BaseModel
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.entrypoints.api import accounts as accounts_http
from consentry.entrypoints.api import sessions as sessions_http
from consentry.entrypoints.api.deps import _bearer

_JSON = re.compile(r"application/json(?:\s*;\s*charset\s*=\s*utf-8)?", re.IGNORECASE)
"""The content types a fast path reads: JSON, bare or declared UTF-8 (any case, spaces
around ``;`` and ``=``). FastAPI's general route reads each of them as JSON too."""

GENERAL = "consentry.general"
"""Scope key: this request is on its way through the general routing (every fast route
leaves it alone). Set it on a request's scope to force the general path."""


def route_of(routes: list[BaseRoute], endpoint: Callable[..., Any]) -> APIRoute:
    """The FastAPI route among `routes` that calls `endpoint`."""
    for route in routes:
        if isinstance(route, APIRoute) and route.endpoint is endpoint:
            return route
    raise LookupError(f"no route calls {endpoint.__name__}")


class FastRoute(BaseRoute):
    """The fast path for `route`; `general` is the application's router (the general
    path). Subclasses name the `method`, match the path (:meth:`path_params`) and
    :meth:`handle` the request, calling :meth:`_general` for anything unusual."""

    include_in_schema = False
    method: str

    def __init__(self, route: APIRoute, general: ASGIApp) -> None:
        self.route = route
        self.general = general
        self.path = self.path_format = route.path

    def path_params(self, path: str) -> dict[str, str] | None:
        """The path's parameters when `path` is this route's, else None."""
        raise NotImplementedError

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != self.method or GENERAL in scope:
            return Match.NONE, {}
        params = self.path_params(get_route_path(scope))
        if params is None:
            return Match.NONE, {}
        return Match.FULL, {
            "endpoint": self.route.endpoint,
            "path_params": {**scope.get("path_params", {}), **params},
            "route": self.route,
        }

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)  # the FastAPI route answers for its name

    async def _general(
        self, scope: Scope, consumed: list[Message], receive: Receive, send: Send
    ) -> None:
        """Route the request as if this route were not there, replaying what was read."""
        for key in ("endpoint", "path_params", "route"):
            scope.pop(key, None)
        scope[GENERAL] = True

        async def replay() -> Message:
            return consumed.pop(0) if consumed else await receive()

        await self.general(scope, replay, send)

    async def _bearer_or_general(self, request: Request, receive: Receive, send: Send) -> Any:
        """The request's Bearer credentials; without a non-empty one (no credential,
        another scheme) the request is handed to the general routing and None returned."""
        credentials = await _bearer(request)
        if credentials is None or not credentials.credentials:
            await self._general(request.scope, [], receive, send)
            return None
        return credentials

    async def _json_body(self, request: Request, receive: Receive, send: Send) -> Any:
        """The request's JSON body as the route's body field validates it (FastAPI's own
        validation, as the general route runs it), or None once the request is handed,
        with what was read of it, to the general routing: another content type than
        :data:`_JSON`'s, a body that is not JSON, or one the field refuses. The general
        route answers those (415, 422, the token's refusal first, ...)."""
        scope, field = request.scope, self.route.body_field
        if field is None or not _JSON.fullmatch(request.headers.get("content-type", "")):
            await self._general(scope, [], receive, send)
            return None
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                await self._general(scope, messages, receive, send)
                return None
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        try:
            given, errors = field.validate(json.loads(body), {}, loc=("body",))
        except (ValueError, RecursionError):
            # JSONDecodeError, UnicodeDecodeError, and JSON nested too deep for json.loads.
            given, errors = None, []
        if given is None or errors:
            await self._general(scope, messages, receive, send)
            return None
        return given


def privacy_route(router: Any) -> BearerReadRoute:
    """The fast path for ``GET /v1/me/privacy`` of ``accounts.router``, to be put first in
    the application's routes; `router` is the application's router (the general path)."""
    route = route_of(accounts_http.router.routes, accounts_http.get_privacy)
    return BearerReadRoute(route, router.app)


def session_route(router: Any) -> BearerWriteRoute:
    """The fast path for ``POST /v1/me/sessions`` (session create) of ``sessions.router``."""
    route = route_of(sessions_http.router.routes, sessions_http.start_session)
    return BearerWriteRoute(route, router.app)


def choice_route(router: Any) -> BearerWriteRoute:
    """The fast path for ``PUT /v1/me/privacy`` (choice change) of ``accounts.router``."""
    route = route_of(accounts_http.router.routes, accounts_http.change_choice)
    return BearerWriteRoute(route, router.app)


class BearerRoute(FastRoute):
    """One method of a fixed path whose route takes only the bearer credentials, the
    request and at most one JSON body model (an :func:`~.deps.account_route`, ``me:
    CurrentAccount`` or ``me: Caller``). With a Bearer token (and a body the route
    accepts), the route's own endpoint is called with the values FastAPI would solve and
    its answer is validated and dumped by the route's response model, as FastAPI does
    (``serialize_response``, JSON bytes by pydantic); the refusals (401, 429, 403, 409,
    ...) are raised inside the endpoint's work as on the general path. Without a token, or
    with a body :meth:`FastRoute._json_body` does not take, the general route answers."""

    def __init__(self, route: APIRoute, general: ASGIApp) -> None:
        super().__init__(route, general)
        dependant = route.dependant
        inputs = [
            dependant.path_params,
            dependant.query_params,
            dependant.header_params,
            dependant.cookie_params,
        ]
        credentials = [d for d in dependant.dependencies if d.call is _bearer]
        bodies = dependant.body_params
        if (
            any(inputs)
            or len(dependant.dependencies) != 1
            or len(credentials) != 1
            or credentials[0].name is None
            or dependant.request_param_name is None
            or route.response_field is None
            or not isinstance(route.response_class, DefaultPlaceholder)
            or route.dependencies
            or "{" in route.path
            or route.methods is None
            or len(route.methods) != 1
            or len(bodies) > 1
            or (bodies and not _one_model(route))
        ):
            raise TypeError(f"{route.path}: not a bearer-only route with a response model")
        self.method = next(iter(route.methods or ()))
        self._credentials = credentials[0].name
        self._request = dependant.request_param_name
        self._body = bodies[0].name if bodies else None

    def path_params(self, path: str) -> dict[str, str] | None:
        return {} if path == self.path else None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        credentials = await self._bearer_or_general(request, receive, send)
        if credentials is None:
            return
        route = self.route
        values: dict[str, Any] = {self._credentials: credentials, self._request: request}
        if self._body is not None:
            given = await self._json_body(request, receive, send)
            if given is None:
                return
            values[self._body] = given

        async def answer(scope: Scope, receive: Receive, send: Send) -> None:
            raw = await route.endpoint(**values)
            content = await serialize_response(
                field=route.response_field,
                response_content=raw,
                include=route.response_model_include,
                exclude=route.response_model_exclude,
                by_alias=route.response_model_by_alias,
                exclude_unset=route.response_model_exclude_unset,
                exclude_defaults=route.response_model_exclude_defaults,
                exclude_none=route.response_model_exclude_none,
                dump_json=True,
            )
            response = Response(
                content=content, status_code=route.status_code or 200, media_type="application/json"
            )
            await response(scope, receive, send)

        await wrap_app_handling_exceptions(answer, request)(scope, receive, send)


def _one_model(route: APIRoute) -> bool:
    """Whether the route's body is one pydantic model, not embedded (FastAPI validates
    the whole JSON body by it)."""
    field = route.body_field
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    return (
        field is not None
        and field.name == route.dependant.body_params[0].name
        and isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
    )


class BearerReadRoute(BearerRoute):
    """A :class:`BearerRoute` without a body (the privacy read)."""

    def __init__(self, route: APIRoute, general: ASGIApp) -> None:
        super().__init__(route, general)
        if self._body is not None:
            raise TypeError(f"{route.path}: takes a body")


class BearerWriteRoute(BearerRoute):
    """A :class:`BearerRoute` with one JSON body model (session create, choice change)."""

    def __init__(self, route: APIRoute, general: ASGIApp) -> None:
        super().__init__(route, general)
        if self._body is None:
            raise TypeError(f"{route.path}: takes no body")
