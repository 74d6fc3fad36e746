"""CloudEvents 1.0 (issue 24 item 2): an endpoint registered with `format: "cloudevents"`
gets structured-mode requests, the change feed and the Redis stream offer the same; every
one is parsed by the `cloudevents` SDK from the registry, not by our own code. The
admin API's rotation route and `standard_secret` (item 1) are tried through HTTP here."""

from __future__ import annotations

import dataclasses
import json
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from cloudevents.core.formats.json import JSONFormat
from standardwebhooks.webhooks import Webhook
from starlette.exceptions import StarletteDeprecationWarning

from consentry.bootstrap import App
from consentry.domain.errors import InvalidInput
from consentry.entrypoints.api.app import create_app
from consentry.outbox import registry
from consentry.outbox.redis_stream import RedisStreamPublisher
from consentry.outbox.worker import Worker
from consentry.service import accounts, runs
from tests.conftest import require_or_skip

from .conftest import INTERNAL, Receiver, Request, deliver_until, make_changes, outbox_ids

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

MakeWorker = Callable[..., Worker]
TOKEN = "cloudevents-admin-token-0123456789ab"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
REDIS_URL = "redis://127.0.0.1:6379/0"


def answered(receiver: Receiver) -> list[Request]:
    return [r for r in list(receiver.requests) if r.answered == 204]


def life_with_a_run(app: App) -> list[str]:
    """make_changes, then a second user's chat and a training run (subject: the run)."""
    make_changes(app)
    user = accounts.sign_up(app.ctx, plan="free", training="on")
    runs.create_run(app.ctx, purpose="model_training")
    assert user.account_id
    return outbox_ids(app)


def payloads(app: App) -> dict[str, tuple[str, dict[str, Any]]]:
    from sqlalchemy import select

    from consentry.adapters.sql import tables as t

    o = t.outbox.c
    with app.engine.connect() as conn:
        rows = conn.execute(select(o.event_id, o.type, o.payload)).all()
    return {r.event_id: (r.type, json.loads(r.payload)) for r in rows}


def expected_subject(payload: dict[str, Any]) -> str:
    return str(payload.get("account_id") or payload["run_id"])


