"""The CLI sub-app (as the main CLI mounts it) and the worker that runs inside serve."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from consentry.bootstrap import App
from consentry.entrypoints import cli_outbox as cli
from consentry.outbox import registry
from consentry.outbox.targets import guard_for
from consentry.outbox.worker import start_background_worker

from .conftest import FAST, INTERNAL, Receiver, make_changes

runner = CliRunner()


def internal(app: App) -> App:
    """The app of a deployment that allows private webhook targets (the receiver)."""
    settings = dataclasses.replace(app.settings, webhook_allow_private=True)
    return dataclasses.replace(app, settings=settings)


def mounted() -> typer.Typer:
    main = typer.Typer()

    @main.command()
    def version() -> None:  # a second command, as in the real CLI
        print("0")

    main.add_typer(cli.app)
    return main


def test_webhooks_add_list_remove_and_deliver_once(
    app: App, database_url: str, receiver: Receiver
) -> None:
    main = mounted()
    url = ["--database-url", database_url]
    private = ["--webhook-allow-private"]  # the receiver is on loopback (issue 17 item 2)
    refused = runner.invoke(main, ["webhooks", "add", receiver.url, *url])
    assert refused.exit_code == 2 and "webhook_target_refused" in refused.output
    added = runner.invoke(
        main, ["webhooks", "add", receiver.url, "-e", "consent.choice", *url, "--json", *private]
    )
    assert added.exit_code == 0, added.output
    endpoint = json.loads(added.stdout)  # stderr says private targets are allowed
    assert endpoint["secret"].startswith("whsec_")
    listed = runner.invoke(main, ["webhooks", "list", *url, "--json"])
    assert [e["id"] for e in json.loads(listed.output)] == [endpoint["id"]]
    assert "whsec_" not in listed.output

    make_changes(app)
    delivered = runner.invoke(
        main, ["deliver", "--once", *url, *private], env={"CONSENTRY_REDIS_URL": ""}
    )
    assert delivered.exit_code == 0, delivered.output
    assert "delivered 3" in delivered.output
    assert len(receiver.delivered_ids()) == 3
    status = runner.invoke(main, ["webhooks", "deliveries", endpoint["id"], *url])
    assert status.exit_code == 0
    assert "delivered" in status.output

    removed = runner.invoke(main, ["webhooks", "remove", endpoint["id"], *url])
    assert removed.exit_code == 0, removed.output
    again = runner.invoke(main, ["webhooks", "remove", endpoint["id"], *url])
    assert again.exit_code == 2
    assert "not_found" in again.output
    bad = runner.invoke(main, ["webhooks", "add", "ftp://x", *url])
    assert bad.exit_code == 2


def test_the_background_worker_delivers_and_stops(app: App, receiver: Receiver) -> None:
    app = internal(app)
    registry.add_endpoint(
        app.engine, url=receiver.url, now=app.ctx.clock.now(), guard=INTERNAL, box=app.box
    )
    handle = start_background_worker(
        engine=app.engine, box=app.box, guard=guard_for(app.settings), settings=FAST
    )
    try:
        events = make_changes(app)
        deadline = time.monotonic() + 10
        while receiver.delivered_ids() != set(events):
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        handle.stop()
    assert not handle.running


def test_serve_runs_the_delivery_worker_while_it_serves(
    app: App, database_url: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`consentry serve` delivers webhooks in-process (issue 7) and stops the worker on exit."""
    from consentry.config.settings import Settings
    from consentry.entrypoints.api import server
    from consentry.outbox import worker as worker_module

    registry.add_endpoint(
        app.engine, url=receiver.url, now=app.ctx.clock.now(), guard=INTERNAL, box=app.box
    )
    handles: list[worker_module.WorkerHandle] = []

    def start(**wiring: Any) -> worker_module.WorkerHandle:
        handles.append(start_background_worker(**wiring, settings=FAST))
        return handles[-1]

    def run_while_serving(*_: object, **__: object) -> None:
        events = make_changes(app)
        deadline = time.monotonic() + 10
        while receiver.delivered_ids() != set(events):
            assert time.monotonic() < deadline, "serve did not deliver"
            time.sleep(0.02)

    monkeypatch.setattr(worker_module, "start_background_worker", start)
    monkeypatch.setattr(server.uvicorn, "run", run_while_serving)
    monkeypatch.setattr(server, "configure_logging", lambda: None)
    settings = Settings(database_url=database_url, admin_token="t" * 32, webhook_allow_private=True)
    server.serve(settings, "127.0.0.1", 0)
    assert len(handles) == 1 and not handles[0].running


def test_serve_leaves_delivery_to_a_separate_worker_when_told(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from consentry.config.settings import Settings
    from consentry.entrypoints.api import server
    from consentry.outbox import worker as worker_module

    def refuse(**_wiring: Any) -> None:
        raise AssertionError("no in-process worker with CONSENTRY_DELIVERY_IN_SERVE=0")

    monkeypatch.setenv("CONSENTRY_DELIVERY_IN_SERVE", "0")
    monkeypatch.setattr(worker_module, "start_background_worker", refuse)
    monkeypatch.setattr(server.uvicorn, "run", lambda *a, **k: None)
    monkeypatch.setattr(server, "configure_logging", lambda: None)
    server.serve(Settings(database_url=database_url, admin_token="t" * 32), "127.0.0.1", 0)
