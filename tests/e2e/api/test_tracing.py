"""OpenTelemetry (issue 24 item 3), recorded by the SDK's InMemorySpanExporter: spans for
HTTP requests (route template, status), database statements (shape only, never values),
run creation, export shards, sweeps and webhook deliveries, whose requests carry the
delivery span's `traceparent`. Without configuration nothing is traced.

`CONSENTRY_TRACE_OUT=<file>` writes the rendered sign-up → message → run → export trace
there; docs/events.md shows it."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from consentry import telemetry
from consentry.adapters.sql.tracing import listen_to_databases
from consentry.bootstrap import App
from consentry.outbox import registry
from consentry.outbox.worker import Worker
from tests.integration.outbox.conftest import FAST, INTERNAL, Receiver, deliver_until

from .conftest import ADMIN, Api, client_for, expect

SECRET_WORDS = "the launch code is xyzzy-4711"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry.configure(provider)
    listen_to_databases()
    yield exporter
    telemetry.reset()
    provider.shutdown()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    yield r
    r.release.set()
    r.stop()


def children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [
        s
        for s in spans
        if s.parent is not None and s.parent.span_id == parent.get_span_context().span_id
    ]


def render(spans: list[ReadableSpan]) -> str:
    """The trees as text: name, the attributes worth reading, consecutive alike database
    spans folded into one line with a count."""
    by_parent: dict[int | None, list[ReadableSpan]] = {}
    for s in sorted(spans, key=lambda s: s.start_time or 0):
        by_parent.setdefault(s.parent.span_id if s.parent else None, []).append(s)
    shown = (
        "http.route",
        "http.response.status_code",
        "consentry.run.purpose",
        "consentry.run.sessions",
        "consentry.run.messages",
        "consentry.export.format",
        "consentry.export.shard",
        "consentry.export.rows",
        "consentry.export.files",
    )
    lines: list[str] = []

    def walk(span: ReadableSpan, depth: int) -> None:
        attrs = span.attributes or {}
        details = ", ".join(f"{k}={attrs[k]}" for k in shown if k in attrs)
        lines.append("  " * depth + span.name + (f"  [{details}]" if details else ""))
        kids = by_parent.get(span.get_span_context().span_id, [])
        index = 0
        while index < len(kids):
            kid = kids[index]
            if kid.name.startswith("db ") and not by_parent.get(kid.get_span_context().span_id):
                run = 1
                while index + run < len(kids) and kids[index + run].name == kid.name:
                    run += 1
                lines.append("  " * (depth + 1) + kid.name + (f" ×{run}" if run > 1 else ""))
                index += run
                continue
            walk(kid, depth + 1)
            index += 1

    for root in by_parent.get(None, []):
        walk(root, 0)
    return "\n".join(lines) + "\n"


def test_a_user_journey_is_traced_without_any_value_R24(
    core: App, tmp_path: Path, spans: InMemorySpanExporter
) -> None:
    settings = dataclasses.replace(core.settings, export_dir=str(tmp_path / "exports"))
    with client_for(dataclasses.replace(core, settings=settings)) as client:
        api = Api(client)
        spans.clear()
        user = api.signup("free", "on")
        sid = api.start_session(user)["session_id"]
        api.message(user, sid, SECRET_WORDS)
        run_id = api.create_run()["run_id"]
        path = f"/v1/admin/training-runs/{run_id}/export"
        expect(client.post(path, json={"format": "jsonl"}, headers=ADMIN), 200)
        journey = list(spans.get_finished_spans())
        expect(client.post("/v1/admin/retention/sweep", headers=ADMIN), 200)
        missing = client.get("/v1/me/sessions/ses_nope", headers=user.headers)
        assert missing.status_code == 404
    finished = list(spans.get_finished_spans())
    servers = {s.name: s for s in finished if s.kind.name == "SERVER"}
    for name, route, status in [
        ("POST /v1/accounts", "/v1/accounts", 201),
        (
            "POST /v1/me/sessions/{session_id}/messages",
            "/v1/me/sessions/{session_id}/messages",
            201,
        ),
        ("POST /v1/admin/training-runs", "/v1/admin/training-runs", 201),
        (
            "POST /v1/admin/training-runs/{run_id}/export",
            "/v1/admin/training-runs/{run_id}/export",
            200,
        ),
        ("GET /v1/me/sessions/{session_id}", "/v1/me/sessions/{session_id}", 404),
    ]:
        span = servers[name]
        assert span.attributes is not None
        assert span.attributes["http.route"] == route
        assert span.attributes["http.response.status_code"] == status
    # The use cases' spans sit under their requests, the statements under those.
    create = next(s for s in finished if s.name == "consentry.run.create")
    assert create.parent is not None
    assert create.parent.span_id == servers["POST /v1/admin/training-runs"].context.span_id
    assert create.attributes and create.attributes["consentry.run.id"] == run_id
    assert any(s.name.startswith("db ") for s in children(finished, create))
    shards = [s for s in finished if s.name == "consentry.export.shard"]
    assert {str((s.attributes or {})["consentry.export.shard"]).split("-")[0] for s in shards} == {
        "messages",
        "feedback",
    }
    sweep = next(s for s in finished if s.name == "consentry.retention.sweep")
    assert sweep.attributes and sweep.attributes["consentry.sweep.id"].startswith("swp")
    statements = [s for s in finished if s.name.startswith("db ")]
    assert statements and all(
        (s.attributes or {})["db.system"] == core.engine.dialect.name for s in statements
    )
    # Shape only: no span anywhere holds the message, the token, an id from a path.
    everything = repr([(s.name, dict(s.attributes or {})) for s in finished])
    assert "xyzzy" not in everything
    assert user.token not in everything
    assert sid not in everything.replace(f"'consentry.run.id': '{run_id}'", "")
    out = os.environ.get("CONSENTRY_TRACE_OUT")
    if out and core.engine.dialect.name == "sqlite":
        Path(out).write_text(render(journey))


def test_a_webhook_request_carries_its_delivery_spans_traceparent(
    app: App, receiver: Receiver, spans: InMemorySpanExporter
) -> None:
    from consentry.service import accounts

    registry.add_endpoint(
        app.engine, url=receiver.url, now=app.ctx.clock.now(), guard=INTERNAL, box=app.box
    )
    accounts.sign_up(app.ctx, plan="free", training="on")
    worker = Worker(app.engine, FAST, box=app.box, guard=INTERNAL)
    try:
        deliver_until(worker, lambda: len(receiver.delivered_ids()) == 2)
    finally:
        worker.close()
    delivered = [s for s in spans.get_finished_spans() if s.name == "consentry.webhook.deliver"]
    assert len(delivered) == len(receiver.requests) == 2
    by_event = {(s.attributes or {})["consentry.event.id"]: s for s in delivered}
    for request in receiver.requests:
        span = by_event[request.event_id]
        context = span.get_span_context()
        version, trace_id, span_id, flags = request.headers["traceparent"].split("-")
        assert (version, trace_id, span_id) == (
            "00",
            f"{context.trace_id:032x}",
            f"{context.span_id:016x}",
        )
        assert int(flags, 16) & 1  # sampled
        assert (span.attributes or {})["http.response.status_code"] == 204


def test_without_configuration_nothing_is_traced(app: App, receiver: Receiver) -> None:
    from consentry.service import accounts

    assert not telemetry.enabled()
    assert not telemetry.configure_from_env({})
    assert not telemetry.configure_from_env(
        {"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}
    )
    assert not telemetry.configure_from_env({"OTEL_TRACES_EXPORTER": "none"})
    assert not telemetry.enabled()
    from consentry.entrypoints.api.app import create_app
    from consentry.entrypoints.api.tracing import TracingMiddleware

    # Not even a middleware layer is added to the application.
    assert all(m.cls is not TracingMiddleware for m in create_app(app).user_middleware)
    registry.add_endpoint(
        app.engine, url=receiver.url, now=app.ctx.clock.now(), guard=INTERNAL, box=app.box
    )
    accounts.sign_up(app.ctx, plan="free", training="on")
    worker = Worker(app.engine, FAST, box=app.box, guard=INTERNAL)
    try:
        deliver_until(worker, lambda: len(receiver.delivered_ids()) == 2)
    finally:
        worker.close()
    assert all("traceparent" not in r.headers for r in receiver.requests)


def test_the_standard_variables_choose_the_exporter() -> None:
    assert telemetry.exporter_name({}) is None
    assert telemetry.exporter_name({"OTEL_TRACES_EXPORTER": "console"}) == "console"
    assert (
        telemetry.exporter_name({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}) == "otlp"
    )
    assert telemetry.exporter_name({"OTEL_TRACES_EXPORTER": "none"}) is None
    with pytest.raises(RuntimeError, match="console, otlp, none"):
        telemetry.configure_from_env({"OTEL_TRACES_EXPORTER": "zipkin"})
    try:
        assert telemetry.configure_from_env({"OTEL_TRACES_EXPORTER": "console"})
        assert telemetry.enabled()
    finally:
        telemetry.reset()


def test_without_the_extra_the_variables_change_nothing(tmp_path: Path) -> None:
    """A process where the OpenTelemetry SDK cannot be imported (no otel extra; the API
    package comes with FastAPI) and
    OTEL_TRACES_EXPORTER set: the app is built and answers, a warning says why no traces."""
    import subprocess
    import sys

    program = f"""
import sys
sys.modules["opentelemetry.sdk"] = None  # the otel extra (the SDK) not installed
from starlette.testclient import TestClient
from consentry import telemetry
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.entrypoints.api.app import create_app
core = build(Settings(database_url="sqlite:///{tmp_path}/plain.db"))
with TestClient(create_app(core)) as client:
    assert client.post("/v1/accounts", json={{"plan": "free", "training": "on"}}).status_code == 201
print("enabled", telemetry.enabled())
"""
    env = {**os.environ, "OTEL_TRACES_EXPORTER": "console"}
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("enabled False")
    assert "the otel extra is not installed" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_incoming_traceparent_continues_the_callers_trace(
    core: App, spans: InMemorySpanExporter
) -> None:
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    with client_for(core) as client:
        answer = client.get("/healthz", headers={"traceparent": f"00-{trace_id}-{parent_id}-01"})
    assert answer.status_code == 200
    (server,) = [s for s in spans.get_finished_spans() if s.name == "GET /healthz"]
    assert f"{server.context.trace_id:032x}" == trace_id
    assert server.parent is not None and f"{server.parent.span_id:016x}" == parent_id
