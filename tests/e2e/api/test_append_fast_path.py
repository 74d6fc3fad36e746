"""The append's fast path (issue 22, entrypoints/api/append_route.py): an ordinary append
is served without FastAPI's routing and dependencies, and every other request to the
path is answered by the general route exactly as before (R9, R10, R15, P5)."""

from __future__ import annotations

import inspect
import threading
from typing import Any

import pytest

from consentry.entrypoints.api import append_route
from consentry.entrypoints.api import sessions as sessions_http
from consentry.entrypoints.api.logs import REQUEST_ID
from tests.e2e.api.conftest import Api, expect

BODY = {"role": "user", "content": "hello"}


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the fast path took, in order."""
    taken: list[str] = []
    original = append_route.AppendRoute.handle

    async def spy(self: Any, scope: Any, receive: Any, send: Any) -> None:
        taken.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(append_route.AppendRoute, "handle", spy)
    return taken


@pytest.fixture
def general(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths handed from the fast path to the general routing, in order."""
    handed: list[str] = []
    original = append_route.AppendRoute._general

    async def spy(self: Any, scope: Any, consumed: Any, receive: Any, send: Any) -> None:
        handed.append(scope["path"])
        await original(self, scope, consumed, receive, send)

    monkeypatch.setattr(append_route.AppendRoute, "_general", spy)
    return handed


def _path(api: Api, headers: dict[str, str]) -> str:
    made = expect(api.client.post("/v1/me/sessions", json={"kind": "chat"}, headers=headers), 201)
    return f"/v1/me/sessions/{made['session_id']}/messages"


def test_an_ordinary_append_takes_the_fast_path_R10(
    api: Api, fast: list[str], general: list[str]
) -> None:
    user = api.signup()
    path = _path(api, user.headers)
    added = expect(api.client.post(path, json=BODY, headers=user.headers), 201)
    assert set(added) == {"message_id", "at", "covered"} and added["covered"] is True
    assert fast == [path] and general == []
    detail = expect(api.client.get(path.removesuffix("/messages"), headers=user.headers), 200)
    assert [m["message_id"] for m in detail["messages"]] == [added["message_id"]]
    metrics = api.client.get("/metrics").text
    route = 'route="/v1/me/sessions/{session_id}/messages",status="201"'
    assert f'consentry_http_requests_total{{method="POST",{route}}} 1.0' in metrics


def test_its_refusals_are_the_general_routes_R9_R15(api: Api, general: list[str]) -> None:
    """Refusals raised inside the fast path's work go to the same handlers."""
    owner, other = api.signup(), api.signup()
    path = _path(api, owner.headers)
    expect(api.client.post(path, json=BODY, headers=other.headers), 404, "not_found")
    wrong = {"Authorization": "Bearer not-a-token"}
    expect(api.client.post(path, json=BODY, headers=wrong), 401, "unauthenticated")
    assistant = {"role": "assistant", "content": "hi"}
    expect(api.client.post(path, json=assistant, headers=owner.headers), 201)
    assert general == []


@pytest.mark.parametrize(
    ("headers", "content", "status", "code"),
    [
        ({}, b'{"role":"user","content":"x"}', 401, "unauthenticated"),
        ({"Authorization": "Basic abc"}, b'{"role":"user","content":"x"}', 401, "unauthenticated"),
        ({"Authorization": "Bearer not-a-token"}, b'{"role":"user"}', 401, "unauthenticated"),
        ("own", b'{"role":"user"}', 422, "validation_error"),
        ("own", b'{"role":"user","content":"x","extra":1}', 422, "validation_error"),
        ("own", b'{"role":"robot","content":"x"}', 422, "validation_error"),
        ("own", b'{"role":"user","content":"x\\u0000"}', 422, "validation_error"),
        ("own", b"not json", 422, None),
        ("own", b"[]", 422, "validation_error"),
        ("own", b"", 422, None),
    ],
)
def test_everything_else_is_answered_by_the_general_route_R15(
    api: Api, general: list[str], headers: Any, content: bytes, status: int, code: str | None
) -> None:
    user = api.signup()
    path = _path(api, user.headers)
    sent = dict(user.headers) if headers == "own" else headers
    sent["Content-Type"] = "application/json"
    answer = api.client.post(path, content=content, headers=sent)
    expect(answer, status, code)
    assert general == [path]


