"""A real webhook receiver on loopback, a fast worker, and a few changes to publish."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from consentry.bootstrap import App
from consentry.outbox.delivery import fan_out
from consentry.outbox.settings import DeliverySettings
from consentry.outbox.targets import TargetGuard
from consentry.outbox.worker import Worker
from consentry.service import accounts, sessions


@dataclass
class Request:
    headers: dict[str, str]
    body: str
    answered: int | None = None

    @property
    def event_id(self) -> str:
        return str(json.loads(self.body)["event_id"])


@dataclass
class Receiver:
    """A tiny HTTP server on 127.0.0.1 whose answers the test scripts.

    `script` is consumed one action per request: "ok" (204), "fail" (500), "hang" (answer
    only after `hang_s`, past the short timeout the test gives its worker) or "hold" (block
    until `release`; it never counts as delivered: its sender is dead by then).
    When the script runs out every request gets "ok".
    """

    port: int = 0
    script: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    hang_s: float = 3.0
    fail_body: bytes = b""
    """What a "fail" answer carries (a metadata-like secret, in the SSRF tests)."""
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                request = Request({k.lower(): v for k, v in self.headers.items()}, body)
                with receiver._lock:
                    receiver.requests.append(request)
                    action = receiver.script.pop(0) if receiver.script else "ok"
                if action == "hang":
                    receiver.release.wait(receiver.hang_s)
                elif action == "hold":
                    receiver.holding.set()
                    receiver.release.wait(30)
                status = 500 if action == "fail" else 204
                # A held request's sender is gone (killed): no answer reaches anyone.
                request.answered = None if action == "hold" else status
                body = receiver.fail_body if action == "fail" else b""
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the worker went away (killed, or timed out)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def delivered_ids(self) -> set[str]:
        """Event ids answered 2xx at least once: what a de-duplicating receiver keeps."""
        with self._lock:
            return {r.event_id for r in self.requests if r.answered == 204}

    def count(self, event_id: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.event_id == event_id)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    yield r
    r.release.set()
    r.stop()


INTERNAL = TargetGuard(allow_private=True)
"""The receiver runs on loopback, so these tests allow private targets (issue 17 item 2);
tests/integration/outbox/test_targets.py tries the default, public-only guard."""

FAST = DeliverySettings(
    max_attempts=8,
    backoff_base_s=0.02,
    backoff_cap_s=0.2,
    # Fast retries, but a generous HTTP timeout. The receiver runs in the test's own
    # process, so a stall of that process (CPU starved, GIL held, a long GC) delays every
    # answer; with 0.5 s such a stall turned answered requests into timeouts, i.e. failed
    # attempts, and tests that count attempts or requests flaked (issue 15, item 7: [1, 2,
    # 2, 2] for [1, 1, 1, 2]). A test about timeouts sets a short one itself.
    timeout_s=10.0,
    lease_s=30.0,
    poll_interval_s=0.05,
    concurrency=4,
)


@pytest.fixture
def make_worker(app: App) -> Iterator[Callable[..., Worker]]:
    made: list[Worker] = []

    def make(**overrides: Any) -> Worker:
        settings = dataclasses.replace(FAST, **overrides)
        worker = Worker(app.engine, settings, box=app.box, guard=INTERNAL)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.close()


def deliver_until(worker: Worker, done: Callable[[], bool], *, timeout: float = 10.0) -> None:
    """Run worker passes (retries included) until `done()` or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "deliveries did not complete in time"
        if not worker.run_once().busy:
            time.sleep(0.02)


def outbox_ids(app: App) -> list[str]:
    from sqlalchemy import select

    from consentry.adapters.sql import tables as t

    with app.engine.connect() as conn:
        return list(conn.execute(select(t.outbox.c.event_id).order_by(t.outbox.c.id)).scalars())


def make_changes(app: App) -> list[str]:
    """A user's life in a few changes: sign up, chat, opt out, delete a chat, leave."""
    ctx = app.ctx
    user = accounts.sign_up(ctx, plan="free", training="on")
    view = sessions.start_session(ctx, account_id=user.account_id, kind="chat")
    sessions.add_message(
        ctx, account_id=user.account_id, session_id=view.session.id, role="user", content="hi"
    )
    accounts.record_choice(ctx, account_id=user.account_id, training="off")
    sessions.delete_session(ctx, account_id=user.account_id, session_id=view.session.id)
    accounts.delete_account(ctx, account_id=user.account_id)
    return outbox_ids(app)


def fan_out_all(app: App) -> None:
    from datetime import UTC, datetime

    fan_out(app.engine, now=datetime.now(UTC))
