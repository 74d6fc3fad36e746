"""Webhook SSRF (issue 17 item 2): hostile targets are refused at registration, and every
delivery connection resolves, checks and connects to the address it checked (DNS
rebinding), against a real HTTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from consentry.outbox.targets import TargetGuard, WebhookTargetRefused, refused_reason

from .conftest import Receiver

PUBLIC = "93.184.216.34"


def resolver(table: dict[str, list[str]]) -> object:
    def resolve(host: str, port: int) -> list[str]:
        return table.get(host, [])

    return resolve


HOSTILE = [
    ("http://169.254.169.254/latest", "link-local"),  # cloud metadata
    ("https://169.254.169.254/latest", "link-local"),
    ("http://127.0.0.1:22/", "loopback"),
    ("https://127.0.0.1:22/", "loopback"),
    ("https://0x7f000001/", "non-canonical"),
    ("https://2130706433/", "non-canonical"),
    ("https://127.1/", "non-canonical"),
    ("https://017700000001/", "non-canonical"),
    ("https://[::ffff:127.0.0.1]/", "loopback"),
    ("https://[::ffff:7f00:1]/", "loopback"),
    ("https://[::1]/", "loopback"),
    ("https://[fe80::1]/", "link-local"),
    ("https://[64:ff9b::a9fe:a9fe]/", "link-local"),  # NAT64 of the metadata address
    ("https://[2002:a00:1::]/", "private"),  # 6to4 of 10.0.0.1
    ("https://localhost./", "loopback"),
    ("https://LocalHost/", "loopback"),
    ("https://10.0.0.1/", "private"),
    ("https://172.16.5.4/", "private"),
    ("https://192.168.1.1/", "private"),
    ("https://100.64.0.1/", "private"),  # shared (CGNAT) space
    ("https://0.0.0.0/", "unspecified"),
    ("https://[::]/", "unspecified"),
    ("https://224.0.0.251/", "multicast"),
    ("https://240.0.0.1/", "reserved"),
    ("https://user:pass@hooks.example/", "credentials"),
    ("https://:pass@hooks.example/", "credentials"),
    ("https://hooks.example@127.0.0.1/", "credentials"),
    ("https://rebound.example/", "loopback"),  # a name whose DNS answer is loopback
    ("https://mixed.example/", "private"),  # one public and one private answer
    ("https://nowhere.example/", "does not resolve"),
    ("gopher://hooks.example/", "https"),
    ("file:///etc/passwd", "https"),
    ("http://hooks.example/", "https"),  # plain http to a public host
    ("https://hooks.example /", "spaces"),
    ("https://hooks.example/\x00", "control"),
]
NAMES = {
    "hooks.example": [PUBLIC],
    "localhost": ["127.0.0.1", "::1"],
    "rebound.example": ["127.0.0.1"],
    "mixed.example": [PUBLIC, "10.1.2.3"],
}


@pytest.mark.parametrize(("url", "why"), HOSTILE, ids=[u for u, _ in HOSTILE])
def test_hostile_webhook_targets_are_refused_with_the_reason(url: str, why: str) -> None:
    guard = TargetGuard(resolve=resolver(NAMES))  # type: ignore[arg-type]
    with pytest.raises(WebhookTargetRefused) as refused:
        guard.check_url(url)
    assert refused.value.code == "webhook_target_refused" and refused.value.status == 422
    assert why in refused.value.message


def test_public_https_targets_are_accepted() -> None:
    guard = TargetGuard(resolve=resolver(NAMES))  # type: ignore[arg-type]
    assert guard.check_url("https://hooks.example/in?x=1") == "https://hooks.example/in?x=1"
    assert guard.check_url(f"https://{PUBLIC}:8443/") == f"https://{PUBLIC}:8443/"
    assert guard.check_url("https://[2606:4700:4700::1111]/") == "https://[2606:4700:4700::1111]/"
    http = TargetGuard(allow_http=True, resolve=resolver(NAMES))  # type: ignore[arg-type]
    assert http.check_url("http://hooks.example/") == "http://hooks.example/"


def test_allow_private_lets_internal_targets_in_but_never_metadata_or_tricks() -> None:
    guard = TargetGuard(allow_private=True, resolve=resolver(NAMES))  # type: ignore[arg-type]
    for url in ("http://127.0.0.1:8080/", "http://10.0.0.1/", "https://localhost./"):
        guard.check_url(url)
    for url in (
        "http://169.254.169.254/latest",
        "http://0.0.0.0/",
        "http://2130706433/",
        "http://user:pass@127.0.0.1/",
        "http://240.0.0.1/",  # reserved, though Python counts it as "private"
        "http://0.1.2.3/",
        "http://192.0.2.1/",  # documentation range
    ):
        with pytest.raises(WebhookTargetRefused):
            guard.check_url(url)


@pytest.fixture
def server() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.release.set()
    receiver.stop()


def test_delivery_connects_to_the_address_it_checked(server: Receiver) -> None:
    names = {"hooks.internal": ["127.0.0.1"]}
    guard = TargetGuard(allow_private=True, resolve=resolver(names))  # type: ignore[arg-type]
    with guard.client(timeout_s=5) as client:
        answer = client.post(f"http://hooks.internal:{server.port}/hook", content=b"{}")
    assert answer.status_code == 204
    # No resolver but the guard's knows this name: the connection went where it checked.
    assert server.requests[0].headers["host"] == f"hooks.internal:{server.port}"


def test_dns_rebinding_after_registration_is_refused_at_connection(server: Receiver) -> None:
    answers = {"rebind.example": [PUBLIC]}
    guard = TargetGuard(resolve=resolver(answers))  # type: ignore[arg-type]
    guard.check_url(f"https://rebind.example:{server.port}/hook")  # public when registered
    answers["rebind.example"] = ["127.0.0.1"]  # then the name is pointed at loopback
    with guard.client(timeout_s=5) as client, pytest.raises(httpx.ConnectError) as failed:
        client.post(f"https://rebind.example:{server.port}/hook", content=b"{}")
    assert refused_reason(failed.value) == "loopback address"
    assert server.requests == []


def test_redirects_are_not_followed(server: Receiver) -> None:
    guard = TargetGuard(allow_private=True)
    with guard.client(timeout_s=5) as client:
        assert client.follow_redirects is False
        assert client._trust_env is False  # no environment proxy to route around the guard
