"""Webhooks against a real receiver on loopback: signed, retried, at least once."""

from __future__ import annotations

import functools
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.uow import SqlUnitOfWork
from consentry.bootstrap import App
from consentry.config.sealing import is_sealed
from consentry.domain.errors import InvalidInput, NotFound
from consentry.outbox import registry
from consentry.outbox import worker as worker_module
from consentry.outbox.delivery import backoff_delay, fan_out
from consentry.outbox.settings import DeliverySettings
from consentry.outbox.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, verify
from consentry.outbox.targets import TargetGuard
from consentry.outbox.worker import Worker
from consentry.service import accounts

from .conftest import INTERNAL, Receiver, deliver_until, make_changes, outbox_ids

MakeWorker = Callable[..., Worker]


def register(app: App, receiver: Receiver, **kwargs: object) -> registry.NewEndpoint:
    return registry.add_endpoint(
        app.engine,
        url=receiver.url,
        now=app.ctx.clock.now(),
        guard=INTERNAL,
        box=app.box,
        **kwargs,  # type: ignore[arg-type]
    )


def statuses(app: App) -> dict[str, str]:
    d = t.webhook_deliveries.c
    with app.engine.connect() as conn:
        return {r.event_id: r.status for r in conn.execute(select(d.event_id, d.status))}