def test_another_content_type_or_the_gpc_signal_still_appends_P5(
    api: Api, general: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """P5: with `Sec-GPC: 1` the fast path takes the signal's path (`account_of`, which
    honours it before the append) like the general route. JSON declared UTF-8 is the
    fast path's (issue 22, eleventh pass); another charset goes to the general route."""
    honoured: list[str] = []
    original = sessions_http.account_of

    def spy(core: Any, token: str, guards: Any, request: Any) -> Any:
        honoured.append(token)
        return original(core, token, guards, request)

    monkeypatch.setattr(sessions_http, "account_of", spy)
    user = api.signup()
    path = _path(api, user.headers)
    content = b'{"role":"user","content":"x"}'
    for declared in ("application/json; charset=utf-8", "Application/JSON ;Charset = UTF-8"):
        typed = {**user.headers, "Content-Type": declared}
        expect(api.client.post(path, content=content, headers=typed), 201)
    assert general == []
    typed = {**user.headers, "Content-Type": "application/json; charset=latin-1"}
    expect(api.client.post(path, content=content, headers=typed), 201)
    assert general == [path]
    assert honoured == []
    gpc = {**user.headers, "Sec-GPC": "1"}
    expect(api.client.post(path, json=BODY, headers=gpc), 201)
    assert honoured == [user.token] and general == [path]


def test_other_methods_and_paths_are_not_taken(api: Api, general: list[str]) -> None:
    user = api.signup()
    path = _path(api, user.headers)
    assert api.client.get(path, headers=user.headers).status_code == 405
    slash = api.client.post(path + "/", json=BODY, headers=user.headers, follow_redirects=False)
    assert slash.status_code == 307 and slash.headers["location"] == path
    sid = path.split("/")[4]
    expect(api.client.post(f"/v1/me/sessions/{sid}/feedback", json={}, headers=user.headers), 422)
    assert general == []


def test_the_append_runs_in_its_workers_with_the_request_id(
    api: Api, fast: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path's worker thread runs in the request's context: log lines written
    there carry the request's id (the structured logs' correlation, issue 22)."""
    seen: list[tuple[str | None, str]] = []
    original = sessions_http.append_blocking

    def spy(*args: Any) -> Any:
        seen.append((REQUEST_ID.get(), threading.current_thread().name))
        return original(*args)

    monkeypatch.setattr(sessions_http, "append_blocking", spy)
    user = api.signup()
    path = _path(api, user.headers)
    headers = {**user.headers, "X-Request-ID": "req-fast-1"}
    expect(api.client.post(path, json=BODY, headers=headers), 201)
    assert fast == [path]
    assert seen and seen[0][0] == "req-fast-1"
    assert seen[0][1].startswith("consentry-api")  # workers.in_worker: one pool with the
    # account routes, not anyio's


def _tree(dependant: Any) -> list[Any]:
    return [(_name(d.call), _tree(d)) for d in dependant.dependencies]


def _name(call: Any) -> str:
    return str(call.__name__) if inspect.isfunction(call) else type(call).__name__


def test_the_fast_path_is_told_when_the_general_route_changes(api: Api) -> None:
    """The fast path reproduces what FastAPI resolves for the general route: its
    parameters and dependencies, and those of its router and of the application. A
    dependency added to any of them (a new header check, say) would be skipped by every
    ordinary append; this fails first, so that whoever adds it adds it to append_route.py."""
    route = next(
        r
        for r in sessions_http.router.routes
        if getattr(r, "endpoint", None) is sessions_http.add_message
    )
    dependant = route.dependant  # type: ignore[attr-defined]
    seen = {
        "path": [p.name for p in dependant.path_params],
        "query": [p.name for p in dependant.query_params],
        "headers": [p.name for p in dependant.header_params],
        "cookies": [p.name for p in dependant.cookie_params],
        "body": [p.name for p in dependant.body_params],
        "request": dependant.request_param_name,
        "dependencies": _tree(dependant),
        "declared": [
            *sessions_http.router.dependencies,
            *route.dependencies,  # type: ignore[attr-defined]
            *api.client.app.router.dependencies,  # type: ignore[attr-defined]
        ],
    }
    assert seen == {
        "path": ["session_id"],
        "query": [],
        "headers": [],
        "cookies": [],
        "body": ["body"],
        "request": "request",
        "dependencies": [
            ("get_core", []),
            ("bearer_token", [("HTTPBearer", [])]),
            ("get_guards", []),
        ],
        "declared": [],
    }, "add_message's parameters or dependencies changed: update entrypoints/api/append_route.py"