def test_a_cloudevents_endpoint_gets_structured_mode_the_sdk_parses(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    created = registry.add_endpoint(
        app.engine,
        url=receiver.url,
        now=app.ctx.clock.now(),
        guard=INTERNAL,
        box=app.box,
        format="cloudevents",
    )
    assert created.endpoint.format.value == "cloudevents"
    events = life_with_a_run(app)
    deliver_until(make_worker(), lambda: len(answered(receiver)) >= len(events))
    stored = payloads(app)
    parsed = []
    for request in receiver.requests:
        assert request.headers["content-type"] == "application/cloudevents+json"
        event = from_http_event(HTTPMessage(headers=request.headers, body=request.body.encode()))
        # the same request also verifies as a Standard Webhook
        from consentry.outbox.signing import standard_secret

        Webhook(standard_secret(created.secret)).verify(request.body.encode(), request.headers)
        type_, payload = stored[event.get_id()]
        assert event.get_specversion() == "1.0"
        assert event.get_id() == request.headers["webhook-id"]
        assert event.get_type() == "dev.consentry." + type_
        assert event.get_source() == "/consentry/outbox"
        assert event.get_subject() == expected_subject(payload)
        assert event.get_data() == payload
        assert event.get_time() is not None and event.get_time().tzinfo is not None
        parsed.append(event.get_id())
    assert sorted(set(parsed)) == sorted(events)
    run_events = [e for e in parsed if stored[e][0] == "run.created"]
    assert len(run_events) == 1
    assert stored[run_events[0]][1]["run_id"].startswith("run")


def test_the_default_format_is_unchanged(
    app: App, receiver: Receiver, make_worker: MakeWorker
) -> None:
    registry.add_endpoint(
        app.engine, url=receiver.url, now=app.ctx.clock.now(), guard=INTERNAL, box=app.box
    )
    events = make_changes(app)
    deliver_until(make_worker(), lambda: len(answered(receiver)) >= len(events))
    for request in receiver.requests:
        assert request.headers["content-type"] == "application/json"
        assert set(json.loads(request.body)) == {
            "event_id",
            "cursor",
            "type",
            "payload",
            "created_at",
        }


def test_an_unknown_format_is_refused(app: App, receiver: Receiver) -> None:
    with pytest.raises(InvalidInput, match="format must be one of"):
        registry.add_endpoint(
            app.engine,
            url=receiver.url,
            now=app.ctx.clock.now(),
            guard=INTERNAL,
            box=app.box,
            format="xml",
        )


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    settings = dataclasses.replace(app.settings, admin_token=TOKEN, webhook_allow_private=True)
    core = dataclasses.replace(app, settings=settings)
    with TestClient(create_app(core)) as test_client:
        yield test_client


def test_the_feed_offers_cloudevents_with_a_query_parameter(app: App, client: TestClient) -> None:
    events = life_with_a_run(app)
    stored = payloads(app)
    answer = client.get("/v1/admin/events?format=cloudevents&limit=1000", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["next_cursor"] == page["items"][-1]["cursor"]
    ids = []
    for item in page["items"]:
        event = JSONFormat().read(None, json.dumps(item).encode())
        type_, payload = stored[event.get_id()]
        assert event.get_type() == "dev.consentry." + type_
        assert event.get_subject() == expected_subject(payload)
        assert event.get_data() == payload
        assert event.get_extension("cursor") == item["cursor"]
        ids.append(event.get_id())
    assert ids == events
    plain = client.get("/v1/admin/events?limit=1000", headers=ADMIN).json()
    assert [i["event_id"] for i in plain["items"]] == events
    bad = client.get("/v1/admin/events?format=xml", headers=ADMIN)
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "validation_error"


def test_registration_and_rotation_through_the_admin_api(
    client: TestClient, receiver: Receiver
) -> None:
    body = {"url": receiver.url, "format": "cloudevents", "secret": "a-secret-of-my-own-1234"}
    created = client.post("/v1/admin/webhooks", json=body, headers=ADMIN)
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["format"] == "cloudevents"
    assert Webhook(data["standard_secret"])._whsecret == b"a-secret-of-my-own-1234"
    listed = client.get("/v1/admin/webhooks", headers=ADMIN).json()
    assert [w["format"] for w in listed] == ["cloudevents"]
    assert "secret" not in listed[0] and "standard_secret" not in listed[0]
    path = f"/v1/admin/webhooks/{data['id']}/secret"
    assert client.post(path, json={}).status_code == 401
    rotated = client.post(path, json={"grace_s": 600}, headers=ADMIN)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()
    assert new["secret"] != body["secret"] and new["previous_valid_until"] is not None
    assert Webhook(new["standard_secret"])._whsecret == new["secret"].encode()
    assert client.post(path, json={"grace_s": -1}, headers=ADMIN).status_code == 422
    assert client.post(path, json={"grace_s": 10**9}, headers=ADMIN).status_code == 422
    missing = client.post("/v1/admin/webhooks/whk_nope/secret", json={}, headers=ADMIN)
    assert missing.status_code == 404
    refused = client.post("/v1/admin/webhooks", json={**body, "format": "xml"}, headers=ADMIN)
    assert refused.status_code == 422


@pytest.fixture
def redis_client() -> Iterator[Any]:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
        available = True
    except redis.RedisError:
        available = False
    require_or_skip(available, f"Redis at {REDIS_URL}")
    yield client
    client.close()


def test_the_redis_stream_offers_cloudevents_by_setting(app: App, redis_client: Any) -> None:
    from consentry.outbox.events import EventFormat
    from consentry.outbox.settings import DeliverySettings

    assert DeliverySettings.from_env(redis_format="cloudevents").redis_format == "cloudevents"
    from consentry.outbox.worker import Worker as _Worker

    wired = _Worker(
        app.engine,
        DeliverySettings(redis_url=REDIS_URL, redis_format="cloudevents", timeout_s=1, lease_s=2),
        box=app.box,
    )
    try:
        assert wired.publisher is not None
        assert wired.publisher.format is EventFormat.CLOUDEVENTS
    finally:
        wired.close()
    with pytest.raises(ValueError, match="CONSENTRY_REDIS_FORMAT"):
        DeliverySettings(redis_format="xml")
    stream = f"consentry:events:test:{uuid.uuid4().hex}"
    try:
        publisher = RedisStreamPublisher(
            app.engine, redis_client, stream=stream, format=EventFormat.CLOUDEVENTS
        )
        events = life_with_a_run(app)
        while publisher.publish_pending(now=datetime.now(UTC), limit=4):
            pass
        stored = payloads(app)
        entries = [
            {k.decode(): v.decode() for k, v in fields.items()}
            for _, fields in redis_client.xrange(stream)
        ]
        assert [e["event_id"] for e in entries] == events
        for entry in entries:
            assert entry["content_type"] == "application/cloudevents+json"
            event = JSONFormat().read(None, entry["cloudevent"].encode())
            type_, payload = stored[event.get_id()]
            assert event.get_type() == "dev.consentry." + type_
            assert event.get_data() == payload
            assert event.get_extension("cursor") == entry["cursor"]
        assert publisher.stream_head() == int(entries[-1]["cursor"])
    finally:
        redis_client.delete(stream)


def test_the_cli_registers_a_cloudevents_endpoint(
    app: App, database_url: str, receiver: Receiver
) -> None:
    import typer
    from typer.testing import CliRunner

    from consentry.entrypoints import cli_outbox

    main = typer.Typer()
    main.command("version")(lambda: None)
    main.add_typer(cli_outbox.app)
    runner = CliRunner()
    args = ["webhooks", "add", receiver.url, "--database-url", database_url]
    private = ["--webhook-allow-private"]
    added = runner.invoke(main, [*args, "--format", "cloudevents", "--json", *private])
    assert added.exit_code == 0, added.output
    endpoint = json.loads(added.stdout)
    assert endpoint["format"] == "cloudevents"
    assert Webhook(endpoint["standard_secret"])._whsecret == endpoint["secret"].encode()
    listed = runner.invoke(main, ["webhooks", "list", "--database-url", database_url, "--json"])
    assert [e["format"] for e in json.loads(listed.stdout)] == ["cloudevents"]
    refused = runner.invoke(main, [*args, "--format", "xml", *private])
    assert refused.exit_code == 2
    assert "validation_error" in refused.output and "Traceback" not in refused.output
