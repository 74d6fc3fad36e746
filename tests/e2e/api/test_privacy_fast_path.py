"""The privacy read's fast path (issue 22, entrypoints/api/fast_routes.py): the same
requests sent to the fast path and, with the scope key that forces it, to the general
routing answer the same status, headers and bytes (R3, R7, R15, P5, issue 17 item 4)."""

from __future__ import annotations

import dataclasses
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from consentry.bootstrap import App
from consentry.domain.policy import GpcMode
from consentry.entrypoints.api import deps, fast_routes
from consentry.entrypoints.api import sessions as sessions_http
from consentry.entrypoints.api.app import create_app
from consentry.entrypoints.api.logs import REQUEST_ID
from consentry.entrypoints.ratelimit import AbuseGuards, SlidingWindow
from tests.e2e.api.conftest import ADMIN, expect
from tests.e2e.api.twins import FAST, GENERAL, TOKEN_CASES, FakeTime, forced_general

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

PATH = "/v1/me/privacy"


@dataclasses.dataclass
class Paths:
    """Two clients of one application, from two addresses: `fast` as deployed, `general`
    through the general routing; `served` counts the requests the fast path answered."""

    fast: TestClient
    general: TestClient
    served: list[str]

    def signup(self, **body: Any) -> tuple[str, dict[str, str]]:
        body = {"plan": "free", "training": "on", **body}
        made = expect(self.fast.post("/v1/accounts", json=body), 201)
        return made["account_id"], {"Authorization": f"Bearer {made['token']}"}

    def both(
        self, method: str, path: str, headers: dict[str, str]
    ) -> tuple[httpx.Response, httpx.Response]:
        sent = {"X-Request-ID": "req-privacy", **headers}
        fast = self.fast.request(method, path, headers=sent, follow_redirects=False)
        general = self.general.request(method, path, headers=sent, follow_redirects=False)
        return fast, general


def same(fast: httpx.Response, general: httpx.Response, swap: tuple[str, str] = ("", "")) -> None:
    """Status, headers (names, values, order) and body byte for byte; `swap` replaces the
    first account id by the second in the fast answer (two accounts, one state)."""
    body = fast.content.replace(swap[0].encode(), swap[1].encode()) if swap[0] else fast.content
    assert fast.status_code == general.status_code
    assert fast.headers.multi_items() == general.headers.multi_items()
    assert body == general.content


