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
    modes: dict[GpcMode, Api],  # noqa: F811
) -> None:
    api = modes[GpcMode.OPT_OUT]
    user = api.signup(training="on")
    headers = {**user.headers, **GPC, **JSON}
    expect(api.client.post("/v1/me/sessions", content=b'{"kind": 7}', headers=headers), 422)
    privacy = expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)
    assert privacy["training"] == "off"


def test_wrong_tokens_count_and_an_address_over_its_allowance_gets_429(
    limited: tuple[TestClient, TestClient],  # noqa: F811
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
