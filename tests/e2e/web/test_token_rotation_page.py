"""Replacing the account token from the privacy page (issue 17): the new token is shown
once, the old one is dead at once, every other browser is signed out and this one stays
in. Over HTTP against the live server, and once in Chromium."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page

from consentry.service import accounts
from tests.e2e.web.conftest import Site, axe_violations, sign_in
from tests.e2e.web.test_security import csrf_of, signed_in


def _shown_token(page: httpx.Response) -> str:
    match = re.search(r'<input id="new-token"[^>]*value="([^"]+)"', page.text)
    assert match, "the page shows no token"
    return match.group(1)


def _client(site: Site) -> httpx.Client:
    return httpx.Client(base_url=site.url, follow_redirects=False, timeout=10)


def test_the_privacy_page_replaces_the_token_and_signs_other_browsers_out(site: Site) -> None:
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    with _client(site) as laptop, _client(site) as phone:
        signed_in(phone, creds.token)
        signed_in(laptop, creds.token)
        privacy = laptop.get("/privacy")
        assert 'action="/privacy/token"' in privacy.text and 'id="rotate-token"' in privacy.text
        answer = laptop.post("/privacy/token", data={"csrf_token": csrf_of(privacy)})
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "no-store"
        new = _shown_token(answer)
        assert new != creds.token
        # The old token is dead at once (API and sign-in form); the new one works.
        old = {"Authorization": f"Bearer {creds.token}"}
        assert laptop.get("/v1/me/privacy", headers=old).status_code == 401
        fresh = {"Authorization": f"Bearer {new}"}
        assert laptop.get("/v1/me/privacy", headers=fresh).status_code == 200
        # The other browser is signed out; this one stays signed in.
        assert phone.get("/sessions").headers["location"] == "/signin"
        assert laptop.get("/sessions").status_code == 200
        # Shown once: no later page carries it.
        assert new not in laptop.get("/privacy").text
        form = phone.get("/signin")
        refused = phone.post("/signin", data={"csrf_token": csrf_of(form), "token": creds.token})
        assert refused.status_code == 401
        signed_in(phone, new)


def test_replacing_the_token_needs_the_forms_csrf_token(site: Site) -> None:
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    with _client(site) as browser:
        signed_in(browser, creds.token)
        refused = browser.post("/privacy/token", data={"csrf_token": "forged"})
        assert refused.status_code == 403
    assert accounts.authenticate(site.core.ctx, creds.token).id == creds.account_id


def test_replacing_the_token_in_chromium(page: Page, site: Site) -> None:
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    sign_in(page, creds.token)
    page.goto("/privacy")
    assert axe_violations(page) == []  # issue 18: the new section keeps the page clean
    page.get_by_role("button", name="Replace my account token").click()
    page.wait_for_url("**/privacy/token")
    assert axe_violations(page) == []
    new = page.get_by_test_id("token").input_value()
    assert new and new != creds.token
    assert accounts.authenticate(site.core.ctx, new).id == creds.account_id
    page.get_by_role("link", name="Back to privacy settings").click()
    page.wait_for_url("**/privacy")
