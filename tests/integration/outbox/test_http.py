"""The admin routes for the feed and webhooks, through the real API application."""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from consentry.bootstrap import App
from consentry.entrypoints.api.app import create_app
from consentry.outbox.signing import SIGNATURE_HEADER, verify
from consentry.outbox.worker import Worker

from .conftest import INTERNAL, Receiver, deliver_until, make_changes, outbox_ids

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

TOKEN = "outbox-admin-token-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    # The receiver is on loopback: this deployment allows private targets (issue 17 item 2).
    settings = dataclasses.replace(app.settings, admin_token=TOKEN, webhook_allow_private=True)
    core = dataclasses.replace(app, settings=settings)
    with TestClient(create_app(core)) as test_client:
        yield test_client


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if status != 204 else None


def test_the_feed_pages_in_order_and_resumes(app: App, client: TestClient) -> None:
    events = make_changes(app)
    seen: list[str] = []
    cursor = ""
    while True:
        page = ok(client.get(f"/v1/admin/events?after={cursor}&limit=2", headers=ADMIN))
        if not page["items"]:
            assert page["next_cursor"] == (cursor or "0")
            break
        assert set(page["items"][0]) == {"event_id", "cursor", "type", "payload", "created_at"}
        seen += [item["event_id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == events
    error = client.get("/v1/admin/events?after=nope", headers=ADMIN)
    assert error.status_code == 422
    assert error.json()["error"]["code"] == "validation_error"
    assert client.get("/v1/admin/events?limit=0", headers=ADMIN).status_code == 422


def test_admin_paths_need_the_admin_token(client: TestClient) -> None:
    user = ok(client.post("/v1/accounts", json={"plan": "free", "training": "on"}), 201)
    as_user = {"Authorization": f"Bearer {user['token']}"}
    for method, path in [
        ("GET", "/v1/admin/events"),
        ("GET", "/v1/admin/webhooks"),
        ("POST", "/v1/admin/webhooks"),
        ("DELETE", "/v1/admin/webhooks/whk_x"),
        ("GET", "/v1/admin/webhooks/whk_x/deliveries"),
    ]:
        response = client.request(method, path, json={"url": "https://example.org"})
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"
        response = client.request(method, path, headers=as_user, json={"url": "https://e.org"})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


def attempt_log(app: App) -> list[tuple[Any, ...]]:
    """Every recorded attempt: delivery, attempt, status code, error, time taken."""
    from sqlalchemy import select

    from consentry.adapters.sql import tables as t

    a = t.webhook_attempts.c
    with app.engine.connect() as conn:
        rows = conn.execute(select(t.webhook_attempts).order_by(a.id)).all()
    return [
        (r.delivery_id, r.attempt, r.status_code, r.error, r.finished_at - r.started_at)
        for r in rows
    ]


def test_webhook_lifecycle_and_delivery_status(
    app: App, client: TestClient, receiver: Receiver
) -> None:
    body = {"url": receiver.url, "event_types": ["consent.choice", "account.deleted"]}
    created = ok(client.post("/v1/admin/webhooks", json=body, headers=ADMIN), 201)
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["account.deleted", "consent.choice"]
    listed = ok(client.get("/v1/admin/webhooks", headers=ADMIN))
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0]  # shown once, at creation

    make_changes(app)
    receiver.script = ["fail"]
    from .conftest import FAST

    worker = Worker(app.engine, FAST, box=app.box, guard=INTERNAL)
    try:
        deliver_until(worker, lambda: len(receiver.delivered_ids()) == 4)
    finally:
        worker.close()
    deliveries = ok(client.get(f"/v1/admin/webhooks/{created['id']}/deliveries", headers=ADMIN))
    assert len(deliveries) == 4
    assert {d["status"] for d in deliveries} == {"delivered"}
    # One scripted 500, then every attempt answered: four deliveries, five attempts.
    log = attempt_log(app)
    assert sorted(d["attempts"] for d in deliveries) == [1, 1, 1, 2], log
    assert sorted(code for _, _, code, _, _ in log) == [204, 204, 204, 204, 500], log
    assert all(d["next_attempt_at"] is None for d in deliveries)
    for request in receiver.requests:
        header = request.headers[SIGNATURE_HEADER.lower()]
        assert verify(created["secret"], header, request.body, now=int(time.time()))
    retried = ok(
        client.get(
            f"/v1/admin/webhooks/{created['id']}/deliveries?status=delivered&limit=1",
            headers=ADMIN,
        )
    )
    assert len(retried) == 1

    ok(client.delete(f"/v1/admin/webhooks/{created['id']}", headers=ADMIN), 204)
    assert ok(client.get("/v1/admin/webhooks", headers=ADMIN)) == []
    gone = client.delete(f"/v1/admin/webhooks/{created['id']}", headers=ADMIN)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "not_found"
    assert outbox_ids(app)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "ftp://example.org"}, "webhook_target_refused"),
        ({"url": "https://example.org", "event_types": ["no.such.type"]}, "validation_error"),
        ({"url": "https://example.org", "secret": "short"}, "validation_error"),
        ({}, "validation_error"),
        # Issue 17: unknown fields, whitespace-only or control-character secrets.
        ({"url": "https://example.org", "verify_tls": False}, "validation_error"),
        ({"url": "https://example.org", "secret": " " * 32}, "validation_error"),
        ({"url": "https://example.org", "secret": "s" * 20 + "\u0000"}, "validation_error"),
        # Issue 17 item 2, even with private targets allowed: metadata, tricks, credentials.
        ({"url": "http://169.254.169.254/latest"}, "webhook_target_refused"),
        ({"url": "http://0x7f000001/"}, "webhook_target_refused"),
        ({"url": "http://2130706433/"}, "webhook_target_refused"),
        ({"url": "http://user:pass@127.0.0.1/"}, "webhook_target_refused"),
        ({"url": "http://0.0.0.0:22/"}, "webhook_target_refused"),
    ],
)
def test_bad_registrations_are_refused(client: TestClient, body: dict[str, Any], code: str) -> None:
    response = client.post("/v1/admin/webhooks", json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    assert ok(client.get("/v1/admin/webhooks", headers=ADMIN)) == []


def test_a_default_deployment_refuses_private_targets(app: App) -> None:
    """Issue 17 item 2: without --webhook-allow-private, loopback is refused with the reason."""
    core = dataclasses.replace(app, settings=dataclasses.replace(app.settings, admin_token=TOKEN))
    with TestClient(create_app(core)) as client:
        for url in ("http://127.0.0.1:22/", "https://10.0.0.1/", "https://[::ffff:127.0.0.1]/"):
            response = client.post("/v1/admin/webhooks", json={"url": url}, headers=ADMIN)
            assert response.status_code == 422, response.text
            error = response.json()["error"]
            assert error["code"] == "webhook_target_refused"
            assert "address" in error["message"]


def test_deliveries_refuse_a_huge_before(client: TestClient, receiver: Receiver) -> None:
    created = ok(client.post("/v1/admin/webhooks", json={"url": receiver.url}, headers=ADMIN), 201)
    path = f"/v1/admin/webhooks/{created['id']}/deliveries"
    for before in ("99999999999999999999999", "2147483648", "0", "-1"):
        response = client.get(f"{path}?before={before}", headers=ADMIN)
        assert response.status_code == 422, (before, response.text)
        assert response.json()["error"]["code"] == "validation_error"
    assert ok(client.get(f"{path}?before=2147483647", headers=ADMIN)) == []
