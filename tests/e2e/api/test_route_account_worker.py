"""The account routes' one worker call (issue 22, deps.account_route): the token lookup
and the route's work run in one worker thread, and every answer, refusal and its order
is what the ``CurrentAccount`` dependency gave (R15, P5, issue 17)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.testclient import TestClient

from consentry.domain.policy import GpcMode
from consentry.entrypoints.api import accounts as http_accounts
from consentry.entrypoints.api import (
    admin,
    deps,
    ledger,
    outbox,
    policy,
    runs,
    service,
    sessions,
    system,
)
from consentry.entrypoints.api.logs import REQUEST_ID
from consentry.service import accounts
from tests.e2e.api.conftest import Api, expect
from tests.e2e.api.test_abuse_limits import limited, time_  # noqa: F401 (fixtures)
from tests.e2e.api.test_gpc import GPC, modes  # noqa: F401 (fixture)

WRONG = {"Authorization": "Bearer " + "w" * 43}
JSON = {"Content-Type": "application/json"}


def test_the_lookup_and_the_work_share_one_worker_with_the_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str | None, str]] = []

    def spying(name: str, original: Any) -> Any:
        def spy(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, REQUEST_ID.get(), threading.current_thread().name))
            return original(*args, **kwargs)

        return spy

    user = api.signup()
    monkeypatch.setattr(accounts, "authenticate", spying("lookup", accounts.authenticate))
    monkeypatch.setattr(accounts, "privacy_view", spying("work", accounts.privacy_view))
    headers = {**user.headers, "X-Request-ID": "req-account-1"}
    expect(api.client.get("/v1/me/privacy", headers=headers), 200)
    assert [name for name, _, _ in seen] == ["lookup", "work"]
    assert {request_id for _, request_id, _ in seen} == {"req-account-1"}
    (thread,) = {thread for _, _, thread in seen}
    assert thread.startswith("consentry-api")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/me/sessions", b'{"kind": 7}'),
        ("PUT", "/v1/me/privacy", b'{"training": "maybe"}'),
        ("PUT", "/v1/me/privacy", b""),
        ("POST", "/v1/me/notice/accept", b"[]"),
    ],
)
def test_a_wrong_token_on_an_invalid_body_is_refused_first_R15(
    api: Api, method: str, path: str, body: bytes
) -> None:
    """A body FastAPI parsed but found invalid: 401 for a wrong token, 422 for a live one."""
    expect(api.client.request(method, path, content=body, headers={**WRONG, **JSON}), 401)
    expect(api.client.request(method, path, content=body, headers=JSON), 401)
    user = api.signup()
    answer = api.client.request(method, path, content=body, headers={**user.headers, **JSON})
    expect(answer, 422, "validation_error")


@pytest.mark.parametrize("path", ["/v1/me/sessions", "/v1/me/notice/accept"])
def test_a_body_that_is_not_json_is_422_before_the_token_as_before(api: Api, path: str) -> None:
    """FastAPI refuses a body that does not parse before any dependency runs; so did the
    ``CurrentAccount`` routes, whatever the token."""
    for headers in (WRONG, {}):
        answer = api.client.post(path, content=b"{not json", headers={**headers, **JSON})
        expect(answer, 422, "validation_error")


def test_a_live_tokens_gpc_signal_is_honoured_before_its_422_P5(
    modes: dict[GpcMode, Api],
) -> None:
    api = modes[GpcMode.OPT_OUT]
    user = api.signup(training="on")
    headers = {**user.headers, **GPC, **JSON}
    expect(api.client.post("/v1/me/sessions", content=b'{"kind": 7}', headers=headers), 422)
    privacy = expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)
    assert privacy["training"] == "off"


def test_wrong_tokens_count_and_an_address_over_its_allowance_gets_429(
    limited: tuple[TestClient, TestClient],
) -> None:
    attacker, _ = limited
    for _ in range(20):
        expect(attacker.get("/v1/me/privacy", headers=WRONG), 401, "unauthenticated")
    expect(attacker.put("/v1/me/privacy", json={"training": 1}, headers=WRONG), 429)
    expect(attacker.post("/v1/me/sessions", json={"kind": "chat"}, headers=WRONG), 429)


def test_every_current_account_route_takes_one_worker() -> None:
    """No route left with the three hand-offs of a ``CurrentAccount`` dependency."""
    routers = (http_accounts, admin, ledger, outbox, policy, runs, service, sessions, system)
    routes = [r for m in routers for r in m.router.routes if isinstance(r, APIRoute)]
    calls = {d.call for r in routes for d in r.dependant.dependencies}
    assert deps.current_account not in calls
    marked = [r.path for r in routes if getattr(r.endpoint, "_consentry_account_route", False)]
    assert "/v1/me/privacy" in marked and "/v1/me/sessions" in marked


WRITES = [
    ("POST", "/v1/me/sessions", {"kind": "chat"}, 201),
    ("PUT", "/v1/me/privacy", {"training": "off"}, 200),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), WRITES)
def test_session_create_and_choice_look_the_token_up_in_their_transaction(
    api: Api,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    path: str,
    body: dict[str, str],
    status: int,
) -> None:
    """One transaction: no separate token lookup (accounts.authenticate) before the work."""
    looked_up: list[str] = []
    original = accounts.authenticate

    def spy(ctx: Any, token: str) -> Any:
        looked_up.append(token)
        return original(ctx, token)

    user = api.signup()
    monkeypatch.setattr(accounts, "authenticate", spy)
    expect(api.client.request(method, path, json=body, headers=user.headers), status)
    assert looked_up == []


@pytest.mark.parametrize(("method", "path", "body", "status"), WRITES)
def test_a_dead_or_rotated_token_writes_nothing_R15(
    api: Api, method: str, path: str, body: dict[str, str], status: int
) -> None:
    user = api.signup()
    rotated = expect(api.client.post("/v1/me/tokens/rotate", headers=user.headers), 200)
    expect(
        api.client.request(method, path, json=body, headers=user.headers), 401, "unauthenticated"
    )
    new = {"Authorization": f"Bearer {rotated['token']}"}
    expect(api.client.delete("/v1/me", headers=new), 204)
    expect(api.client.request(method, path, json=body, headers=new), 401, "unauthenticated")
    expect(api.client.request(method, path, json=body, headers=WRONG), 401, "unauthenticated")


def test_failures_of_the_writes_count_against_the_address(
    limited: tuple[TestClient, TestClient],
) -> None:
    attacker, _ = limited
    for index in range(20):
        method, path, body, _ = WRITES[index % 2]
        expect(attacker.request(method, path, json=body, headers=WRONG), 401, "unauthenticated")
    expect(attacker.get("/v1/me/privacy", headers=WRONG), 429, "rate_limited")


def test_the_gpc_signal_opts_out_before_a_session_starts_P5(
    modes: dict[GpcMode, Api],
) -> None:
    api = modes[GpcMode.OPT_OUT]
    user = api.signup(training="on")
    made = expect(
        api.client.post("/v1/me/sessions", json={"kind": "chat"}, headers={**user.headers, **GPC}),
        201,
    )
    assert made["covered"] is False
    privacy = expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)
    assert privacy["training"] == "off"
    on = expect(
        api.client.put("/v1/me/privacy", json={"training": "on"}, headers={**user.headers, **GPC}),
        200,
    )
    assert on["training"] == "on"  # the signal's opt-out first, then the choice made
    history = expect(api.client.get("/v1/me/consent-history", headers=user.headers), 200)
    assert [(e["value"], e["source"]) for e in history] == [
        ("on", "signup"),
        ("off", "gpc"),
        ("on", "settings"),
    ]
