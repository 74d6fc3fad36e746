"""Browser sessions live on the server (issue 17 item 3), over HTTP against the live server.

Each test here failed on the signed-cookie sessions they replace: the cookie carried the
account token, survived sign-out, and was signed with a key derived from the admin token.
"""

from __future__ import annotations

import base64
import dataclasses
import hmac
import json
import zlib
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from itsdangerous import BadSignature, URLSafeTimedSerializer

from consentry.domain.clock import TestClock
from consentry.entrypoints.api.app import create_app
from consentry.entrypoints.web.browser import COOKIE_NAME, BrowserSession, SessionCodec
from consentry.entrypoints.web.router import cookie_key
from consentry.service import accounts
from tests.conftest import BEFORE_DEADLINE
from tests.e2e.web.conftest import ADMIN_TOKEN, Site
from tests.e2e.web.test_security import csrf_of, signed_in


@pytest.fixture
def http(site: Site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, follow_redirects=False, timeout=10) as client:
        yield client


def fresh(site: Site) -> httpx.Client:
    return httpx.Client(base_url=site.url, follow_redirects=False, timeout=10)


def payload(cookie: str) -> dict[str, object]:
    """What an itsdangerous cookie says, read without its key (it is signed, not secret)."""
    compressed = cookie.startswith(".")
    body = cookie.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    data: dict[str, object] = json.loads(zlib.decompress(raw) if compressed else raw)
    return data


def test_a_copied_cookie_stops_working_after_sign_out(site: Site, http: httpx.Client) -> None:
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    csrf = signed_in(http, creds.token)
    copied = http.cookies[COOKIE_NAME]
    assert creds.token not in copied and creds.token not in json.dumps(payload(copied))
    out = http.post("/signout", data={"csrf_token": csrf})
    assert out.status_code == 303
    with fresh(site) as thief:
        thief.cookies.set(COOKIE_NAME, copied)
        answer = thief.get("/sessions")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/signin"


def test_an_anonymous_cookie_gives_nothing_to_test_admin_token_guesses_against(
    site: Site, http: httpx.Client
) -> None:
    """The old key was HMAC(admin token, a fixed text): one cookie from /signin let anyone
    check admin-token guesses offline. Now the key is the service's own, and the cookie
    carries neither a token nor a digest of one."""
    cookie = http.get("/signin").cookies[COOKIE_NAME]
    assert set(payload(cookie)) == {"csrf", "sid", "deferred", "flash"}
    old_key = hmac.new(ADMIN_TOKEN.encode(), b"consentry web session cookies", "sha256")
    for guess in (old_key.hexdigest(), ADMIN_TOKEN):
        with pytest.raises(BadSignature):
            URLSafeTimedSerializer(guess, salt="consentry.web.session").loads(cookie)
    assert ADMIN_TOKEN.encode() not in cookie_key(site.core, None)


def test_knowing_the_admin_token_does_not_forge_an_operator_cookie(
    site: Site, http: httpx.Client
) -> None:
    """Even with the cookie key itself, a cookie opens only a session the server made."""
    codec = SessionCodec(cookie_key(site.core, None), 3600)
    http.cookies.set(COOKIE_NAME, codec.dump(BrowserSession(csrf="x", sid="invented")))
    answer = http.get("/admin")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/signin"


def test_rotating_the_token_signs_every_browser_out(site: Site) -> None:
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    with fresh(site) as laptop, fresh(site) as phone:
        for browser in (laptop, phone):
            signed_in(browser, creds.token)
        old = {"Authorization": f"Bearer {creds.token}"}
        rotated = laptop.post("/v1/me/tokens/rotate", headers=old)
        assert rotated.status_code == 200
        body = rotated.json()
        assert body["account_id"] == creds.account_id and body["token"] != creds.token
        assert laptop.get("/v1/me/privacy", headers=old).status_code == 401
        new = {"Authorization": f"Bearer {body['token']}"}
        assert laptop.get("/v1/me/privacy", headers=new).status_code == 200
        for browser in (laptop, phone):
            assert browser.get("/sessions").headers["location"] == "/signin"
        form = phone.get("/signin")
        refused = phone.post("/signin", data={"csrf_token": csrf_of(form), "token": creds.token})
        assert refused.status_code == 401
        signed_in(phone, body["token"])


