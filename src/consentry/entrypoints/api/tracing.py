"""A server span per HTTP request when tracing is on (:mod:`consentry.telemetry`).

The span is named by the method and the route *template* (``GET /v1/me/sessions/{session_id}``,
never the ids in the path) and records the status code; a request's ``traceparent``
makes it a child of the caller's trace. Off (no ``consentry[otel]`` or no OTEL_*
configuration): the request passes straight through.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry import telemetry
from consentry.adapters.sql.tracing import listen_to_databases


def start_tracing() -> bool:
    """Tracing as the OTEL_* variables say, once per process (``serve``, ``deliver``);
    True when it is on. Without ``consentry[otel]`` or configuration: nothing."""
    if telemetry.enabled():
        return True
    if not telemetry.configure_from_env():
        return False
    listen_to_databases()
    return True


class TracingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not telemetry.enabled():
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        status: dict[str, int] = {}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        attributes: dict[str, Any] = {"http.request.method": method}
        parent = telemetry.extracted(headers)
        with telemetry.span(f"{method}", attributes, kind="server", parent=parent) as current:
            try:
                await self.app(scope, receive, sending)
            finally:
                route = scope.get("route")
                template = getattr(route, "path", None)
                if template is not None:
                    current.update_name(f"{method} {template}")
                    current.set_attribute("http.route", template)
                telemetry.set_attribute(current, "http.response.status_code", status.get("code"))
