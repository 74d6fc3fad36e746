"""The fast paths of session create and choice change (issue 22, fast_routes.py): the
same request sent by two accounts in one state, one to the fast path and one, with the
scope key that forces it, to the general routing, gets the same status, headers and bytes
and leaves the same rows: sessions, activities, the account, its consent ledger and the
outbox (R3, R7, R8, R9, R15, P5, issue 17 item 4)."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from consentry.bootstrap import App
from consentry.domain.policy import GpcMode
from consentry.entrypoints.api import fast_routes
from consentry.entrypoints.api import sessions as sessions_http
from consentry.entrypoints.api.logs import REQUEST_ID
from consentry.service import accounts as accounts_service
from consentry.service import sessions as sessions_service
from tests.e2e.api.conftest import ADMIN, AFTER_DEADLINE, expect
from tests.e2e.api.twins import TOKEN_CASES, Paths, make_paths

SESSIONS, PRIVACY = "/v1/me/sessions", "/v1/me/privacy"
WRITES = {
    "session": ("POST", SESSIONS, {"kind": "chat"}),
    "choice": ("PUT", PRIVACY, {"training": "off"}),
}


@pytest.fixture
def paths(core: App, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    yield from make_paths(core, database_url, [], monkeypatch)


@pytest.mark.parametrize(
    ("body", "covered"),
    [
        ({"kind": "chat"}, True),
        ({"kind": "code", "surface": "code", "incognito": True}, False),  # incognito: R11
        ({"kind": "chat", "surface": "api", "incognito": False}, False),  # API surface: R1
    ],
)
def test_a_session_is_started_alike_R9(paths: Paths, body: dict[str, Any], covered: bool) -> None:
    me = paths.twins()
    fast, _ = paths.both("POST", SESSIONS, me, json=body)
    assert fast.status_code == 201 and fast.json()["covered"] is covered
    assert paths.served == [f"POST {SESSIONS}"]


@pytest.mark.parametrize("training", ["off", "on"])
def test_the_choice_is_changed_alike_R8(paths: Paths, training: str) -> None:
    me = paths.twins()
    fast, _ = paths.both("PUT", PRIVACY, me, json={"training": training})
    assert fast.status_code == 200 and fast.json()["training"] == training
    paths.both("POST", SESSIONS, me, json={"kind": "chat"})
    paths.both("PUT", PRIVACY, me, json={"training": "on" if training == "off" else "off"})
    assert len(paths.served) == 3


def test_a_pending_notice_blocks_a_session_but_not_the_choice_alike_R7(paths: Paths) -> None:
    """Imported accounts have a notice to answer: after its deadline 403
    ``choice_required`` for a session, and the choice (which answers it) is taken."""
    made = [
        expect(c.post("/v1/admin/accounts", json={"plan": "free"}, headers=ADMIN), 201)
        for c in (paths.fast, paths.general)
    ]
    me = paths.paired(made)
    fast, _ = paths.both("POST", SESSIONS, me, json={"kind": "chat"})
    assert fast.status_code == 201  # before the notice's deadline
    clock = {"now": AFTER_DEADLINE}
    expect(paths.fast.post("/v1/admin/test-clock", json=clock, headers=ADMIN), 200)
    fast, _ = paths.both("POST", SESSIONS, me, json={"kind": "chat"})
    assert fast.status_code == 403 and fast.json()["error"]["code"] == "choice_required"
    fast, _ = paths.both("PUT", PRIVACY, me, json={"training": "off"})
    assert fast.status_code == 200 and fast.json()["notice"] is None
    fast, _ = paths.both("POST", SESSIONS, me, json={"kind": "chat"})
    assert fast.status_code == 201
    assert len(paths.served) == 4


def test_a_commercial_plan_starts_sessions_and_has_no_choice_alike_R2(paths: Paths) -> None:
    me = paths.twins(plan="team", training=None)
    fast, _ = paths.both("POST", SESSIONS, me, json={"kind": "chat"})
    assert fast.status_code == 201
    fast, _ = paths.both("PUT", PRIVACY, me, json={"training": "on"})
    assert fast.status_code == 409 and fast.json()["error"]["code"] == "not_applicable"
    assert len(paths.served) == 2


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize(
    ("headers", "taken"),
    TOKEN_CASES,
)
def test_missing_and_wrong_tokens_are_refused_alike(
    paths: Paths, write: str, headers: dict[str, str], taken: bool
) -> None:
    method, path, body = WRITES[write]
    fast, _ = paths.both(method, path, (headers, headers), json=body)
    assert fast.status_code == 401 and fast.json()["error"]["code"] == "unauthenticated"
    assert paths.served == ([f"{method} {path}"] if taken else [])


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_dead_token_is_refused_alike_R15(paths: Paths, write: str) -> None:
    method, path, body = WRITES[write]
    me = paths.twins()
    for client, own in zip((paths.fast, paths.general), me, strict=True):
        expect(client.delete("/v1/me", headers=own), 204)
    fast, _ = paths.both(method, path, me, json=body)
    assert fast.status_code == 401 and len(paths.served) == 1


@pytest.mark.parametrize("write", sorted(WRITES))
def test_an_address_over_its_allowance_is_refused_alike(
    paths: Paths, core: App, write: str
) -> None:
    """Issue 17 item 4: failures count on both paths, and then even a live token is 429
    (`Retry-After` and all) before it is looked at, and nothing is written."""
    method, path, body = WRITES[write]
    me = paths.twins()
    wrong = {"Authorization": "Bearer " + "g" * 40}
    for _ in range(core.settings.auth_failures_per_minute):
        paths.both(method, path, (wrong, wrong), json=body)
    fast, _ = paths.both(method, path, (wrong, wrong), json=body)
    assert fast.status_code == 429 and "retry-after" in fast.headers
    fast, _ = paths.both(method, path, me, json=body)
    assert fast.status_code == 429
    assert len(paths.served) == core.settings.auth_failures_per_minute + 2


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("mode", [GpcMode.RECORD, GpcMode.OPT_OUT])
def test_the_gpc_signal_is_honoured_alike_P5(
    core: App, database_url: str, monkeypatch: pytest.MonkeyPatch, mode: GpcMode, write: str
) -> None:
    """P5: under `opt_out` the signal turns the choice off before the write (the
    session then starts uncovered, the choice change records both), on both paths."""
    policy = dataclasses.replace(core.ctx.policy, gpc=mode)
    core = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, policy=policy))
    method, path, _ = WRITES[write]
    body = {"kind": "chat"} if write == "session" else {"training": "on"}
    for paths in make_paths(core, database_url, [], monkeypatch):
        me = paths.twins()
        fast, _ = paths.both(method, path, me, json=body, extra_headers={"Sec-GPC": "1"})
        assert fast.status_code in (200, 201)
        if write == "session":
            assert fast.json()["covered"] is (mode is GpcMode.RECORD)
        assert paths.served == [f"{method} {path}"]


_NOT_TAKEN = [
    ({"content": b"{", "extra_headers": {"Content-Type": "application/json"}}),
    ({"content": b"", "extra_headers": {"Content-Type": "application/json"}}),
    ({"content": b"\xff\xfe", "extra_headers": {"Content-Type": "application/json"}}),
    ({"content": b"[" * 100_000, "extra_headers": {"Content-Type": "application/json"}}),
    ({"content": b"null", "extra_headers": {"Content-Type": "application/json"}}),
    ({"content": b'["chat"]', "extra_headers": {"Content-Type": "application/json"}}),
    ({"json": {"kind": "letter", "training": "maybe"}}),
    ({"json": {"kind": "chat", "training": "off", "typo": 1}}),
    ({"json": {}}),
    ({"content": b'{"kind":"chat"}', "extra_headers": {"Content-Type": "text/plain"}}),
    ({"content": b'{"training":"off"}'}),
    ({"json": {"kind": "chat", "training": "off"}, "extra_headers": {"Content-Type": "a/b"}}),
    (
        {
            "content": b'{"kind":"chat","training":"off"}',
            "extra_headers": {"Content-Type": "application/json; charset=utf-8"},
        }
    ),
]


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("token", ["live", "wrong", "none"])
@pytest.mark.parametrize("sent", _NOT_TAKEN)
def test_unusual_bodies_go_to_the_general_route_and_are_answered_alike(
    paths: Paths, write: str, token: str, sent: dict[str, Any]
) -> None:
    """A body FastAPI cannot parse is 422 whatever the token; one it parses but finds
    invalid gets its token judged first (401 for a wrong one); another content type is
    judged by the general route too. The fast path hands each over, body replayed."""
    method, path, _ = WRITES[write]
    me = (
        paths.twins()
        if token == "live"
        else (({"Authorization": "Bearer " + "w" * 40},) * 2 if token == "wrong" else ({}, {}))
    )
    fast, _ = paths.both(method, path, me, **sent)
    assert fast.status_code != 500
    assert paths.served == []


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE", "OPTIONS", "HEAD"])
def test_other_methods_and_paths_are_answered_by_the_general_routing(
    paths: Paths, method: str
) -> None:
    me = paths.twins()
    for path in (SESSIONS, SESSIONS + "/", PRIVACY, PRIVACY + "/", "/v1/me/sessionsx"):
        if method != "GET" or path != PRIVACY:  # GET /v1/me/privacy: the read's fast path
            paths.both(method, path, me)
    paths.both("POST", SESSIONS + "/", me, json={"kind": "chat"})
    paths.both("PUT", PRIVACY + "/", me, json={"training": "off"})
    assert paths.served == []


@pytest.mark.parametrize("write", sorted(WRITES))
def test_the_write_runs_in_the_account_workers_with_the_request_id(
    paths: Paths, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    """The token lookup and the write run in one worker thread of the account routes, in
    the request's context: log lines written there carry the request's id."""
    seen: list[tuple[str | None, str]] = []
    module, name = (
        (sessions_service, "start_session_with_token")
        if write == "session"
        else (accounts_service, "record_choice_with_token")
    )
    original = getattr(module, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append((REQUEST_ID.get(), threading.current_thread().name))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    method, path, body = WRITES[write]
    (me, _) = paths.twins()
    answer = paths.fast.request(method, path, json=body, headers={**me, "X-Request-ID": "req-w2"})
    assert answer.status_code in (200, 201)
    assert paths.served == [f"{method} {path}"]
    assert seen == [("req-w2", seen[0][1])] and seen[0][1].startswith("consentry-api")


def test_routes_with_other_inputs_are_refused() -> None:
    """A write's fast path calls the endpoint with the credentials, the request and the
    body only: every other route of the sessions router (a path parameter, a query) and
    a route without a body fail at start-up, not silently."""
    general = sessions_http.router
    others = [r for r in general.routes if getattr(r, "endpoint", None) is not None]
    for route in others:
        if route.endpoint is not sessions_http.start_session:  # type: ignore[attr-defined]
            with pytest.raises(TypeError):
                fast_routes.BearerWriteRoute(route, general)  # type: ignore[arg-type]
    assert len(others) == 6
    assert fast_routes.session_route(general).method == "POST"
    choice = fast_routes.choice_route(general)
    assert (choice.method, choice.path) == ("PUT", PRIVACY)
    with pytest.raises(TypeError):
        fast_routes.BearerReadRoute(choice.route, general)
    with pytest.raises(TypeError):
        fast_routes.BearerWriteRoute(fast_routes.privacy_route(general).route, general)


@pytest.mark.parametrize(
    "chunks",
    [
        [b'{"kind": "letter"}'],
        [b'{"kind":', b' "chat", "x": 1}'],
        [b"{", b"", b'"kind": "chat"'],
        [b'{"kind":', None],  # the client went away mid-body
    ],
)
def test_what_was_read_is_replayed_to_the_general_routing(chunks: list[bytes | None]) -> None:
    """A body the fast path does not take reaches the general routing message by
    message as the server gave it (chunks and a disconnect included), and nothing is
    read twice or skipped."""
    sent: list[Message] = [
        {"type": "http.disconnect"}
        if chunk is None
        else {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]
    queue = list(sent)
    replayed: list[Message] = []

    async def receive() -> Message:
        return queue.pop(0)

    async def general(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope[fast_routes.GENERAL] is True and "route" not in scope
        for _ in sent:
            replayed.append(await receive())

    async def send(message: Message) -> None:
        raise AssertionError("the fast path answered itself")

    route = fast_routes.session_route(SimpleNamespace(app=general))
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/me/sessions",
        "query_string": b"",
        "headers": [(b"authorization", b"Bearer abc"), (b"content-type", b"application/json")],
    }
    asyncio.run(route.handle(scope, receive, send))
    assert replayed == sent and queue == []
