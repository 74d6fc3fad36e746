"""Per-address limits on failed authentication and sign-ups (issue 17 item 4).

On the code before them, 500 wrong admin tokens in 1.7 s all answered 401 and sign-ups
were unlimited. Both stores: the limits sit in front of the store.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator

import pytest

from consentry.bootstrap import App
from consentry.entrypoints.api.app import create_app
from consentry.entrypoints.ratelimit import AUTH_WINDOW_S, AbuseGuards, SlidingWindow
from tests.e2e.api.conftest import ADMIN, expect

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ATTACKER = ("203.0.113.7", 40000)
OPERATOR = ("198.51.100.2", 40000)


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def time_() -> FakeTime:
    return FakeTime()


@pytest.fixture
def limited(core: App, time_: FakeTime) -> Iterator[tuple[TestClient, TestClient]]:
    """Two clients on one application, from two addresses, with a movable limiter clock."""
    app = create_app(core)
    app.state.guards = AbuseGuards(
        auth_failures=SlidingWindow(core.settings.auth_failures_per_minute, 60, clock=time_),
        signups=SlidingWindow(core.settings.signups_per_hour, 3600, clock=time_),
    )
    with TestClient(app, client=ATTACKER) as attacker, TestClient(app, client=OPERATOR) as admin:
        yield attacker, admin


def test_wrong_admin_tokens_are_refused_with_429_after_the_allowance(
    limited: tuple[TestClient, TestClient], time_: FakeTime
) -> None:
    attacker, operator = limited
    guess = {"Authorization": "Bearer " + "g" * 40}
    for _ in range(20):
        expect(attacker.post("/v1/admin/retention/sweep", headers=guess), 401, "unauthenticated")
    refused = attacker.post("/v1/admin/retention/sweep", headers=guess)
    expect(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # Even the right token is not looked at from an address over its allowance: a guess
    # that happened to be right must not be told apart from a wrong one.
    expect(attacker.post("/v1/admin/retention/sweep", headers=ADMIN), 429, "rate_limited")
    # The operator, from another address, is not affected at all.
    expect(operator.post("/v1/admin/retention/sweep", headers=ADMIN), 200)
    # Refused attempts are not counted: a minute after the last failure, the address is in.
    for _ in range(100):
        attacker.post("/v1/admin/retention/sweep", headers=guess)
    time_.now += AUTH_WINDOW_S
    expect(attacker.post("/v1/admin/retention/sweep", headers=ADMIN), 200)


def test_wrong_account_tokens_count_too(limited: tuple[TestClient, TestClient]) -> None:
    attacker, operator = limited
    guess = {"Authorization": "Bearer not-a-token"}
    for _ in range(20):
        expect(attacker.get("/v1/me/privacy", headers=guess), 401)
    expect(attacker.get("/v1/me/privacy", headers=guess), 429, "rate_limited")
    # A request without credentials is no guess; it is 401 and not counted.
    user = expect(operator.post("/v1/accounts", json={"plan": "team"}), 201)
    for _ in range(30):
        expect(operator.get("/v1/me/privacy"), 401)
    mine = {"Authorization": f"Bearer {user['token']}"}
    expect(operator.get("/v1/me/privacy", headers=mine), 200)


def test_sign_ups_per_address_are_limited(
    limited: tuple[TestClient, TestClient], time_: FakeTime
) -> None:
    attacker, operator = limited
    for _ in range(20):
        expect(attacker.post("/v1/accounts", json={"plan": "free", "training": "off"}), 201)
    refused = attacker.post("/v1/accounts", json={"plan": "free", "training": "off"})
    expect(refused, 429, "rate_limited")
    assert int(refused.headers["retry-after"]) > 60
    expect(operator.post("/v1/accounts", json={"plan": "free", "training": "off"}), 201)
    # Admin imports are the operator's and are not limited.
    expect(attacker.post("/v1/admin/accounts", json={"plan": "free"}, headers=ADMIN), 201)
    time_.now += 3600
    expect(attacker.post("/v1/accounts", json={"plan": "free", "training": "off"}), 201)


def test_the_limits_are_settings(core: App) -> None:
    """CONSENTRY_SIGNUPS_PER_HOUR=2 allows two; 0 turns a limit off."""
    strict = dataclasses.replace(core.settings, signups_per_hour=2, auth_failures_per_minute=0)
    with TestClient(create_app(dataclasses.replace(core, settings=strict))) as client:
        for _ in range(2):
            expect(client.post("/v1/accounts", json={"plan": "team"}), 201)
        expect(client.post("/v1/accounts", json={"plan": "team"}), 429, "rate_limited")
        wrong = {"Authorization": "Bearer " + "w" * 40}
        for _ in range(50):
            expect(client.post("/v1/admin/retention/sweep", headers=wrong), 401)


def test_the_sliding_window_forgets_the_least_recent_addresses() -> None:
    """Memory stays bounded under a spray of addresses."""
    clock = FakeTime()
    window = SlidingWindow(1, 60, max_keys=3, clock=clock)
    for address in ("a", "b", "c", "d"):
        window.hit(address)
    assert window.retry_after("a") is None  # forgotten
    assert window.retry_after("d") == pytest.approx(60)
    clock.now += 30
    assert window.retry_after("d") == pytest.approx(30)