def _make(core: App, served: list[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    app = create_app(core)
    app.state.guards = AbuseGuards(
        auth_failures=SlidingWindow(core.settings.auth_failures_per_minute, 60, clock=FakeTime()),
        signups=SlidingWindow(core.settings.signups_per_hour, 3600, clock=FakeTime()),
    )
    original = fast_routes.BearerReadRoute.handle

    async def spy(self: Any, scope: Scope, receive: Receive, send: Send) -> None:
        await original(self, scope, receive, send)
        if fast_routes.GENERAL not in scope:
            served.append(scope["path"])

    monkeypatch.setattr(fast_routes.BearerReadRoute, "handle", spy)
    with TestClient(app, client=FAST) as fast:
        yield Paths(fast, TestClient(forced_general(app), client=GENERAL), served)


@pytest.fixture
def paths(core: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    yield from _make(core, [], monkeypatch)


def test_a_live_token_is_answered_alike_and_by_the_fast_path_R3(paths: Paths) -> None:
    _, me = paths.signup()
    fast, general = paths.both("GET", PATH, me)
    same(fast, general)
    assert fast.status_code == 200 and fast.json()["training"] == "on"
    assert paths.served == [PATH]


def test_a_query_string_changes_nothing(paths: Paths) -> None:
    _, me = paths.signup()
    same(*paths.both("GET", PATH + "?format=zip&x=1", me))
    assert paths.served == [PATH]


def test_a_pending_notice_and_a_commercial_plan_are_read_alike_R2_R7(paths: Paths) -> None:
    """An imported account has a notice to answer: read, never blocked (R7)."""
    made = expect(paths.fast.post("/v1/admin/accounts", json={"plan": "free"}, headers=ADMIN), 201)
    fast, general = paths.both("GET", PATH, {"Authorization": f"Bearer {made['token']}"})
    same(fast, general)
    assert fast.status_code == 200 and fast.json()["notice"] is not None
    _, team = paths.signup(plan="team", training=None)
    same(*paths.both("GET", PATH, team))
    assert paths.served == [PATH, PATH]


@pytest.mark.parametrize(
    ("headers", "taken"),
    TOKEN_CASES,
)
def test_missing_and_wrong_tokens_are_refused_alike(
    paths: Paths, headers: dict[str, str], taken: bool
) -> None:
    fast, general = paths.both("GET", PATH, headers)
    same(fast, general)
    assert fast.status_code == 401 and fast.json()["error"]["code"] == "unauthenticated"
    assert paths.served == ([PATH] if taken else [])


def test_a_dead_token_is_refused_alike_R15(paths: Paths) -> None:
    _, me = paths.signup()
    expect(paths.fast.delete("/v1/me", headers=me), 204)
    fast, general = paths.both("GET", PATH, me)
    same(fast, general)
    assert fast.status_code == 401 and paths.served == [PATH]


def test_an_address_over_its_allowance_is_refused_alike(paths: Paths, core: App) -> None:
    """Issue 17 item 4: failures count on both paths, and then even a live token is 429
    (`Retry-After` and all) before it is looked at."""
    _, me = paths.signup()
    wrong = {"Authorization": "Bearer " + "g" * 40}
    for _ in range(core.settings.auth_failures_per_minute):
        same(*paths.both("GET", PATH, wrong))
    fast, general = paths.both("GET", PATH, wrong)
    same(fast, general)
    assert fast.status_code == 429 and "retry-after" in fast.headers
    fast, general = paths.both("GET", PATH, me)
    same(fast, general)
    assert fast.status_code == 429
    assert len(paths.served) == core.settings.auth_failures_per_minute + 2


@pytest.mark.parametrize("mode", [GpcMode.RECORD, GpcMode.OPT_OUT])
def test_the_gpc_signal_is_honoured_alike_P5(
    core: App, monkeypatch: pytest.MonkeyPatch, mode: GpcMode
) -> None:
    """P5: two accounts in one state, one read on each path with `Sec-GPC: 1`: the same
    answer (under `opt_out`, the choice turned off) and the same consent history."""
    policy = dataclasses.replace(core.ctx.policy, gpc=mode)
    core = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, policy=policy))
    served: list[str] = []
    for paths in _make(core, served, monkeypatch):
        first, first_headers = paths.signup()
        second, second_headers = paths.signup()
        gpc = {"Sec-GPC": "1", "X-Request-ID": "req-privacy"}
        fast = paths.fast.get(PATH, headers={**first_headers, **gpc})
        general = paths.general.get(PATH, headers={**second_headers, **gpc})
        same(fast, general, swap=(first, second))
        assert fast.json()["training"] == ("off" if mode is GpcMode.OPT_OUT else "on")
        histories = [
            [
                {k: v for k, v in item.items() if k != "at"}
                for item in expect(paths.fast.get("/v1/me/consent-history", headers=h), 200)
            ]
            for h in (first_headers, second_headers)
        ]
        assert histories[0] == histories[1]
        assert ("gpc" in [i["source"] for i in histories[0]]) is (mode is GpcMode.OPT_OUT)
        assert served == [PATH]


@pytest.mark.parametrize("method", ["HEAD", "POST", "OPTIONS", "PATCH"])
def test_other_methods_are_answered_by_the_general_routing(paths: Paths, method: str) -> None:
    _, me = paths.signup()
    fast, general = paths.both(method, PATH, me)
    same(fast, general)
    assert fast.status_code == 405 and paths.served == []


def test_other_paths_are_not_taken(paths: Paths) -> None:
    _, me = paths.signup()
    for path in (PATH + "/", "/v1/me/privacy/auto-delete", "/v1/me/privacyx"):
        same(*paths.both("GET", path, me))
    assert paths.served == []


def test_the_read_runs_in_the_account_workers_with_the_request_id(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The token lookup runs in a worker thread of the account routes, in the request's
    context: log lines written there carry the request's id."""
    seen: list[tuple[str | None, str]] = []
    original = deps.account_of

    def spy(*args: Any) -> Any:
        seen.append((REQUEST_ID.get(), threading.current_thread().name))
        return original(*args)

    monkeypatch.setattr(deps, "account_of", spy)
    _, me = paths.signup()
    expect(paths.fast.get(PATH, headers={**me, "X-Request-ID": "req-fast-2"}), 200)
    assert paths.served == [PATH]
    assert seen == [("req-fast-2", seen[0][1])] and seen[0][1].startswith("consentry-api")


def test_a_route_with_other_inputs_is_refused() -> None:
    """The fast path calls the route's endpoint with the credentials and the request
    only: a route that takes anything else (a query, a body) cannot be put behind it,
    so a parameter added to the privacy read fails at start-up, not silently."""
    receipts = next(
        r for r in fast_routes.accounts_http.router.routes if r.path == "/v1/me/consent-receipts"
    )
    with pytest.raises(TypeError):
        fast_routes.BearerReadRoute(receipts, sessions_http.router)  # type: ignore[arg-type]
    assert fast_routes.privacy_route(sessions_http.router).path == PATH
