"""Issue 23 item 2 in a real browser: Global Privacy Control on the pages (docs/rules.md
P4, P5). The browser sends `Sec-GPC: 1` on every request, as one with GPC switched on does;
the policy here is `gpc = "opt_out"`."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from consentry.domain.policy import DEFAULT_POLICY, GpcMode, Policy
from consentry.service import accounts
from tests.e2e.web.conftest import BROWSER_TIMEOUT_MS, DESKTOP, Site, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def policy() -> Policy:
    return dataclasses.replace(DEFAULT_POLICY, gpc=GpcMode.OPT_OUT)


@pytest.fixture
def gpc_page(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(
        viewport=DESKTOP, base_url=site.url, locale="en-GB", extra_http_headers={"Sec-GPC": "1"}
    )
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def test_signup_toggle_starts_off_and_the_history_says_gpc_P4(gpc_page: Page) -> None:
    """P4: with GPC the sign-up form's choice starts at "Don't allow"; signing up with it
    records `off` with source `gpc`, shown in the consent history in words."""
    page = gpc_page
    page.goto("/signup")
    expect(page.locator("#training-off")).to_be_checked()
    expect(page.locator("#training-on")).not_to_be_checked()
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("link", name="Continue to your chats").click()
    page.goto("/privacy")
    row = page.locator("#history tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Did not allow model training")
    expect(row).to_contain_text("by your browser's Global Privacy Control")


def test_a_signed_in_user_with_training_on_is_opted_out_by_gpc_P5(
    gpc_page: Page, site: Site
) -> None:
    """P5: under `opt_out`, the first page a signed-in user with training on opens with
    GPC records the opt-out, and the privacy page shows it."""
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    sign_in(gpc_page, creds.token)
    gpc_page.goto("/privacy")
    expect(gpc_page.locator("#history tbody tr")).to_have_count(2)
    expect(gpc_page.locator("#history tbody tr").last).to_contain_text(
        "by your browser's Global Privacy Control"
    )
    assert accounts.get_privacy(site.core.ctx, account_id=creds.account_id).training == "off"
