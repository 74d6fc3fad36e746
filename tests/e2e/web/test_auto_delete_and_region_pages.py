"""Issue 23 items 1 and 8 in a real browser (Chromium): the sign-up form's region field
and the privacy page's auto-delete control (docs/rules.md P12, P13, P16), used with the
keyboard, checked by axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from consentry.service import accounts
from tests.e2e.web.conftest import Site, axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_signup_records_the_typed_region_and_the_privacy_page_shows_it_P16(
    page: Page, site: Site
) -> None:
    """P16: the region typed at sign-up (any case) is checked, kept on the account and
    shown on the privacy page by its ISO 3166 name; the form passes axe."""
    page.goto("/signup")
    assert axe_violations(page) == []
    page.get_by_label("Country or region (optional)").fill("ca-qc")
    page.get_by_label("Allow", exact=False).first.check()
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("link", name="Continue to your chats").click()
    page.goto("/privacy")
    expect(page.locator("#region-state")).to_contain_text("Quebec (CA-QC)")


def test_a_region_iso_3166_does_not_list_is_refused_on_the_form_P16(page: Page) -> None:
    """P16: an unknown code re-asks with the reason, keeping what was typed; axe clean."""
    page.goto("/signup")
    page.get_by_label("Country or region (optional)").fill("XX")
    page.get_by_label("Allow", exact=False).first.check()
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#form-error")).to_contain_text("ISO 3166")
    expect(page.get_by_label("Country or region (optional)")).to_have_value("XX")
    assert axe_violations(page) == []


def test_auto_delete_is_chosen_with_the_keyboard_and_recorded_P12_P13(
    page: Page, site: Site
) -> None:
    """P12: the control starts at the policy's preset (18 months) before any choice; a
    choice made with the keyboard is saved, spelled out, and appears in the consent
    history; P13: the account's retention is capped from then on. axe finds nothing."""
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on", region="DE")
    sign_in(page, creds.token)
    page.goto("/privacy")
    expect(page.locator("#auto-delete-18")).to_be_checked()
    expect(page.locator("#auto-delete-state")).to_contain_text("have not chosen")
    assert axe_violations(page) == []
    page.locator("#auto-delete-18").focus()
    page.keyboard.press("ArrowUp")  # radio group: to "After 3 months"
    expect(page.locator("#auto-delete-3")).to_be_checked()
    page.keyboard.press("Tab")  # out of the radio group, to the form's button
    expect(page.get_by_role("button", name="Set auto-delete period")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("3 months")
    expect(page.locator("#auto-delete-state")).to_contain_text("3 months")
    expect(page.locator("#auto-delete-3")).to_be_checked()
    expect(page.locator("#history tbody tr").last).to_contain_text("auto-delete after 3 months")
    view = accounts.get_privacy(site.core.ctx, account_id=creds.account_id)
    assert view.auto_delete is not None and view.auto_delete.months == 3
    page.get_by_label("Until I delete them").check()
    page.get_by_role("button", name="Set auto-delete period").click()
    expect(page.locator("#auto-delete-state")).to_contain_text("until you delete it")
    assert axe_violations(page) == []
