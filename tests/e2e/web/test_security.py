"""Cookies, CSRF and ownership, checked over plain HTTP against the live server (no browser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from consentry.entrypoints.web.browser import COOKIE_NAME
from consentry.entrypoints.web.router import build_router
from consentry.service import accounts, runs, sessions
from tests.e2e.web.conftest import ADMIN_TOKEN, Site

AFTER_DEADLINE = datetime(2025, 10, 8, 0, 0, 1, tzinfo=UTC)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(response: httpx.Response) -> str:
    match = CSRF.search(response.text)
    assert match, "the page carries no CSRF token"
    return match.group(1)


@pytest.fixture
def http(site: Site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, follow_redirects=False, timeout=10) as client:
        yield client


def signed_in(client: httpx.Client, token: str) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    form = client.get("/signin")
    answer = client.post("/signin", data={"csrf_token": csrf_of(form), "token": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sessions"
    return csrf_of(client.get("/privacy"))


def test_every_form_refuses_a_post_without_a_valid_csrf_token(
    site: Site, http: httpx.Client
) -> None:
    ctx = site.core.ctx
    creds = accounts.import_account(ctx, plan="free")
    chat = sessions.start_session(ctx, account_id=creds.account_id, kind="chat")
    run = runs.create_run(ctx, purpose="model_training")
    good = signed_in(http, creds.token)
    http.post("/admin/signin", data={"csrf_token": good, "admin_token": ADMIN_TOKEN})
    ids = {"session_id": chat.session.id, "run_id": run.id}
    posts = [
        route.path.format(**ids)
        for route in build_router(site.core).routes
        if "POST" in getattr(route, "methods", set())
    ]
    assert len(posts) >= 15
    for path in posts:
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
            answer = http.post(path, data={**data, "training": "on", "confirm": "yes"})
            assert answer.status_code == 403, path
            assert "text/html" in answer.headers["content-type"]
            assert "csrf_failed" in answer.text
    # Nothing happened: still signed in, choice unset, the chat there, the run not started.
    assert accounts.get_privacy(ctx, account_id=creds.account_id).training.value == "unset"
    assert sessions.get_session(ctx, account_id=creds.account_id, session_id=chat.session.id)
    assert runs.get_run(ctx, run_id=run.id).status.value == "created"
    assert http.get("/sessions").status_code == 200


def test_a_user_cannot_reach_another_users_session(site: Site, http: httpx.Client) -> None:
    """Another account's session answers 404, never 403 (SPEC §3), for reads and writes."""
    ctx = site.core.ctx
    owner = accounts.sign_up(ctx, plan="free", training="on")
    other = accounts.sign_up(ctx, plan="free", training="on")
    chat = sessions.start_session(ctx, account_id=owner.account_id, kind="chat")
    sessions.add_message(
        ctx, account_id=owner.account_id, session_id=chat.session.id, role="user", content="mine"
    )
    csrf = signed_in(http, other.token)
    sid = chat.session.id
    for answer in (
        http.get(f"/sessions/{sid}"),
        http.get(f"/sessions/{sid}/delete"),
        http.post(f"/sessions/{sid}/messages", data={"csrf_token": csrf, "content": "x"}),
        http.post(f"/sessions/{sid}/delete", data={"csrf_token": csrf}),
    ):
        assert answer.status_code == 404
        assert "text/html" in answer.headers["content-type"]
        assert "mine" not in answer.text
    assert sid not in http.get("/sessions").text
    view = sessions.get_session(ctx, account_id=owner.account_id, session_id=sid)
    assert [m.content for m in view.messages] == ["mine"]


