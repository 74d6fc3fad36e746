"""Build the FastAPI application around a core built by :func:`consentry.bootstrap.build`."""

from __future__ import annotations

from fastapi import FastAPI

from consentry.bootstrap import App
from consentry.domain.clock import Clock
from consentry.entrypoints.api import accounts, admin, ledger, runs, service, sessions, system
from consentry.entrypoints.api import docs as api_docs
from consentry.entrypoints.api import examples as api_examples
from consentry.entrypoints.api import outbox as outbox_http
from consentry.entrypoints.api import policy as policy_http
from consentry.entrypoints.api.append_route import append_route
from consentry.entrypoints.api.errors import install_error_handlers
from consentry.entrypoints.api.fast_routes import choice_route, privacy_route, session_route
from consentry.entrypoints.api.metrics import ApiMetrics
from consentry.entrypoints.api.middleware import RequestMiddleware
from consentry.entrypoints.api.tracing import TracingMiddleware, start_tracing
from consentry.entrypoints.ratelimit import AbuseGuards
from consentry.entrypoints.web.router import build_router

DESCRIPTION = """\
Consent-governed retention, deletion and training runs (SPEC §3).

Errors are `{"error": {"code", "message"}}` with a stable code. Account paths take
`Authorization: Bearer <account token>`; `/v1/admin` paths take the admin token.
"""


def create_app(core: App, *, session_clock: Clock | None = None) -> FastAPI:
    """One application per core; metrics live in a registry of their own. Browser
    sessions are timed by `session_clock` (the system clock unless a test gives one)."""
    # FastAPI's Swagger/ReDoc pages load their assets from a CDN: off. /docs serves the
    # vendored Swagger UI instead (entrypoints/api/docs.py); the document is /openapi.json.
    app = FastAPI(
        title="consentry",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.metrics = metrics = ApiMetrics()
    # The service reports each committed choice, deferral, run and purge to the metrics,
    # so a choice made on a web page counts like one made through the API (issue 20).
    app.state.core = core = core.observed_by(metrics)
    app.state.guards = guards = AbuseGuards.from_settings(core.settings)
    for module in (accounts, sessions, runs, admin, system, ledger, service):
        app.include_router(module.router)
    # The web pages (SPEC §3).
    pages = build_router(
        core,
        secret_key=core.settings.web_secret,
        session_clock=session_clock,
        guards=guards,
    )
    app.include_router(pages)
    app.state.pages = pages.web  # renders 404/405 as pages for browsers (issue 18)
    app.include_router(outbox_http.router)  # change feed and webhooks (issue 7)
    app.include_router(api_docs.router)  # /docs, offline (issue 24)
    app.include_router(policy_http.router)  # public policy facts (issue 23, docs/rules.md P1)
    # The message append, the privacy read, session create and choice change, tried
    # before every route above; not in the OpenAPI document, where the routers' routes
    # stay (issue 22, fast_routes.py).
    fast = (append_route, privacy_route, session_route, choice_route)
    app.router.routes[0:0] = [make(app.router) for make in fast]
    api_examples.install(app)  # recorded request and answer examples (issue 24)
    install_error_handlers(app)
    app.add_middleware(
        RequestMiddleware,
        metrics=app.state.metrics,
        max_body_bytes=core.settings.max_body_bytes,
        allowed_hosts=core.settings.allowed_hosts,
        fast_routes=fast,  # served right under it, before FastAPI's inner layers
    )
    if start_tracing():  # OTEL_* variables with consentry[otel]; otherwise nothing
        app.add_middleware(TracingMiddleware)  # outermost: a server span per request
    return app
