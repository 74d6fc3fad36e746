"""A delivery worker process killed mid-delivery loses nothing: the event comes again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App
from consentry.outbox import registry

from .conftest import INTERNAL, Receiver, make_changes


def start_worker(database_url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CONSENTRY_DATABASE_URL": database_url,
        "CONSENTRY_WEBHOOK_TIMEOUT_S": "2",
        "CONSENTRY_WEBHOOK_LEASE_S": "2.5",
        "CONSENTRY_WEBHOOK_BACKOFF_BASE_S": "0.05",
        "CONSENTRY_WEBHOOK_POLL_INTERVAL_S": "0.05",
        "CONSENTRY_WEBHOOK_CONCURRENCY": "1",
        "CONSENTRY_WEBHOOK_BATCH_SIZE": "2",
        "CONSENTRY_WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on loopback
    }
    env.pop("CONSENTRY_REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "consentry.entrypoints.worker_main"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_a_worker_killed_mid_delivery_loses_nothing(
    app: App, database_url: str, receiver: Receiver, tmp_path: Path
) -> None:
    registry.add_endpoint(
        app.engine, url=receiver.url, now=app.ctx.clock.now(), guard=INTERNAL, box=app.box
    )
    events = make_changes(app)
    receiver.script = ["ok", "hold"]  # the second request stalls until the worker is dead
    log = tmp_path / "worker.log"

    first = start_worker(database_url, log)
    try:
        wait_for(receiver.holding.is_set, 20, f"a request to hang: {log.read_text()}")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    held = receiver.requests[-1].event_id
    receiver.release.set()
    assert receiver.delivered_ids() != set(events)

    # The killed worker's lease on the stalled delivery (and its batch) runs out; a new
    # worker delivers it again, and everything after it.
    lease_ends = time.monotonic() + 2.5
    second = start_worker(database_url, log)
    try:
        wait_for(lambda: receiver.delivered_ids() == set(events), 30, "every event")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    assert time.monotonic() >= lease_ends - 0.5
    assert receiver.count(held) >= 2
    d = t.webhook_deliveries.c
    with app.engine.connect() as conn:
        assert set(conn.execute(select(d.status)).scalars()) == {"delivered"}
    assert second.returncode == 0
