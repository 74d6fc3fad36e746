"""Issue 18, polish: errors where the user is looking, stored audits, wording."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from consentry.service import accounts
from tests.e2e.web.conftest import Site, sign_in

pytestmark = pytest.mark.browser


def test_an_empty_message_shows_an_error_beside_the_message_box(page: Page, site: Site) -> None:
    creds = accounts.sign_up(site.core.ctx, plan="free", training="off")
    sign_in(page, creds.token)
    page.get_by_role("button", name="Start").click()
    box = page.get_by_role("textbox", name="Message")
    box.fill("   ")  # passes the browser's `required`, and is still empty
    with page.expect_response("**/messages") as answer:
        page.get_by_role("button", name="Send").click()
    assert answer.value.status == 422
    expect(page.locator("#content-error")).to_have_text("Write a message first: it is empty.")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_be_focused()
    expect(page.locator("#messages")).to_contain_text("No messages yet.")
