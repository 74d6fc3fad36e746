"""The delivery worker: fan out, deliver what is due, publish to Redis, sleep, repeat.

It runs inside ``consentry serve`` (:func:`start_background_worker`, a daemon thread) or
on its own (``consentry deliver``, ``python -m consentry.entrypoints.worker_main``). Any number
of workers may run against PostgreSQL; on SQLite run one (more are correct, serialised by
``BEGIN IMMEDIATE``, but they add nothing but waits).

Each of a pass's ``concurrency`` threads claims one due delivery, renews its lease, sends it,
records the outcome, and claims the next, until the pass has claimed ``batch_size`` or none
is due: a lease covers its delivery from the moment it is claimed, never from the start of
the pass (the lease bug: a batch leased at once ran out under the deliveries still waiting
in it, and a second worker sent them too).
"""

from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine

from consentry.config.sealing import SecretBox
from consentry.log_safety import redacted_traceback
from consentry.outbox.delivery import (
    Claim,
    attempt,
    claim_due,
    fan_out,
    hold_lease,
    record_attempt,
)
from consentry.outbox.events import EventFormat
from consentry.outbox.redis_stream import RedisStreamPublisher
from consentry.outbox.registry import DeliveryStatus
from consentry.outbox.settings import DeliverySettings
from consentry.outbox.targets import TargetGuard

log = logging.getLogger("consentry.outbox")


@dataclass
class CycleResult:
    fanned_out: int = 0
    attempted: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    streamed: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.fanned_out or self.attempted or self.streamed)


class Worker:
    def __init__(
        self,
        engine: Engine,
        settings: DeliverySettings,
        *,
        box: SecretBox,
        guard: TargetGuard | None = None,
        client: httpx.Client | None = None,
        publisher: RedisStreamPublisher | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.box = box
        """Opens the endpoints' sealed signing secrets."""
        self.guard = guard or TargetGuard()
        """Where deliveries may connect (issue 17 item 2); public https only by default."""
        self.client = client or self.guard.client(settings.timeout_s)
        if publisher is None and settings.redis_url:
            publisher = RedisStreamPublisher.from_url(
                engine,
                settings.redis_url,
                stream=settings.redis_stream,
                maxlen=settings.redis_maxlen,
                format=EventFormat(settings.redis_format),
            )
        self.publisher = publisher
        self.rng = rng or random.SystemRandom()
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, settings.concurrency), thread_name_prefix="consentry-webhook"
        )

    def run_once(self) -> CycleResult:
        """One pass: fan out new events, attempt every due delivery, publish to Redis."""
        result = CycleResult()
        now = datetime.now(UTC)
        result.fanned_out = fan_out(self.engine, now=now)
        budget = [self.settings.batch_size]
        budget_lock = threading.Lock()

        def next_claim() -> Claim | None:
            with budget_lock:
                if budget[0] <= 0:
                    return None
                budget[0] -= 1
            claims = claim_due(
                self.engine,
                now=datetime.now(UTC),
                due_by=now,
                settings=self.settings,
                box=self.box,
                limit=1,
            )
            return claims[0] if claims else None

        def deliver_until_none_due() -> list[DeliveryStatus]:
            statuses: list[DeliveryStatus] = []
            while (claim := next_claim()) is not None:
                if not hold_lease(self.engine, claim, settings=self.settings):
                    continue  # cancelled meanwhile
                outcome = attempt(self.client, claim, self.guard)
                statuses.append(
                    record_attempt(
                        self.engine, claim, outcome, settings=self.settings, rng=self.rng
                    )
                )
            return statuses

        lanes = max(1, self.settings.concurrency)
        futures = [self._pool.submit(deliver_until_none_due) for _ in range(lanes)]
        statuses = [status for future in futures for status in future.result()]
        result.attempted = len(statuses)
        for status in statuses:
            if status is DeliveryStatus.DELIVERED:
                result.delivered += 1
            elif status is DeliveryStatus.DEAD:
                result.dead += 1
            else:
                result.failed += 1
        if self.publisher is not None:
            result.streamed = self.publisher.publish_pending(now=now)
        return result

    def drain(self, *, max_cycles: int = 10_000) -> CycleResult:
        """Run passes until one finds nothing to do (retries not yet due are left)."""
        total = CycleResult()
        for _ in range(max_cycles):
            step = self.run_once()
            for name in ("fanned_out", "attempted", "delivered", "failed", "dead", "streamed"):
                setattr(total, name, getattr(total, name) + getattr(step, name))
            if not step.busy:
                break
        return total

    def run_forever(self, stop: threading.Event) -> None:
        """Loop until `stop` is set; errors are logged and the loop carries on."""
        while not stop.is_set():
            busy = False
            try:
                busy = self.run_once().busy
            except Exception as error:  # a database or Redis outage must not kill the worker
                # Types and frames, no messages: they may quote row values (issue 17). In
                # the message itself, so `consentry deliver`'s plain log shows it too.
                log.error("outbox worker pass failed; retrying\n%s", redacted_traceback(error))
            if not busy:
                stop.wait(self.settings.poll_interval_s)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.client.close()
        if self.publisher is not None:
            self.publisher.close()


class WorkerHandle:
    """A running background worker; :meth:`stop` ends it after the pass in flight."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="consentry-outbox-worker", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        try:
            self.worker.run_forever(self._stop)
        finally:
            self.worker.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float | None = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)


def start_background_worker(
    *,
    engine: Engine,
    box: SecretBox,
    guard: TargetGuard,
    settings: DeliverySettings | None = None,
) -> WorkerHandle:
    """Run the delivery worker in a daemon thread beside the API (``consentry serve``).

    The caller (the entry point) passes what the worker needs; the outbox never reaches
    for the application's wiring itself.
    """
    worker = Worker(engine, settings or DeliverySettings.from_env(), box=box, guard=guard)
    return WorkerHandle(worker)
