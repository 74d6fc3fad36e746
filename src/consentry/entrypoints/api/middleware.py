"""The one ASGI middleware around every request.

In order: give the request an id (a sane ``X-Request-ID`` is kept, otherwise one is
generated) and echo it; refuse a body over ``max_body_bytes`` with 413 ``too_large``
*before* anything parses it; turn any unexpected exception into 500 ``internal_error``
without leaking its detail (to the client, or its message to the log); then count and
time the request by route template and write one structured access-log line.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.entrypoints.api.errors import error_response, internal_error
from consentry.entrypoints.api.logs import REQUEST_ID, redacted_traceback
from consentry.entrypoints.api.metrics import ApiMetrics

log = logging.getLogger("consentry.api")
access_log = logging.getLogger("consentry.api.access")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
UNMATCHED = "<unmatched>"


class _NulInPath(Exception):
    pass


class _TooLarge(Exception):
    pass


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class RequestMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: ApiMetrics, max_body_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        given = _header(scope, b"x-request-id")
        text = given.decode("latin-1") if given else ""
        request_id = text if _REQUEST_ID.match(text) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        state: dict[str, Any] = {"status": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                state["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            try:
                if "\x00" in scope.get("path", ""):
                    # No id holds NUL, and PostgreSQL refuses it in a query: not found.
                    raise _NulInPath
                bounded = await self._bounded_receive(scope, receive)
            except _NulInPath:
                answer = error_response(404, "not_found", "no such resource")
                await answer(scope, receive, send_with_id)
            except _TooLarge:
                limit = self.max_body_bytes
                answer = error_response(413, "too_large", f"the request body exceeds {limit} bytes")
                await answer(scope, receive, send_with_id)
            except ValueError:
                answer = error_response(400, "bad_request", "invalid Content-Length header")
                await answer(scope, receive, send_with_id)
            else:
                await self.app(scope, bounded, send_with_id)
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
            elapsed = time.perf_counter() - started_at
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            method = scope["method"]
            self.metrics.observe_request(method, template, state["status"], elapsed)
            access_log.info(
                "%s %s %s",
                method,
                scope.get("path"),
                state["status"],
                extra={
                    "method": method,
                    "path": scope.get("path"),
                    "route": template,
                    "status": state["status"],
                    "duration_ms": round(elapsed * 1000, 3),
                },
            )
            REQUEST_ID.reset(token)

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