def test_idle_sessions_end_on_the_wall_clock_not_the_test_clock(site: Site) -> None:
    """30 minutes without a request signs out; moving the service's test clock does not."""
    wall = TestClock(BEFORE_DEADLINE)
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    with TestClient(create_app(site.core, session_clock=wall)) as client:
        form = client.get("/signin")
        client.post("/signin", data={"csrf_token": csrf_of(form), "token": creds.token})
        site.clock.set(site.clock.now() + timedelta(days=40))
        assert client.get("/sessions", follow_redirects=False).status_code == 200
        wall.set(wall.now() + timedelta(minutes=29))
        assert client.get("/sessions", follow_redirects=False).status_code == 200
        wall.set(wall.now() + timedelta(minutes=30))
        answer = client.get("/sessions", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/signin"


def test_an_operator_session_ends_when_the_admin_token_changes(site: Site) -> None:
    with TestClient(create_app(site.core)) as client:
        form = client.get("/admin/signin")
        signed = client.post(
            "/admin/signin",
            data={"csrf_token": csrf_of(form), "admin_token": ADMIN_TOKEN},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        assert client.get("/admin", follow_redirects=False).status_code == 200
        cookie = client.cookies[COOKIE_NAME]
    changed = dataclasses.replace(site.core.settings, admin_token="another-admin-token-" + "z" * 20)
    core = dataclasses.replace(site.core, settings=changed)
    with TestClient(create_app(core)) as client:
        client.cookies.set(COOKIE_NAME, cookie)
        answer = client.get("/admin", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/admin/signin"


def test_the_sign_in_forms_and_sign_up_form_are_rate_limited(site: Site) -> None:
    """Issue 17 item 4: the web forms share the API's per-address limits (429, Retry-After)."""
    strict = dataclasses.replace(site.core.settings, auth_failures_per_minute=3, signups_per_hour=2)
    with TestClient(create_app(dataclasses.replace(site.core, settings=strict))) as client:
        csrf = csrf_of(client.get("/signin"))
        for path, field in (("/signin", "token"), ("/admin/signin", "admin_token")):
            client.post(path, data={"csrf_token": csrf, field: "guess-" + "x" * 40})
        client.post("/signin", data={"csrf_token": csrf, "token": "guess"})
        for path, field, value in (
            ("/signin", "token", "guess"),
            ("/admin/signin", "admin_token", ADMIN_TOKEN),  # not even looked at
        ):
            refused = client.post(path, data={"csrf_token": csrf, field: value})
            assert refused.status_code == 429
            assert "rate_limited" in refused.text
            assert 1 <= int(refused.headers["retry-after"]) <= 60
        for _ in range(2):
            made = client.post("/signup", data={"csrf_token": csrf, "plan": "team"})
            assert made.status_code == 200
            csrf = csrf_of(made)
        refused = client.post("/signup", data={"csrf_token": csrf, "plan": "team"})
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 60


def test_a_copied_operator_cookie_stops_working_after_admin_sign_out(site: Site) -> None:
    with fresh(site) as operator:
        form = operator.get("/admin/signin")
        signed = operator.post(
            "/admin/signin", data={"csrf_token": csrf_of(form), "admin_token": ADMIN_TOKEN}
        )
        assert signed.status_code == 303
        assert operator.get("/admin").status_code == 200
        copied = operator.cookies[COOKIE_NAME]
        out = operator.post("/admin/signout", data={"csrf_token": csrf_of(operator.get("/admin"))})
        assert out.status_code == 303
    with fresh(site) as thief:
        thief.cookies.set(COOKIE_NAME, copied)
        answer = thief.get("/admin")
        assert answer.status_code == 303 and answer.headers["location"] == "/admin/signin"
