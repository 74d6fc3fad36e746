"""Webhooks and proxies (issue 17): a proxy from the environment is ignored (it would
connect past the address check); an explicit egress proxy (CONSENTRY_WEBHOOK_PROXY) is
used, and said so at start. Real HTTP servers on loopback play the target and the proxy
(a forward proxy receives the absolute URL and answers for the target)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from consentry.config.settings import Settings
from consentry.domain.errors import InvalidInput
from consentry.outbox.targets import (
    TargetGuard,
    WebhookTargetRefused,
    egress_warning,
    guard_for,
)

from .conftest import Receiver


@pytest.fixture
def proxy() -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    yield r
    r.stop()


def test_environment_proxies_are_ignored(
    receiver: Receiver, proxy: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    guard = guard_for(Settings(webhook_allow_private=True))
    with guard.client(timeout_s=5) as client:
        assert client.post(receiver.url, content=b"{}").status_code == 204
    assert len(receiver.requests) == 1 and proxy.requests == []


def test_an_explicit_egress_proxy_carries_the_delivery(receiver: Receiver, proxy: Receiver) -> None:
    settings = Settings(webhook_allow_private=True, webhook_proxy=f"http://127.0.0.1:{proxy.port}")
    guard = guard_for(settings)
    with guard.client(timeout_s=5) as client:
        assert client.post(receiver.url, content=b'{"a": 1}').status_code == 204
    assert receiver.requests == []
    (through,) = proxy.requests
    assert through.headers["host"] == f"127.0.0.1:{receiver.port}" and through.body == '{"a": 1}'


def test_with_a_proxy_the_registration_checks_still_run_and_the_start_says_whose_job_it_is() -> (
    None
):
    guard = guard_for(Settings(webhook_proxy="http://user:secret@proxy.internal:3128"))
    with pytest.raises(WebhookTargetRefused):
        guard.check_url("https://169.254.169.254/latest")
    with pytest.raises(WebhookTargetRefused):
        guard.check_url("http://hooks.example/")
    warning = egress_warning(guard)
    assert warning is not None and "proxy.internal:3128" in warning and "secret" not in warning
    assert "proxy's job" in warning
    assert "secret" not in repr(guard)
    assert egress_warning(TargetGuard()) is None


@pytest.mark.parametrize(
    "url", ["proxy.internal:3128", "socks5://proxy:1080", "http://proxy", "http://:3128"]
)
def test_a_malformed_egress_proxy_is_refused_at_start(url: str) -> None:
    with pytest.raises(InvalidInput):
        Settings(webhook_proxy=url)
