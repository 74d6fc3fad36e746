"""Issue 17, "also fix": read deadlines on stalled requests, and HSTS/``Secure`` cookies
behind a TLS proxy. A real uvicorn server (with the options `consentry serve` passes)
on a free port, and raw sockets on the other side: no mocks of the transport."""

from __future__ import annotations

import importlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import uvicorn

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import Policy
from consentry.entrypoints.api.app import create_app
from consentry.entrypoints.api.server import uvicorn_options

ENOUGH_S = 15.0
"""How long a test waits for the server to cut a connection off (the deadline is 1 s)."""


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # running in a thread
        pass


@contextmanager
def serving(
    settings: Settings, clock: TestClock, policy: Policy, **override: object
) -> Iterator[int]:
    core = build(settings, migrate=False, clock=clock, policy=policy)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options = {**uvicorn_options(settings), **override}
    config = uvicorn.Config(create_app(core), lifespan="off", ws="none", **options)
    server = _Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        core.engine.dispose()


def _read_until_closed(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection; a socket timeout
    (the server never closed it) fails the test."""
    conn.settimeout(ENOUGH_S)
    received = b""
    while True:
        try:
            chunk = conn.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=ENOUGH_S)


def test_a_stalled_request_body_is_cut_off(
    sqlite_url: str, clock: TestClock, policy: Policy
) -> None:
    """Headers and part of a body, then nothing: the connection is closed after the
    read timeout (before the fix it stayed open for ever)."""
    settings = Settings(database_url=sqlite_url, read_timeout_s=1)
    with serving(settings, clock, policy) as port, _connect(port) as conn:
        conn.sendall(
            b"POST /v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            b'{"plan": "fr'
        )
        answer = _read_until_closed(conn)
    assert b"201" not in answer.split(b"\r\n", 1)[0]


def test_slowloris_headers_are_cut_off_by_a_deadline_not_an_idle_timer(
    sqlite_url: str, clock: TestClock, policy: Policy
) -> None:
    """Headers trickled a few bytes at a time, never finished: 408 and closed, although
    bytes keep coming (an idle timer would never fire)."""
    settings = Settings(database_url=sqlite_url, read_timeout_s=1)
    with serving(settings, clock, policy) as port, _connect(port) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        closed = False
        for index in range(int(ENOUGH_S / 0.2)):
            try:
                conn.sendall(f"X-Slow-{index}: a\r\n".encode())
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            conn.settimeout(0.2)
            try:
                if conn.recv(65536, socket.MSG_PEEK):
                    break  # the server answered: read it below
            except TimeoutError:
                continue
        answer = b"" if closed else _read_until_closed(conn)
    assert closed or answer.startswith(b"HTTP/1.1 408")


def test_a_connection_that_sends_nothing_is_closed(
    sqlite_url: str, clock: TestClock, policy: Policy
) -> None:
    settings = Settings(database_url=sqlite_url, read_timeout_s=1)
    with serving(settings, clock, policy) as port, _connect(port) as conn:
        assert _read_until_closed(conn).startswith(b"HTTP/1.1 408")


def test_uvicorn_run_by_hand_gets_the_deadline_by_name(
    sqlite_url: str, clock: TestClock, policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`uvicorn --factory … --http consentry.entrypoints.api.read_timeout:ReadDeadlineProtocol`
    (docs/api.md): the class named by string, its deadline from CONSENTRY_READ_TIMEOUT_S."""
    from consentry.entrypoints.api import read_timeout

    monkeypatch.setenv("CONSENTRY_READ_TIMEOUT_S", "1")
    importlib.reload(read_timeout)
    try:
        named = "consentry.entrypoints.api.read_timeout:ReadDeadlineProtocol"
        settings = Settings(database_url=sqlite_url)
        with serving(settings, clock, policy, http=named) as port, _connect(port) as conn:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            assert _read_until_closed(conn).startswith(b"HTTP/1.1 408")
        monkeypatch.setenv("CONSENTRY_READ_TIMEOUT_S", "0")
        with pytest.raises(ValueError, match="CONSENTRY_READ_TIMEOUT_S"):
            importlib.reload(read_timeout)
    finally:
        monkeypatch.delenv("CONSENTRY_READ_TIMEOUT_S")
        importlib.reload(read_timeout)


def test_a_kept_alive_connection_still_serves_requests_after_the_deadline(
    sqlite_url: str, clock: TestClock, policy: Policy
) -> None:
    """The deadline covers reading a request, not the time between requests (uvicorn's
    keep-alive timeout, 5 s, does): a second request 1.5 s later is answered."""
    settings = Settings(database_url=sqlite_url, read_timeout_s=1)
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with serving(settings, clock, policy) as port, _connect(port) as conn:
        conn.sendall(request)
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")
        time.sleep(1.5)
        conn.sendall(request)
        assert conn.recv(65536).startswith(b"HTTP/1.1 200")


def _exchange(port: int, request: bytes) -> bytes:
    with _connect(port) as conn:
        conn.sendall(request)
        return _read_until_closed(conn)


def _get(path: str, *headers: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _head(answer: bytes) -> list[str]:
    return answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower().split("\r\n")


def _cookies(answer: bytes) -> list[str]:
    return [line for line in _head(answer) if line.startswith("set-cookie:")]


def _has(answer: bytes, predicate: Callable[[str], bool]) -> bool:
    return any(predicate(line) for line in _head(answer))


def _hsts(line: str) -> bool:
    return line.startswith("strict-transport-security: max-age=")


def test_https_from_a_trusted_proxy_gets_hsts_and_secure_cookies(
    sqlite_url: str, clock: TestClock, policy: Policy
) -> None:
    """`--forwarded-allow-ips` names the TLS proxy (here 127.0.0.1): its
    X-Forwarded-Proto: https makes cookies Secure and adds HSTS."""
    settings = Settings(database_url=sqlite_url, forwarded_allow_ips="127.0.0.1")
    with serving(settings, clock, policy) as port:
        proxied = _exchange(port, _get("/signin", "X-Forwarded-Proto: https"))
        plain = _exchange(port, _get("/signin"))
        api = _exchange(port, _get("/healthz", "X-Forwarded-Proto: https"))
    assert _has(proxied, _hsts) and _has(api, _hsts)
    assert _cookies(proxied) and all("; secure" in c for c in _cookies(proxied))
    assert not _has(plain, _hsts)
    assert _cookies(plain) and not any("; secure" in c for c in _cookies(plain))


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(
    sqlite_url: str, clock: TestClock, policy: Policy
) -> None:
    """A peer outside `forwarded_allow_ips` cannot claim https (nor another address)."""
    settings = Settings(database_url=sqlite_url, forwarded_allow_ips="10.9.9.9")
    with serving(settings, clock, policy) as port:
        answer = _exchange(port, _get("/signin", "X-Forwarded-Proto: https"))
    assert not _has(answer, _hsts)
    assert _cookies(answer) and not any("; secure" in c for c in _cookies(answer))


def test_serve_passes_the_forwarded_allow_ips_and_read_timeout_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONSENTRY_FORWARDED_ALLOW_IPS", "10.0.0.5")
    monkeypatch.setenv("CONSENTRY_READ_TIMEOUT_S", "7")
    settings = Settings.from_env()
    assert (settings.forwarded_allow_ips, settings.read_timeout_s) == ("10.0.0.5", 7)
    options = uvicorn_options(settings)
    assert options["forwarded_allow_ips"] == "10.0.0.5" and options["proxy_headers"]
    defaults = Settings()
    assert (defaults.read_timeout_s, defaults.forwarded_allow_ips) == (30, "127.0.0.1,::1")