def test_the_session_cookie_is_signed_httponly_and_samesite_lax(
    site: Site, http: httpx.Client
) -> None:
    creds = accounts.sign_up(site.core.ctx, plan="free", training="off")
    form = http.get("/signin")
    header = form.headers["set-cookie"]
    assert header.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in header
    assert "SameSite=lax" in header
    signed_in(http, creds.token)
    assert http.get("/sessions").status_code == 200
    value = http.cookies[COOKIE_NAME]
    http.cookies.set(COOKIE_NAME, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    answer = http.get("/sessions")  # a tampered cookie is a fresh, signed-out session
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin"


def test_a_deleted_accounts_cookie_signs_out(site: Site, http: httpx.Client) -> None:
    """R15: the token dies with the account, and so does the browser session holding it."""
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    signed_in(http, creds.token)
    accounts.delete_account(site.core.ctx, account_id=creds.account_id)
    answer = http.get("/privacy")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin"
    assert "no longer valid" in http.get("/signin").text


def test_signup_without_a_choice_is_refused_for_consumer_plans_only(
    site: Site, http: httpx.Client
) -> None:
    """R4, even when the browser's own check is bypassed; R2: commercial plans have none."""
    csrf = csrf_of(http.get("/signup"))
    refused = http.post("/signup", data={"csrf_token": csrf, "plan": "free"})
    assert refused.status_code == 422
    assert "Please choose first whether your chats may be used" in refused.text  # issue 18
    assert 'value="free" data-scope="consumer" selected' in refused.text
    welcome = http.post("/signup", data={"csrf_token": csrf, "plan": "team"})
    assert welcome.status_code == 200
    assert "Your account is ready" in welcome.text
    assert "Model training: <strong>not applicable</strong>" in welcome.text


def test_service_errors_render_html_pages_with_their_code_and_status(
    site: Site, http: httpx.Client
) -> None:
    creds = accounts.import_account(site.core.ctx, plan="free")
    csrf = signed_in(http, creds.token)
    site.clock.set(AFTER_DEADLINE)
    late = http.post("/notice/defer", data={"csrf_token": csrf})
    assert late.status_code == 409  # R6
    assert "deadline_passed" in late.text
    assert "text/html" in late.headers["content-type"]
    blocked = http.post("/sessions", data={"csrf_token": csrf, "kind": "chat"})
    assert blocked.status_code == 403  # R7
    assert "choice_required" in blocked.text
    assert "A choice is needed first" in blocked.text
    # R7: taking one's data and leaving still work while blocked.
    export = http.post("/privacy/export", data={"csrf_token": csrf})
    assert export.status_code == 200
    assert export.headers["content-disposition"].startswith("attachment; filename=")
    assert export.json()["privacy"]["blocked"] is True
    gone = http.post("/privacy/delete", data={"csrf_token": csrf, "confirm": "yes"})
    assert gone.status_code == 200
    assert "Your account was deleted" in gone.text
    assert http.get("/privacy").headers["location"] == "/signin"


def test_admin_pages_need_the_admin_token(site: Site, http: httpx.Client) -> None:
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    csrf = signed_in(http, creds.token)
    for answer in (
        http.get("/admin"),
        http.post("/admin/runs", data={"csrf_token": csrf, "purpose": "model_training"}),
        http.post("/admin/sweep", data={"csrf_token": csrf}),
    ):
        assert answer.status_code == 303
        assert answer.headers["location"] == "/admin/signin"
    refused = http.post("/admin/signin", data={"csrf_token": csrf, "admin_token": creds.token})
    assert refused.status_code == 401
    assert runs.list_runs(site.core.ctx) == []


def test_pages_send_security_headers_and_are_not_cached(site: Site, http: httpx.Client) -> None:
    page = http.get("/signin")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "http://" not in page.text.replace(site.url, "")
    assert "https://" not in page.text
    css = http.get("/static/web/app.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert http.get("/static/web/app.py").status_code == 404
    assert http.get("/").headers["location"] == "/signin"


def test_workers_of_one_deployment_sign_cookies_alike(site: Site) -> None:
    """Several uvicorn workers build their own routers; a cookie from one works on all."""
    from consentry.entrypoints.web.browser import BrowserSession, SessionCodec
    from consentry.entrypoints.web.router import cookie_key

    key = cookie_key(site.core, None)
    assert key == cookie_key(site.core, None)
    assert ADMIN_TOKEN.encode() not in key
    cookie = SessionCodec(key, 60).dump(BrowserSession(csrf="abc", sid="s"))
    assert SessionCodec(cookie_key(site.core, None), 60).load(cookie).sid == "s"
    assert SessionCodec("another key", 60).load(cookie).sid is None


def test_a_configured_web_secret_signs_the_cookies(site: Site) -> None:
    """CONSENTRY_WEB_SECRET: the pages accept cookies signed with it, and only those."""
    import dataclasses

    from fastapi.testclient import TestClient

    from consentry.entrypoints.api.app import create_app
    from consentry.entrypoints.web.browser import BrowserSession, SessionCodec

    secret = "w" * 40
    settings = dataclasses.replace(site.core.settings, web_secret=secret)
    core = dataclasses.replace(site.core, settings=settings)
    planted = "planted-csrf-token-0123456789"
    with TestClient(create_app(core)) as client:
        for key, accepted in ((secret.encode(), True), (site_key(site), False)):
            cookie = SessionCodec(key, 60).dump(BrowserSession(csrf=planted))
            client.cookies.set(COOKIE_NAME, cookie)
            page = client.get("/signin")
            assert page.status_code == 200
            assert (f'value="{planted}"' in page.text) is accepted, key
            client.cookies.clear()


def site_key(site: Site) -> bytes:
    """The key the pages use without a web secret (a sub-key of the service's secret key)."""
    from consentry.entrypoints.web.router import cookie_key

    return cookie_key(site.core, None)


def test_an_admin_without_an_account_sees_admin_sign_out_not_sign_up(
    site: Site, http: httpx.Client
) -> None:
    form = http.get("/admin/signin")
    answer = http.post(
        "/admin/signin", data={"csrf_token": csrf_of(form), "admin_token": ADMIN_TOKEN}
    )
    assert answer.status_code == 303
    page = http.get("/admin").text
    nav = page[page.index("<nav") : page.index("</nav>")]
    assert 'action="/admin/signout"' in nav and "Sign out (admin)" in nav
    assert 'href="/signup"' not in nav and 'href="/signin"' not in nav
    signed_out = http.post("/admin/signout", data={"csrf_token": csrf_of(http.get("/admin"))})
    assert signed_out.status_code == 303
    nav_after = http.get("/signin").text
    assert 'href="/signup"' in nav_after[nav_after.index("<nav") : nav_after.index("</nav>")]