def test_every_event_arrives_signed_with_its_id(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    created = register(app, receiver)
    events = make_changes(app)
    worker = make_worker()
    deliver_until(worker, lambda: receiver.delivered_ids() == set(events))
    for request in receiver.requests:
        body = json.loads(request.body)
        assert request.headers[EVENT_ID_HEADER.lower()] == body["event_id"]
        assert request.headers["content-type"] == "application/json"
        header = request.headers[SIGNATURE_HEADER.lower()]
        assert verify(created.secret, header, request.body, now=int(time.time()))
        assert not verify("whsec_wrong-secret-000000", header, request.body, now=int(time.time()))
        assert not verify(created.secret, header, request.body + " ", now=int(time.time()))
        assert set(body) == {"event_id", "cursor", "type", "payload", "created_at"}
    # When nothing fails, each event is sent exactly once.
    assert sorted(r.event_id for r in receiver.requests) == sorted(events)
    assert set(statuses(app).values()) == {"delivered"}


def test_a_failing_receiver_gets_every_event_after_retries(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    register(app, receiver)
    events = make_changes(app)
    receiver.script = ["fail"] * 5
    deliver_until(make_worker(), lambda: receiver.delivered_ids() == set(events))
    assert sum(1 for r in receiver.requests if r.answered == 500) == 5
    assert set(statuses(app).values()) == {"delivered"}
    a = t.webhook_attempts.c
    with app.engine.connect() as conn:
        codes = conn.execute(select(a.status_code)).scalars().all()
    assert sorted(codes).count(500) == 5


def test_a_receiver_that_times_out_gets_the_event_again(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    register(app, receiver)
    accounts.sign_up(app.ctx, plan="free", training="off")
    events = set(outbox_ids(app))
    receiver.script = ["hang"]
    receiver.hang_s = 1.5
    worker = make_worker(timeout_s=0.3, lease_s=1.0, concurrency=1)
    # Done when the worker has recorded every delivery, not when the receiver has
    # answered: the hung request is answered 204 after 1.5 s although the worker gave up
    # at 0.3 s, and a retry that comes after that (a loaded machine, or a retry waiting
    # for the next pass) would end the loop before the event was sent again.
    deliver_until(
        worker,
        lambda: set(statuses(app)) == events and set(statuses(app).values()) == {"delivered"},
    )
    assert receiver.delivered_ids() == events
    first = receiver.requests[0].event_id
    assert receiver.count(first) >= 2  # timed out, then delivered again: dedupe by event id
    d = t.webhook_deliveries.c
    with app.engine.connect() as conn:
        row = conn.execute(select(d.attempts, d.status).where(d.event_id == first)).one()
    assert row.status == "delivered"
    assert row.attempts >= 2


def test_a_receiver_that_restarts_gets_every_event(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    register(app, receiver)
    receiver.stop()  # down: connections are refused
    events = make_changes(app)
    worker = make_worker()
    worker.run_once()
    worker.run_once()
    assert receiver.delivered_ids() == set()
    d = t.webhook_deliveries.c
    with app.engine.connect() as conn:
        errors = conn.execute(select(d.last_error).where(d.attempts > 0)).scalars().all()
    assert errors
    assert all("ConnectError" in (e or "") for e in errors)
    receiver.start()  # back on the same port
    deliver_until(worker, lambda: receiver.delivered_ids() == set(events))
    assert set(statuses(app).values()) == {"delivered"}


def test_a_delivery_is_dead_lettered_after_the_last_attempt(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    created = register(app, receiver, event_types=["account.created"])
    accounts.sign_up(app.ctx, plan="free", training="on")
    receiver.script = ["fail"] * 100
    worker = make_worker(max_attempts=3)
    deliver_until(worker, lambda: set(statuses(app).values()) == {"dead"})
    assert len(receiver.requests) == 3
    [dead] = registry.list_deliveries(app.engine, endpoint_id=created.endpoint.id)
    assert dead.status is registry.DeliveryStatus.DEAD
    assert dead.attempts == 3
    assert dead.last_status_code == 500
    assert dead.last_error is not None
    assert dead.last_error.startswith("HTTP 500")
    worker.drain()
    assert len(receiver.requests) == 3  # dead stays dead


def test_event_type_filter_and_registration_point(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    accounts.sign_up(app.ctx, plan="free", training="on")  # before registration: not sent
    register(app, receiver, event_types=["account.deleted", "consent.choice"])
    make_changes(app)
    make_worker().drain()
    types = [json.loads(r.body)["type"] for r in receiver.requests]
    assert sorted(types) == [
        "account.deleted",
        "consent.choice",
        "consent.choice",
        "consent.choice",
    ]


def test_nothing_is_delivered_for_a_rolled_back_change(
    app: App, receiver: Receiver, make_worker: MakeWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(app, receiver)
    user = accounts.sign_up(app.ctx, plan="free", training="on")
    monkeypatch.setattr(SqlUnitOfWork, "commit", _crash)
    with pytest.raises(RuntimeError):
        accounts.delete_account(app.ctx, account_id=user.account_id)
    monkeypatch.undo()
    make_worker().drain()
    types = sorted(json.loads(r.body)["type"] for r in receiver.requests)
    assert types == ["account.created", "consent.choice"]


def test_removing_an_endpoint_cancels_what_is_pending(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    created = register(app, receiver)
    make_changes(app)
    worker = make_worker()
    assert fan_out(app.engine, now=datetime.now(UTC)) > 0
    registry.remove_endpoint(app.engine, endpoint_id=created.endpoint.id, now=app.ctx.clock.now())
    worker.drain()
    assert receiver.requests == []
    assert set(statuses(app).values()) == {"cancelled"}
    assert registry.list_endpoints(app.engine) == []
    with pytest.raises(NotFound):
        registry.remove_endpoint(
            app.engine, endpoint_id=created.endpoint.id, now=app.ctx.clock.now()
        )


def test_registration_refuses_bad_input(app: App) -> None:
    now = app.ctx.clock.now()
    # example.org resolves to a public address here whatever the machine's DNS says.
    guard = TargetGuard(resolve=lambda host, port: ["93.184.216.34"])
    add = functools.partial(registry.add_endpoint, app.engine, now=now, guard=guard, box=app.box)
    with pytest.raises(InvalidInput):
        add(url="ftp://example.org/x")
    with pytest.raises(InvalidInput):
        add(url="not a url")
    with pytest.raises(InvalidInput):
        add(url="https://example.org", event_types=["x"])
    with pytest.raises(InvalidInput):
        add(url="https://example.org", event_types=[])
    for secret in ("short", " " * 40, "\t" * 20 + "x", "a" * 15 + " " * 10, " " + "s" * 30):
        with pytest.raises(InvalidInput, match="signing secret"):
            add(url="https://example.org", secret=secret)
    with pytest.raises(InvalidInput, match="signing secret"):
        add(url="https://example.org", secret="s" * 20 + "\x00" + "s" * 5)  # NUL: 500 on PG
    created = add(url="https://example.org/h")
    assert created.secret.startswith("whsec_")
    assert len(created.secret) > 32


def test_the_signing_secret_is_stored_sealed_and_still_signs(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    """Issue 17 item 5: the database alone does not hold the secret."""
    secret = "whsec_caller-chosen-secret-0123456789"
    created = register(app, receiver, secret=secret)
    w = t.webhook_endpoints.c
    with app.engine.connect() as conn:
        stored = conn.execute(select(w.secret).where(w.id == created.endpoint.id)).scalar_one()
    assert is_sealed(stored) and secret not in stored
    events = make_changes(app)
    deliver_until(make_worker(), lambda: receiver.delivered_ids() == set(events))
    header = receiver.requests[0].headers[SIGNATURE_HEADER.lower()]
    assert verify(secret, header, receiver.requests[0].body, now=int(time.time()))


def test_a_failed_answer_records_the_status_never_the_body(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    """Issue 17 item 2: a cloud metadata answer must not reach the deliveries list."""
    receiver.script = ["fail"]
    receiver.fail_body = b'{"AccessKeyId": "ASIA-METADATA-SECRET"}'
    register(app, receiver, event_types=["account.created"])
    accounts.sign_up(app.ctx, plan="free", training="on")
    deliver_until(make_worker(), lambda: len(receiver.delivered_ids()) == 1)
    d, a = t.webhook_deliveries.c, t.webhook_attempts.c
    with app.engine.connect() as conn:
        errors = conn.execute(select(a.error).where(a.error.is_not(None))).scalars().all()
        kept = conn.execute(select(d.last_error)).scalars().all()
    assert errors == ["HTTP 500"]
    assert not any("METADATA" in (e or "") for e in [*errors, *kept])


def test_a_target_that_rebinds_to_loopback_is_refused_at_delivery(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    """Issue 17 item 2: registered while its name pointed at a public address, the
    endpoint's name now resolves to loopback; the worker refuses to connect."""
    answers = {"hooks.example": ["93.184.216.34"]}
    guard = TargetGuard(resolve=lambda host, port: answers.get(host, []))
    registry.add_endpoint(
        app.engine,
        url=f"https://hooks.example:{receiver.port}/hook",
        now=app.ctx.clock.now(),
        guard=guard,
        box=app.box,
        event_types=["account.created"],
    )
    answers["hooks.example"] = ["127.0.0.1"]
    accounts.sign_up(app.ctx, plan="free", training="on")
    worker = make_worker(max_attempts=1)
    worker.guard = guard
    worker.client = guard.client(5)
    worker.drain()
    assert receiver.requests == []
    with app.engine.connect() as conn:
        rows = conn.execute(select(t.webhook_deliveries)).all()
    refused = ("dead", "target refused: loopback address")
    assert [(r.status, r.last_error) for r in rows] == [refused]


def test_backoff_is_exponential_with_full_jitter() -> None:
    settings = DeliverySettings(backoff_base_s=30, backoff_cap_s=3600)
    rng = random.Random(7)
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (20, 3600)]:
        delays = [backoff_delay(attempt, settings, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # spread over the whole range (full jitter)
        assert min(delays) < ceiling * 0.2


def _crash(self: SqlUnitOfWork) -> None:
    raise RuntimeError("crash before commit")


def test_a_failed_worker_pass_logs_no_row_values(
    app: App,
    make_worker: MakeWorker,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 17 item 1: the worker's error log names the failure, not the data."""
    secret = "PRIVATE-value-" + "hunter2"

    def broken(*_: object, **__: object) -> int:
        raise RuntimeError(f"could not fan out {secret}")

    monkeypatch.setattr(worker_module, "fan_out", broken)
    caplog.set_level(logging.ERROR, logger="consentry.outbox")
    worker = make_worker(poll_interval_s=0.01)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 5
    while not caplog.records and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(5)
    assert caplog.records
    assert "RuntimeError" in caplog.text and "in broken" in caplog.text
    assert secret not in caplog.text
