"""Prometheus metrics of the API, in a registry per application.

Request counts and latencies are labelled by route *template* (``/v1/me/sessions/{session_id}``),
never by raw path, so ids cannot blow up the label space. Business counters (choices,
deferrals, runs, purges) are reported by the service layer through its
:class:`~consentry.service.observers.Observer` port, which this registry implements.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest

from consentry.domain.types import ChoiceSource, Purpose, Training
from consentry.service.records import PurgeCounts

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


class ApiMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._by_request: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        r = self.registry
        self.requests = Counter(
            "consentry_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "consentry_http_request_duration_seconds",
            "HTTP request latency by method, route template and status.",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.choices = Counter(
            "consentry_choices",
            "Training choices recorded, by value and source (R3).",
            ["value", "source"],
            registry=r,
        )
        self.deferrals = Counter(
            "consentry_notice_deferrals", "Notice deferrals ('Not now', R6).", registry=r
        )
        self.runs = Counter(
            "consentry_training_runs_created",
            "Training runs created, by purpose (R19).",
            ["purpose"],
            registry=r,
        )
        self.purged = Counter(
            "consentry_purged_items",
            "Items purged by the retention sweeper, by kind (R17).",
            ["kind"],
            registry=r,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count and time one request. The labelled children are kept per (method, route,
        status), the label sets the registry holds anyway: ``labels()`` validates and
        looks them up under a lock, twice per request (issue 22)."""
        key = (method, route, status)
        children = self._by_request.get(key)
        if children is None:
            code = str(status)
            children = (
                self.requests.labels(method, route, code),
                self.latency.labels(method, route, code),
            )
            self._by_request[key] = children
        children[0].inc()
        children[1].observe(seconds)

    # The service's Observer (service/observers.py): told after each committed change,
    # whichever entry point made it, so web pages and API routes count alike (issue 20).
    def choice_recorded(self, value: Training, source: ChoiceSource) -> None:
        self.choices.labels(value.value, source.value).inc()

    def notice_deferred(self) -> None:
        self.deferrals.inc()

    def run_created(self, purpose: Purpose) -> None:
        self.runs.labels(purpose.value).inc()

    def items_purged(self, counts: PurgeCounts) -> None:
        for kind in ("sessions", "messages", "feedback", "scores"):
            amount = getattr(counts, kind)
            if amount:
                self.purged.labels(kind).inc(amount)

    def render(self) -> bytes:
        return _generate_latest(self.registry)
