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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, serialize_response
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.entrypoints.api import accounts as accounts_http
from consentry.entrypoints.api.deps import _bearer

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
    method: ClassVar[str]

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


def privacy_route(router: Any) -> BearerReadRoute:
    """The fast path for ``GET /v1/me/privacy`` of ``accounts.router``, to be put first in
    the application's routes; `router` is the application's router (the general path)."""
    route = route_of(accounts_http.router.routes, accounts_http.get_privacy)
    return BearerReadRoute(route, router.app)


class BearerReadRoute(FastRoute):
    """A GET of a fixed path whose route takes only the bearer credentials and the
    request (an :func:`~.deps.account_route`, ``me: CurrentAccount``). With a Bearer
    token, the route's own endpoint is called with the values FastAPI would solve and
    its answer is validated and dumped by the route's response model, as FastAPI does
    (``serialize_response``, JSON bytes by pydantic); the refusals (401, 429, …) are
    raised inside the endpoint's work as on the general path. Without one, the general
    route answers (401)."""

    method = "GET"

    def __init__(self, route: APIRoute, general: ASGIApp) -> None:
        super().__init__(route, general)
        dependant = route.dependant
        inputs = [
            dependant.path_params,
            dependant.query_params,
            dependant.header_params,
            dependant.cookie_params,
            dependant.body_params,
        ]
        credentials = [d for d in dependant.dependencies if d.call is _bearer]
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
        ):
            raise TypeError(f"{route.path}: not a bearer-only read with a response model")
        self._credentials = credentials[0].name
        self._request = dependant.request_param_name

    def path_params(self, path: str) -> dict[str, str] | None:
        return {} if path == self.path else None

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        credentials = await _bearer(request)
        if credentials is None or not credentials.credentials:
            await self._general(scope, [], receive, send)
            return
        route = self.route
        values = {self._credentials: credentials, self._request: request}

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
