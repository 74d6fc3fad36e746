"""Run the API under uvicorn (``consentry serve``)."""

from __future__ import annotations

import logging
import os
from typing import Any

import uvicorn
from fastapi import FastAPI

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.diagnostics import collect
from consentry.entrypoints.api.app import create_app
from consentry.entrypoints.api.ledger import start_checkpoint_ticker
from consentry.entrypoints.api.logs import configure_logging
from consentry.entrypoints.api.read_timeout import with_read_deadline

log = logging.getLogger("consentry.api")


def serve(settings: Settings, host: str, port: int) -> None:
    """Open (and upgrade) the database, build the application and serve it until stopped."""
    configure_logging()
    core = build(settings)
    log_install(settings.database_url, core.ctx.policy.digest)
    if settings.admin_token is None:
        log.warning(
            "no admin token is configured (CONSENTRY_ADMIN_TOKEN or --admin-token): "
            "every /v1/admin path will answer 401"
        )
    if core.test_clock is not None:
        log.warning("the test clock is on, frozen at %s", settings.test_clock)
    if settings.webhook_allow_private:
        log.warning(
            "webhooks may go to private and loopback addresses "
            "(--webhook-allow-private or CONSENTRY_WEBHOOK_ALLOW_PRIVATE=1)"
        )
    from consentry.outbox.targets import egress_warning, guard_for

    proxied = egress_warning(guard_for(settings))
    if proxied is not None:
        log.warning("%s", proxied)
    app = create_app(core)
    worker = None
    if os.environ.get("CONSENTRY_DELIVERY_IN_SERVE", "1").lower() not in ("0", "false", "off"):
        from consentry.outbox.worker import start_background_worker

        # Webhooks and the Redis stream are fed from the outbox beside the API; a deployment
        # that runs `consentry deliver` separately sets CONSENTRY_DELIVERY_IN_SERVE=0.
        worker = start_background_worker(
            engine=core.engine, box=core.box, guard=guard_for(core.settings)
        )
    ticker = start_checkpoint_ticker(core)  # ledger checkpoints, with a signing key
    try:
        uvicorn.run(app, host=host, port=port, **uvicorn_options(settings))
    finally:
        if worker is not None:
            worker.stop()
        if ticker is not None:
            ticker.stop()
        core.engine.dispose()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What `serve` passes to uvicorn besides the app and address (issue 17): a read
    deadline on every request, and X-Forwarded-For/-Proto believed only from the
    peers in ``forwarded_allow_ips`` (a TLS proxy), so cookies get ``Secure`` and
    answers HSTS only when the client really spoke https."""
    return {
        "access_log": False,
        "log_config": None,
        "http": with_read_deadline(settings.read_timeout_s),
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }


def log_install(database_url: str, policy_digest: str) -> None:
    """One line at start with what ``consentry info`` prints (filter scan, extras, …)."""
    found = collect(database_url=database_url, policy_digest=policy_digest)
    extras = ", ".join(
        f"{name}={'yes' if e['installed'] else 'no'}" for name, e in found["extras"].items()
    )
    log.info(
        "consentry %s on %s; database %s; filter scan %s (%s); extras %s; policy %s; "
        "crypto-shredding %s (%s)",
        found["version"],
        found["python"],
        found["database_url"],
        found["filter"]["scan"],
        found["filter"]["reason"],
        extras,
        found["policy_digest"],
        "on" if found["crypto_shredding"]["on"] else "off",
        found["crypto_shredding"]["note"],
    )


def app_from_env() -> FastAPI:
    """An application from ``CONSENTRY_*`` variables, for ``uvicorn --factory`` (several
    workers); the database must already be upgraded (``consentry db upgrade``)."""
    os.umask(0o077)  # what this process creates is private to its user (issue 17 item 5)
    configure_logging()
    settings = Settings.from_env()
    if settings.admin_token is None:
        log.warning("no admin token is configured: every /v1/admin path will answer 401")
    return create_app(build(settings, migrate=False))
