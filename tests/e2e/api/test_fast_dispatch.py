"""The fast routes served right under ``RequestMiddleware`` (issue 22, eleventh pass):
what the layers they skip gave them still holds, compared with the general routing
byte for byte (status, headers in order, body, rows written): the exception handlers
and the 500 of an unexpected error, the body limit, the allowed hosts, the request id,
the metrics; a middleware configured around or inside ``RequestMiddleware`` still sees
every request. And the worker hand-off (``workers.in_worker``)."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from fastapi.security import HTTPBearer
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from consentry.bootstrap import App
from consentry.domain.errors import InvalidInput
from consentry.entrypoints.api import workers
from consentry.entrypoints.api.app import create_app
from consentry.entrypoints.api.logs import REQUEST_ID
from consentry.entrypoints.api.metrics import ApiMetrics
from consentry.entrypoints.api.middleware import RequestMiddleware
from consentry.service import accounts as accounts_service
from consentry.service import sessions as sessions_service
from tests.e2e.api.conftest import expect
from tests.e2e.api.twins import Paths, make_paths

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SESSIONS, PRIVACY = "/v1/me/sessions", "/v1/me/privacy"
WRITES = {
    "session": ("POST", SESSIONS, {"kind": "chat"}, sessions_service, "start_session_with_token"),
    "choice": ("PUT", PRIVACY, {"training": "off"}, accounts_service, "record_choice_with_token"),
}


@pytest.fixture
def paths(core: App, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Paths]:
    settings = dataclasses.replace(
        core.settings, allowed_hosts=("testserver", "*.example.org"), max_body_bytes=256
    )
    yield from make_paths(
        dataclasses.replace(core, settings=settings), database_url, [], monkeypatch
    )


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize(
    ("declared", "taken"),
    [
        ("application/json; charset=utf-8", True),
        ("application/json;charset=UTF-8", True),
        ("Application/JSON ; Charset = utf-8", True),
        ("application/json; charset=latin-1", False),
        ("application/json; charset=utf-8; x=1", False),
        ("application/jsonx", False),
    ],
)
def test_json_declared_utf_8_is_served_fast_and_alike(
    paths: Paths, write: str, declared: str, taken: bool
) -> None:
    method, path, *_ = WRITES[write]
    me = paths.twins()
    content = b'{"kind":"chat"}' if write == "session" else b'{"training":"off"}'
    typed = {"Content-Type": declared}
    fast, _ = paths.both(method, path, me, content=content, extra_headers=typed)
    assert (fast.status_code in (200, 201)) is ("json;" in declared.lower().replace(" ", ""))
    assert paths.served == ([f"{method} {path}"] if taken else [])


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize(
    "raised",
    [RuntimeError("boom: secret detail"), InvalidInput("refused in the work"), HTTPException(418)],
    ids=["unexpected", "consentry_error", "http_exception"],
)
def test_an_exception_in_the_work_is_answered_alike(
    paths: Paths, monkeypatch: pytest.MonkeyPatch, write: str, raised: Exception
) -> None:
    """Raised inside the route's work (the worker thread): our 500 ``internal_error``
    for an unexpected one (no detail), our handlers' answers for the others."""
    method, path, body, module, name = WRITES[write]
    me = paths.twins()

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise raised

    monkeypatch.setattr(module, name, fail)
    fast, _ = paths.both(method, path, me, json=body)
    status = {"unexpected": 500, "consentry_error": 422, "http_exception": 418}
    kind = {RuntimeError: "unexpected", InvalidInput: "consentry_error"}.get(
        type(raised), "http_exception"
    )
    assert fast.status_code == status[kind] and b"secret" not in fast.content
    # (`served` notes a request when the route returns: the unexpected one escapes it)
    assert paths.served == ([] if kind == "unexpected" else [f"{method} {path}"])


