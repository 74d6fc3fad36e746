"""Several workers and a slow receiver: each delivery is sent once (the lease bug).

docs/events.md, "Guarantees" (issue 7; no rule in SPEC.md or docs/rules.md covers the
outbox): deliveries are at least once, and an event may come twice only when a worker
dies mid-call. A lease used to be counted from the start of a worker's pass, for its
whole batch: a delivery still waiting, or still being sent, when that lease ran out was
claimed and sent by a second worker too. A lease now starts when its delivery is claimed,
and only its holder sends it and records the outcome.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App
from consentry.outbox import registry
from consentry.outbox.delivery import Outcome, claim_due, fan_out, hold_lease, record_attempt
from consentry.outbox.registry import DeliveryStatus
from consentry.outbox.worker import Worker
from consentry.service import accounts

from .conftest import FAST, INTERNAL, Receiver, make_changes

MakeWorker = Callable[..., Worker]


def _statuses(app: App) -> set[str]:
    d = t.webhook_deliveries.c
    with app.engine.connect() as conn:
        return set(conn.execute(select(d.status)).scalars())


def test_two_workers_and_a_slow_receiver_send_each_delivery_once(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    registry.add_endpoint(
        app.engine, url=receiver.url, now=app.ctx.clock.now(), guard=INTERNAL, box=app.box
    )
    make_changes(app)
    events = make_changes(app)  # two users' lives: 12 events
    assert len(events) >= 10
    # Each answer takes 0.25 s, far inside the 2 s lease; one worker alone needs ~3 s for
    # all of them, one at a time, so a lease counted from the start of its pass runs out
    # under deliveries it has not sent yet.
    receiver.script = ["hang"] * (3 * len(events))
    receiver.hang_s = 0.25
    workers = [make_worker(timeout_s=1.5, lease_s=2.0, concurrency=1) for _ in range(2)]
    errors: list[BaseException] = []
    deadline = time.monotonic() + 30

    def run(index: int) -> None:
        try:
            if index:
                time.sleep(0.1)  # the first worker claims first
            while time.monotonic() < deadline and _statuses(app) != {"delivered"}:
                if not workers[index].run_once().busy:
                    time.sleep(0.02)
        except BaseException as error:  # reported by the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(40)
    assert not errors, errors
    assert _statuses(app) == {"delivered"}
    sent = Counter(r.event_id for r in receiver.requests)
    assert set(sent) == set(events)
    assert {e: n for e, n in sent.items() if n > 1} == {}
    d, a = t.webhook_deliveries.c, t.webhook_attempts.c
    with app.engine.connect() as conn:
        assert set(conn.execute(select(d.attempts)).scalars()) == {1}
        assert len(conn.execute(select(a.id)).all()) == len(events)


def test_only_the_holder_of_the_current_lease_sends_or_records(
    app: App, receiver: Receiver
) -> None:
    registry.add_endpoint(
        app.engine, url=receiver.url, now=app.ctx.clock.now(), guard=INTERNAL, box=app.box
    )
    accounts.sign_up(app.ctx, plan="free", training="off")
    fan_out(app.engine, now=datetime.now(UTC))
    settings = dataclasses.replace(FAST, timeout_s=1.0, lease_s=2.0)
    first = claim_due(app.engine, now=datetime.now(UTC), settings=settings, box=app.box)
    assert first
    # The first lease runs out (its holder stalled); a second worker claims the deliveries.
    later = datetime.now(UTC) + timedelta(seconds=3)
    reclaimed = claim_due(app.engine, now=later, settings=settings, box=app.box)
    assert {c.delivery_id for c in reclaimed} == {c.delivery_id for c in first}
    second = [c for c in reclaimed if c.delivery_id == first[0].delivery_id]
    assert second[0].lease_token != first[0].lease_token
    assert not hold_lease(app.engine, first[0], settings=settings)  # the stale one sends nothing
    now = datetime.now(UTC)
    ok = Outcome(True, 204, None, now, now)
    status = record_attempt(app.engine, first[0], ok, settings=settings, rng=random.Random(0))
    assert status is DeliveryStatus.PENDING  # a stale attempt is stored and changes nothing
    d = t.webhook_deliveries.c
    with app.engine.connect() as conn:
        row = conn.execute(
            select(d.status, d.attempts, d.lease_token).where(d.id == first[0].delivery_id)
        ).one()
    assert (row.status, row.attempts, row.lease_token) == ("pending", 0, second[0].lease_token)
    assert hold_lease(app.engine, second[0], settings=settings)
    status = record_attempt(app.engine, second[0], ok, settings=settings, rng=random.Random(0))
    assert status is DeliveryStatus.DELIVERED
