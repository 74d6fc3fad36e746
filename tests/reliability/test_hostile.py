"""Hostile input over HTTP: each gets a clear 4xx with a stable code and writes nothing.

Also: tokens are hashed at rest, and a deleted account's token is dead on every user
route (R15). Route-by-route access control lives in tests/e2e/api/test_access.py.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App
from consentry.redaction import Redactor
from tests.e2e.api.conftest import ADMIN, ADMIN_TOKEN, client_for, expect

TABLES = [
    t.accounts,
    t.consent_events,
    t.sessions,
    t.activities,
    t.messages,
    t.feedback,
    t.runs,
    t.webhook_endpoints,
]
# Codes the API may answer for refused input (SPEC §3 error shape, stable codes).
STABLE = {
    "validation_error",
    "too_large",
    "not_found",
    "purpose_not_permitted",
    "webhook_target_refused",
}


@pytest.fixture
def core(app: App) -> App:
    return dataclasses.replace(
        app, settings=dataclasses.replace(app.settings, admin_token=ADMIN_TOKEN)
    )


@pytest.fixture
def client(core: App) -> Iterator[Any]:
    with client_for(core) as test_client:
        yield test_client


def _rows(core: App) -> dict[str, int]:
    with core.ctx.uow() as uow:
        conn = uow.store.conn
        return {
            tb.name: conn.execute(select(func.count()).select_from(tb)).scalar_one()
            for tb in TABLES
        }


def _user(client: Any) -> tuple[dict[str, str], str, str]:
    data = expect(client.post("/v1/accounts", json={"plan": "free", "training": "on"}), 201)
    headers = {"Authorization": f"Bearer {data['token']}"}
    sid = expect(client.post("/v1/me/sessions", json={"kind": "chat"}, headers=headers), 201)
    return headers, sid["session_id"], data["token"]


def _deep(depth: int) -> bytes:
    return b'{"role": "user", "content": ' + b"[" * depth + b"]" * depth + b"}"


def _cases(sid: str) -> list[tuple[str, str, str, bytes | None, dict[str, str]]]:
    msg = f"/v1/me/sessions/{sid}/messages"
    js = {"Content-Type": "application/json"}
    big_message = json.dumps({"role": "user", "content": "x" * 200_001}).encode()
    big_body = b'{"role":"user","content":"' + b"y" * 1_100_000 + b'"}'
    huge_number = b'{"role":"user","content":' + b"9" * 5000 + b"}"
    return [
        ("oversized message", "POST", msg, big_message, js),
        ("oversized body", "POST", msg, big_body, js),
        ("deeply nested JSON", "POST", msg, _deep(100_000), js),
        ("invalid UTF-8", "POST", msg, b'{"role":"user","content":"\xff\xfe\xc3("}', js),
        ("lone surrogate", "POST", msg, b'{"role":"user","content":"a\\ud800b"}', js),
        ("lone low surrogate", "POST", msg, b'{"role":"user","content":"\\udfff"}', js),
        ("content not a string", "POST", msg, b'{"role":"user","content":12}', js),
        ("huge number as content", "POST", msg, huge_number, js),
        ("huge exponent", "POST", "/v1/me/sessions", b'{"kind":"chat","incognito":1e999999}', js),
        ("unknown role", "POST", msg, b'{"role":"system","content":"x"}', js),
        ("unknown kind", "POST", "/v1/me/sessions", b'{"kind":"video"}', js),
        ("unknown surface", "POST", "/v1/me/sessions", b'{"kind":"chat","surface":"fax"}', js),
        ("training enum", "PUT", "/v1/me/privacy", b'{"training":"maybe"}', js),
        ("training null", "PUT", "/v1/me/privacy", b'{"training":null}', js),
        ("not JSON", "POST", msg, b"role=user&content=x", {"Content-Type": "text/plain"}),
        ("truncated JSON", "POST", msg, b'{"role":"user","content":"x"', js),
        ("JSON array", "POST", msg, b'[{"role":"user","content":"x"}]', js),
        ("duplicate-key smuggle", "POST", msg, b'{"role":"user","role":"root","content":"x"}', js),
        ("SQL in session id", "POST", "/v1/me/sessions/' OR '1'='1/messages",
         b'{"role":"user","content":"x"}', js),
        ("SQL in session id 2", "DELETE", "/v1/me/sessions/x%27%3B%20DROP%20TABLE%20sessions%3B--",
         None, {}),
        ("NUL in session id", "GET", "/v1/me/sessions/ses%00x", None, {}),
        ("purpose not permitted", "POST", "/v1/admin/training-runs",
         b'{"purpose":"advertising"}', {**js, **ADMIN}),
        ("purpose enum injection", "POST", "/v1/admin/training-runs",
         b'{"purpose":"model_training\' OR 1=1--"}', {**js, **ADMIN}),
        ("plan enum", "POST", "/v1/accounts", b'{"plan":"free\\u0000","training":"on"}', js),
        ("hold kind", "POST", "/v1/admin/holds",
         json.dumps({"session_id": sid, "kind": "forever"}).encode(), {**js, **ADMIN}),
        ("clock far future", "POST", "/v1/admin/test-clock",
         b'{"now":"99999-01-01T00:00:00Z"}', {**js, **ADMIN}),
        # Issue 17 "also fix": lone surrogates and NUL in body ids (and in any body text)
        # were 500s where the driver refused them; now 422 before any store sees them.
        ("lone surrogate in feedback message id", "POST", f"/v1/me/sessions/{sid}/feedback",
         b'{"message_id":"\\ud800","rating":"up"}', js),
        ("NUL in feedback message id", "POST", f"/v1/me/sessions/{sid}/feedback",
         b'{"message_id":"msg_\\u0000","rating":"up"}', js),
        ("lone surrogate in feedback comment", "POST", f"/v1/me/sessions/{sid}/feedback",
         b'{"message_id":"msg_x","rating":"up","comment":"\\udc00"}', js),
        ("lone surrogate in hold session id", "POST", "/v1/admin/holds",
         b'{"session_id":"\\ud800","kind":"legal"}', {**js, **ADMIN}),
        ("NUL in hold session id", "POST", "/v1/admin/holds",
         b'{"session_id":"ses_\\u0000","kind":"legal"}', {**js, **ADMIN}),
        ("lone surrogate in a score name", "POST", "/v1/admin/holds",
         json.dumps({"session_id": sid, "kind": "safety", "scores": {"\ud800": 1}}).encode(),
         {**js, **ADMIN}),
        ("NUL in session id query", "GET", "/v1/me/sessions?cursor=%00", None, {}),
        ("surrogate in session id path", "GET", "/v1/me/sessions/%ED%A0%80", None, {}),
        # Issue 17: webhook registration and deliveries (SSRF targets, secrets, ids).
        ("huge before on deliveries", "GET",
         "/v1/admin/webhooks/whk_x/deliveries?before=99999999999999999999999", None, ADMIN),
        ("NUL in webhook secret", "POST", "/v1/admin/webhooks",
         b'{"url":"https://example.org/h","secret":"ssssssssssssssssssss\\u0000"}',
         {**js, **ADMIN}),
        ("whitespace-only webhook secret", "POST", "/v1/admin/webhooks",
         b'{"url":"https://example.org/h","secret":"                        "}', {**js, **ADMIN}),
        ("unknown webhook field", "POST", "/v1/admin/webhooks",
         b'{"url":"https://example.org/h","follow_redirects":true}', {**js, **ADMIN}),
        ("webhook to cloud metadata", "POST", "/v1/admin/webhooks",
         b'{"url":"http://169.254.169.254/latest/meta-data/"}', {**js, **ADMIN}),
        ("webhook to loopback in hex", "POST", "/v1/admin/webhooks",
         b'{"url":"https://0x7f000001/"}', {**js, **ADMIN}),
        ("webhook with credentials", "POST", "/v1/admin/webhooks",
         b'{"url":"https://user:pass@example.org/"}', {**js, **ADMIN}),
        ("webhook to mapped loopback", "POST", "/v1/admin/webhooks",
         b'{"url":"https://[::ffff:127.0.0.1]/"}', {**js, **ADMIN}),
    ]  # fmt: skip


def test_hostile_requests_get_a_stable_4xx_and_write_nothing(core: App, client: Any) -> None:
    headers, sid, _ = _user(client)
    cases = _cases(sid)
    outcomes = []
    for name, method, path, body, extra in cases:
        before = _rows(core)
        response = client.request(method, path, content=body, headers={**headers, **extra})
        assert 400 <= response.status_code < 500, (
            f"{name}: {response.status_code} {response.text[:200]}"
        )
        error = response.json()["error"]
        assert set(error) == {"code", "message"} and error["code"] in STABLE | {
            "deadline_passed",
            "clock_backwards",
        }, f"{name}: {error}"
        assert _rows(core) == before, f"{name}: something was written"
        outcomes.append((name, response.status_code, error["code"]))
    # The session still works, and only what was accepted is stored.
    ok = client.post(
        f"/v1/me/sessions/{sid}/messages",
        json={"role": "user", "content": "a\x00b"},
        headers=headers,
    )
    assert ok.status_code in (201, 422), ok.text
    print(
        f"\nhostile: {len(outcomes)} inputs refused: {outcomes}"
    )  # the figure RELIABILITY.md quotes


def test_tokens_are_hashed_at_rest_and_dead_after_deletion_R15(core: App, client: Any) -> None:
    headers, sid, token = _user(client)
    imported = expect(client.post("/v1/admin/accounts", json={"plan": "pro"}, headers=ADMIN), 201)
    with core.ctx.uow() as uow:
        conn = uow.store.conn
        for table in ("accounts", "consent_events", "outbox", "sessions", "activities"):
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            dump = repr(rows)
            assert token not in dump and imported["token"] not in dump, f"raw token in {table}"
    expect(client.delete("/v1/me", headers=headers), 204)
    for method, path in [
        ("GET", "/v1/me/privacy"),
        ("GET", "/v1/me/export"),
        ("GET", "/v1/me/sessions"),
        ("GET", f"/v1/me/sessions/{sid}"),
        ("POST", "/v1/me/sessions"),
        ("DELETE", "/v1/me"),
        ("PUT", "/v1/me/privacy"),
    ]:
        response = client.request(
            method, path, json={"kind": "chat", "training": "on"}, headers=headers
        )
        expect(response, 401, "unauthenticated")


@pytest.mark.parametrize(
    "attack",
    [
        "a" * 200_000 + "@",
        "a@" * 50_000,
        "1" * 100_000,
        "-----BEGIN RSA PRIVATE KEY-----" + "A" * 200_000,
        "postgres://" + "u:" * 50_000,
        "eyJ" + "a." * 60_000,
        ("x" * 30 + " ") * 5_000,
        "4111 " * 40_000,
        "::" * 60_000 + "1",
        "password=" * 20_000,
    ],
    ids=lambda s: repr(s[:12]),
)
def test_filter_is_linear_on_redos_strings_R24(attack: str) -> None:
    """§4: no catastrophic backtracking: the whole attack (up to 200 kB) costs about 4x the
    CPU time of its first quarter (a quadratic scan costs 16x), and stays under 10 s of CPU.

    CPU time, not wall time: on a loaded CI machine a longer run is preempted more often
    (issue 16). `password=` repeated was quadratic until the key word's kind was checked
    before its value was extended (found by this test)."""
    redactor = Redactor()
    quarter = attack[: len(attack) // 4]

    def cpu(text: str) -> float:
        started = time.process_time()
        redactor.redact(text)
        return time.process_time() - started

    whole = cpu(attack)
    assert whole < 10.0
    ratios = []
    for _ in range(3):  # a quadratic scan is ~16x every time; noise is not
        ratios.append(whole / max(cpu(quarter), 5e-3))
        if ratios[-1] < 8:
            return
        whole = cpu(attack)
    pytest.fail(f"time grew superlinearly: ratios {ratios}")