@pytest.mark.parametrize("write", sorted(WRITES))
def test_an_exception_before_the_work_gets_the_handlers_alike(
    paths: Paths, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    """Raised while the route reads the credentials, outside the route's own wrapping:
    the exception handlers still answer it (as ``ExceptionMiddleware`` did), not 500."""
    method, path, body, *_ = WRITES[write]
    me = paths.twins()

    async def refuse(self: Any, request: Any) -> Any:
        raise InvalidInput("no credentials today")

    monkeypatch.setattr(HTTPBearer, "__call__", refuse)
    fast, _ = paths.both(method, path, me, json=body)
    assert fast.status_code == 422 and fast.json()["error"]["message"] == "no credentials today"


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversized_body_is_refused_alike(paths: Paths, write: str, chunked: bool) -> None:
    """Over the limit (256 bytes here): declared (Content-Length) or read (chunked)."""
    method, path, *_ = WRITES[write]
    me = paths.twins()
    big = b'{"kind":"chat","x":"' + b"y" * 300 + b'"}'
    content: Any = [big[:100], big[100:]] if chunked else big  # a list is sent chunked
    typed = {"Content-Type": "application/json"}
    fast, _ = paths.both(method, path, me, content=content, extra_headers=typed)
    assert fast.status_code == 413 and fast.json()["error"]["code"] == "too_large"
    assert paths.served == []


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_host_not_served_is_refused_alike(paths: Paths, write: str) -> None:
    method, path, body, *_ = WRITES[write]
    me = paths.twins()
    evil = {"extra_headers": {"Host": "evil.example"}}
    fast, _ = paths.both(method, path, me, json=body, **evil)
    assert fast.status_code == 400 and fast.json()["error"]["code"] == "invalid_host"
    fast, _ = paths.both(method, path, me, json=body, extra_headers={"Host": "a.example.org"})
    assert fast.status_code in (200, 201)
    assert paths.served == [f"{method} {path}"]


def test_served_requests_are_counted_by_route(paths: Paths) -> None:
    me = paths.twins()
    for method, path, body, *_ in WRITES.values():
        paths.both(method, path, me, json=body)
    metrics = paths.fast.get("/metrics").text
    for method, path, status in (("POST", SESSIONS, 201), ("PUT", PRIVACY, 200)):
        line = (
            f'consentry_http_requests_total{{method="{method}",route="{path}",status="{status}"}}'
        )
        assert f"{line} 2.0" in metrics  # the fast side's and the general side's


class _Seen:
    """A middleware that notes the paths it saw."""

    paths: list[str] = []

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            _Seen.paths.append(scope["path"])
        await self.app(scope, receive, send)


def _account(client: TestClient) -> dict[str, str]:
    made = expect(client.post("/v1/accounts", json={"plan": "free", "training": "on"}), 201)
    return {"Authorization": f"Bearer {made['token']}"}


def test_a_middleware_around_or_inside_still_sees_fast_requests(core: App) -> None:
    """A middleware added around the application (CORS here) answers as configured; one
    put inside ``RequestMiddleware`` (nothing in consentry does) turns the early dispatch
    off, so it is not skipped: the fast routes are then reached through the router."""
    app = create_app(core)
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example"])
    app.user_middleware.append(Middleware(_Seen))
    _Seen.paths = []
    with TestClient(app) as client:
        me = {**_account(client), "Origin": "https://app.example"}
        made = expect(client.post(SESSIONS, json={"kind": "chat"}, headers=me), 201)
        answer = client.get(PRIVACY, headers=me)
        assert answer.headers["access-control-allow-origin"] == "https://app.example"
    assert _Seen.paths == ["/v1/accounts", SESSIONS, PRIVACY] and made["session_id"]
    stack: Any = app.middleware_stack
    while not isinstance(stack, RequestMiddleware):
        stack = stack.app
    assert stack.fast == [] and isinstance(stack.app, _Seen)


def test_the_usual_stack_serves_fast_routes_right_under_the_middleware(
    core: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the hand-offs pass FastAPI's inner layers; under FastAPI's own telemetry
    (which the router tells the route it chose) every request does."""
    layers: list[str] = []
    original = AsyncExitStackMiddleware.__call__

    async def spy(self: Any, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            layers.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(AsyncExitStackMiddleware, "__call__", spy)
    app = create_app(core)

    async def telemetry(scope: Scope, receive: Receive, send: Send) -> None:
        scope["fastapi.telemetry"] = None
        await app(scope, receive, send)

    with TestClient(app) as client, TestClient(telemetry) as observed:
        me = _account(client)
        expect(client.get(PRIVACY, headers=me), 200)
        expect(client.put(PRIVACY, content=b"{", headers=me), 422)  # handed on
        assert layers == ["/v1/accounts", PRIVACY]
        expect(observed.get(PRIVACY, headers=me), 200)
        assert layers == ["/v1/accounts", PRIVACY, PRIVACY]


def test_in_worker_runs_the_work_in_a_named_thread_in_the_context() -> None:
    async def main() -> tuple[Any, ...]:
        REQUEST_ID.set("req-worker")
        seen = await workers.in_worker(lambda: (REQUEST_ID.get(), threading.current_thread().name))
        with pytest.raises(ZeroDivisionError):
            await workers.in_worker(lambda: 1 // 0)
        return seen

    request_id, thread = asyncio.run(main())
    assert request_id == "req-worker" and thread.startswith("consentry-api_")


def test_in_worker_skips_work_whose_caller_was_cancelled_before_it_started() -> None:
    """As with an executor: every thread busy, a queued job whose caller is cancelled
    does not run; the busy ones finish and answer."""
    release, ran = threading.Event(), []

    async def main() -> list[str]:
        busy = [
            asyncio.ensure_future(workers.in_worker(lambda: release.wait(10) and "done"))
            for _ in range(workers.WORKERS)
        ]
        queued = asyncio.ensure_future(workers.in_worker(lambda: ran.append("queued")))
        await asyncio.sleep(0.05)
        queued.cancel()
        await asyncio.sleep(0.05)
        release.set()
        answers = await asyncio.gather(*busy)
        await asyncio.sleep(0.05)
        return answers

    assert asyncio.run(main()) == ["done"] * workers.WORKERS
    assert ran == []


def test_the_pool_starts_a_thread_only_when_none_is_idle() -> None:
    """One job after another keeps to one thread (as ``ThreadPoolExecutor`` did); a job
    that finds every started thread busy starts one more; stopping ends them all."""
    pool, release = workers._Pool(), threading.Event()
    for _ in range(5):
        done = threading.Event()
        pool.put(done.set)
        assert done.wait(5)
        time.sleep(0.01)  # the thread counts itself idle after the job
    assert len(pool.threads) == 1
    pool.put(lambda: release.wait(5) and None)
    finished = threading.Event()
    pool.put(finished.set)
    assert finished.wait(5) and len(pool.threads) == 2
    release.set()
    threads = list(pool.threads)
    pool.stop()
    assert not any(thread.is_alive() for thread in threads)


def test_each_request_is_counted_under_its_own_labels() -> None:
    """`ApiMetrics.observe_request` keeps the labelled children: each method, route
    and status still has its own count and latency."""
    metrics = ApiMetrics()
    for method, status in (("GET", 200), ("GET", 401), ("GET", 200), ("PUT", 200)):
        metrics.observe_request(method, PRIVACY, status, 0.002)
    text = metrics.render().decode()
    for method, status, count in (("GET", 200, 2), ("GET", 401, 1), ("PUT", 200, 1)):
        labels = f'method="{method}",route="{PRIVACY}",status="{status}"'
        assert f"consentry_http_requests_total{{{labels}}} {count}.0" in text
        assert f"consentry_http_request_duration_seconds_count{{{labels}}} {count}.0" in text
