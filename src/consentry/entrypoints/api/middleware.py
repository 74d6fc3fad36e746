"""The one ASGI middleware around every request.

In order: give the request an id (a sane ``X-Request-ID`` is kept, otherwise one is
generated) and echo it, with ``X-Content-Type-Options: nosniff`` and, on API paths,
``Cache-Control: no-store``; refuse a Host outside ``allowed_hosts`` with 400
``invalid_host`` and make redirects to the request's own Host relative; refuse a body
over ``max_body_bytes`` with 413 ``too_large`` *before* anything parses it; turn any
unexpected exception into 500 ``internal_error`` without leaking its detail (to the
client, or its message to the log); then count and time the request by route template
and write one structured access-log line.
"""

from __future__ import annotations

import logging
import os
import random
import re
import secrets
import sys
import time
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.entrypoints.api.errors import error_response, internal_error
from consentry.entrypoints.api.logs import REQUEST_ID, redacted_traceback
from consentry.entrypoints.api.metrics import ApiMetrics

log = logging.getLogger("consentry.api")
access_log = logging.getLogger("consentry.api.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
UNMATCHED = "<unmatched>"


_ID_SOURCE: tuple[int, random.Random] = (-1, random.Random())


def new_request_id() -> str:
    """128 bits from a generator seeded from the OS once per process (again in a forked
    worker): unique and not a counter (it tells nothing of the traffic), without the
    getrandom call and the UUID object of ``uuid4()``, ~5 % of an append (issue 22).
    The id is a correlation label, not a secret."""
    global _ID_SOURCE
    pid, source = _ID_SOURCE
    if pid != os.getpid():
        source = random.Random(secrets.randbits(128))
        _ID_SOURCE = (os.getpid(), source)
    return f"{source.getrandbits(128):032x}"


class _NulInPath(Exception):
    pass


class _TooLarge(Exception):
    pass


class _BadHost(Exception):
    pass


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _host_name(scope: Scope) -> str:
    """The Host header's name, lower-case, without port or trailing dot."""
    raw = (_header(scope, b"host") or b"").decode("latin-1").strip().lower()
    if raw.startswith("["):
        return raw.split("]", 1)[0] + "]"
    return raw.rsplit(":", 1)[0].rstrip(".") if raw.count(":") <= 1 else raw


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Empty `allowed`: any host. Else an exact name, or a subdomain of a ``*.`` entry."""
    if not allowed:
        return True
    for entry in allowed:
        if entry.startswith("*.") and host.endswith(entry[1:]) and len(host) > len(entry) - 1:
            return True
        if host == entry:
            return True
    return False


def _relative_location(headers: list[tuple[bytes, bytes]], scope: Scope) -> None:
    """A redirect to this server's own Host (Starlette builds trailing-slash redirects
    from it) becomes relative, so a forged Host header cannot aim a redirect elsewhere."""
    own = (_header(scope, b"host") or b"").lower()
    for index, (name, value) in enumerate(headers):
        if name.lower() != b"location" or b"://" not in value:
            continue
        _scheme, _, rest = value.partition(b"://")
        netloc, slash, tail = rest.partition(b"/")
        if netloc.lower() == own:
            headers[index] = (name, slash + tail if slash else b"/")


HSTS = b"max-age=31536000"
"""A year; no ``includeSubDomains``: other services under the domain are not ours."""


def _add_security_headers(headers: list[tuple[bytes, bytes]], path: str, https: bool) -> None:
    """Every answer: no content sniffing; over https (directly, or X-Forwarded-Proto
    from a trusted proxy: uvicorn's ``forwarded_allow_ips``), HSTS. API answers
    (personal data under /v1/me, the R28 export among them): never stored by a browser
    or proxy cache, unless the route chose its own caching. Issue 17, "also fix"."""
    present = {name.lower() for name, _ in headers}
    if b"x-content-type-options" not in present:
        headers.append((b"x-content-type-options", b"nosniff"))
    if https and b"strict-transport-security" not in present:
        headers.append((b"strict-transport-security", HSTS))
    if path.startswith("/v1/") and b"cache-control" not in present:
        headers.append((b"cache-control", b"no-store"))


def _request_id(scope: Scope) -> str:
    """The request's sane ``X-Request-ID``, or a new id."""
    given = _header(scope, b"x-request-id")
    text = given.decode("latin-1") if given else ""
    return text if _REQUEST_ID.match(text) else new_request_id()


def _sender_with_id(scope: Scope, send: Send, request_id: str, state: dict[str, Any]) -> Send:
    """``send`` that adds the request id and the security headers to the response's start
    (and makes a redirect to the request's own Host relative), noting in ``state`` that
    the response started and with which status."""

    async def send_with_id(message: Message) -> None:
        if message["type"] == "http.response.start":
            state["started"] = True
            state["status"] = message["status"]
            headers = list(message.get("headers", []))
            headers.append((b"x-request-id", request_id.encode()))
            https = scope.get("scheme") == "https"
            _add_security_headers(headers, scope.get("path", ""), https)
            _relative_location(headers, scope)
            message = {**message, "headers": headers}
        await send(message)

    return send_with_id


class RequestMiddleware:
    """`fast_routes`: factories of the fast routes (``fast_routes.py``), each called with
    an object whose ``app`` is where the route hands what it does not serve."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: ApiMetrics,
        max_body_bytes: int,
        allowed_hosts: tuple[str, ...] = (),
        fast_routes: Sequence[Callable[[Any], BaseRoute]] = (),
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.allowed_hosts = allowed_hosts
        self.fast: list[BaseRoute] = []
        if isinstance(app, ExceptionMiddleware) and isinstance(app.app, AsyncExitStackMiddleware):
            self.fast = [make(app) for make in fast_routes]
            self.handlers = (app._exception_handlers, app._status_handlers)
            self.router = app.app.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        state: dict[str, Any] = {"status": 500, "started": False}
        send_with_id = _sender_with_id(scope, send, request_id, state)
        try:
            bounded = await self._admit(scope, receive, send_with_id)
            if bounded is not None:
                await self._inner(scope, bounded, send_with_id)
        except Exception:
            error = sys.exc_info()[1]
            assert error is not None
            log.error(
                "unhandled error",
                extra={"path": scope.get("path"), "exception": redacted_traceback(error)},
            )
            if not state["started"]:
                await internal_error()(scope, receive, send_with_id)
            state["status"] = 500
        finally:
            self._record(scope, state["status"], time.perf_counter() - started_at)
            REQUEST_ID.reset(token)

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A fast route's request goes straight to it (issue 22), with what the layers
        below would have given it: the exception handlers and their wrapping
        (``ExceptionMiddleware``), the router and the route's keys in the scope. They
        skip FastAPI's ``AsyncExitStackMiddleware`` (for uploaded files, which no fast
        route reads) and the router's matching; a request a fast route hands on goes
        through both (the routes' ``general`` is the layer below the exception handling).
        Under FastAPI's own telemetry (``fastapi.telemetry``), which the router tells
        the route it chose, every request takes the layers."""
        for route in self.fast:
            match, child = route.matches(scope)
            if match is Match.FULL and "fastapi.telemetry" not in scope:
                scope["starlette.exception_handlers"] = self.handlers
                scope.setdefault("router", self.router)
                scope.update(child)
                request = Request(scope, receive, send)
                await wrap_app_handling_exceptions(route.handle, request)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _admit(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """The receive channel the app may read, or None once a refusal has been answered:
        a Host not served (400), a NUL in the path (404), a body over the limit (413) or an
        invalid Content-Length (400)."""
        try:
            if not host_allowed(_host_name(scope), self.allowed_hosts):
                raise _BadHost
            if "\x00" in scope.get("path", ""):
                # No id holds NUL, and PostgreSQL refuses it in a query: not found.
                raise _NulInPath
            return await self._bounded_receive(scope, receive)
        except _BadHost:
            answer = error_response(400, "invalid_host", "this server does not serve that host")
        except _NulInPath:
            answer = error_response(404, "not_found", "no such resource")
        except _TooLarge:
            limit = self.max_body_bytes
            answer = error_response(413, "too_large", f"the request body exceeds {limit} bytes")
        except ValueError:
            answer = error_response(400, "bad_request", "invalid Content-Length header")
        await answer(scope, receive, send)
        return None

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        """Count and time the request by its route template; one access-log line."""
        route = scope.get("route")
        template = getattr(route, "path", None) or UNMATCHED
        method = scope["method"]
        self.metrics.observe_request(method, template, status, elapsed)
        access_log.info(
            "%s %s %s",
            method,
            scope.get("path"),
            status,
            extra={
                "method": method,
                "path": scope.get("path"),
                "route": template,
                "status": status,
                "duration_ms": round(elapsed * 1000, 3),
            },
        )

    async def _bounded_receive(self, scope: Scope, receive: Receive) -> Receive:
        """A declared length over the limit is refused unread; an undeclared (chunked)
        body is read up to the limit and replayed, so no parser sees more than that."""
        declared = _header(scope, b"content-length")
        if declared is not None:
            if int(declared) > self.max_body_bytes:
                raise _TooLarge
            return receive
        if _header(scope, b"transfer-encoding") is None:
            return receive
        chunks: list[MutableMapping[str, Any]] = []
        total = 0
        while True:
            message = await receive()
            chunks.append(message)
            if message["type"] != "http.request":
                break
            total += len(message.get("body", b""))
            if total > self.max_body_bytes:
                raise _TooLarge
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if chunks:
                return chunks.pop(0)
            return await receive()

        return replay
