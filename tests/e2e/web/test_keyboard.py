"""Keyboard and screen-reader basics of the notice dialog, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import Site, sign_in

pytestmark = pytest.mark.browser

FOCUS_IN_DIALOG = "() => !!document.activeElement.closest('[role=dialog]')"
FOCUSED = "() => document.activeElement.id || document.activeElement.textContent.trim()"
OUTLINE = "() => getComputedStyle(document.activeElement).outlineStyle"


def test_the_notice_dialog_is_labelled_takes_focus_and_keeps_it_on_tab(
    page: Page, site: Site
) -> None:
    sign_in(page, site.import_user())
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(dialog).to_have_accessible_name("Updates to our Consumer Terms and Privacy Policy")
    expect(page.locator("#page")).to_have_attribute("inert", "")  # the page behind is out of reach
    assert page.evaluate(FOCUS_IN_DIALOG), "focus did not move into the dialog"

    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_IN_DIALOG), f"Tab left the dialog after {seen}"
        assert page.evaluate(OUTLINE) != "none", "the focused control shows no focus ring"
        seen.append(page.evaluate(FOCUSED))
    assert {"notice-training", "notice-accept-button", "notice-defer-button"} <= set(seen)
    assert seen.count("notice-training") >= 3  # it cycled, more than once

    for _ in range(7):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(FOCUS_IN_DIALOG), "Shift+Tab left the dialog"

    # The toggle works from the keyboard, and Accept is reachable without a mouse.
    page.locator("#notice-training").focus()
    page.keyboard.press("Space")
    expect(dialog.get_by_role("switch")).not_to_be_checked()
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "notice-accept-button"
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("Model training is off")
    expect(page.locator("#page")).not_to_have_attribute("inert", "")
