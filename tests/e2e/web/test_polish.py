"""Issue 18, polish: errors where the user is looking, stored audits, wording."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.service import accounts, sessions
from tests.e2e.web.conftest import BROWSER_TIMEOUT_MS, DESKTOP, Site, serve, sign_in

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


def test_unknown_addresses_and_wrong_methods_answer_html_pages_for_browsers(
    page: Page, site: Site
) -> None:
    missing = page.goto("/no-such-page")
    assert missing is not None and missing.status == 404
    assert missing.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.locator("#error-code")).to_have_text("not_found")

    wrong = page.goto("/signout")  # a form's address, opened as a link
    assert wrong is not None and wrong.status == 405
    expect(page.get_by_role("heading", name="Not available this way")).to_be_visible()
    expect(page.locator("#error-code")).to_have_text("method_not_allowed")

    # The API keeps its JSON error shape, whatever the client accepts.
    api = page.request.get("/v1/no-such-thing", headers={"Accept": "text/html"})
    assert api.status == 404
    assert api.json() == {"error": {"code": "not_found", "message": "no such resource"}}


def test_the_test_clock_bar_shows_only_with_a_test_clock(browser: Browser, sqlite_url: str) -> None:
    """Issue 18: the bar is a testing aid; a real deployment's pages (the system clock) do
    not show it, as Chromium renders them: no landmark, no element, no words, on a page
    signed out and signed in."""
    core = build(Settings(database_url=sqlite_url), migrate=False)  # the system clock
    token = accounts.sign_up(core.ctx, plan="free", training="off").token
    try:
        with serve(core) as url:
            context = browser.new_context(viewport=DESKTOP, base_url=url, locale="en-GB")
            context.set_default_timeout(BROWSER_TIMEOUT_MS)
            page = context.new_page()
            try:
                page.goto("/signin")
                expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
                _no_clock_bar(page)
                sign_in(page, token)
                expect(page.get_by_role("heading", level=1)).to_be_visible()
                _no_clock_bar(page)
            finally:
                context.close()
    finally:
        core.engine.dispose()


def _no_clock_bar(page: Page) -> None:
    expect(page.get_by_role("complementary", name="Test clock")).to_have_count(0)
    expect(page.locator("#clock")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Test clock")


def test_the_test_clock_bar_is_a_labelled_landmark(page: Page, site: Site) -> None:
    page.goto("/signin")
    bar = page.get_by_role("complementary", name="Test clock")
    expect(bar.get_by_test_id("now")).to_have_text("1 Sep 2025, 00:00 UTC")


def test_chats_are_titled_by_their_first_words_and_history_reads_as_words(
    page: Page, site: Site
) -> None:
    ctx = site.core.ctx
    creds = accounts.sign_up(ctx, plan="free", training="on")
    chat = sessions.start_session(ctx, account_id=creds.account_id, kind="chat")
    for text in ("Please plan a trip to Lisbon for four days in May", "and a second one"):
        sessions.add_message(
            ctx, account_id=creds.account_id, session_id=chat.session.id, role="user", content=text
        )
    sessions.start_session(ctx, account_id=creds.account_id, kind="code")
    sign_in(page, creds.token)
    links = page.locator(".session-link")
    expect(links).to_have_text(["Empty coding session", "Please plan a trip to Lisbon for four…"])
    expect(page.locator("main")).not_to_contain_text(chat.session.id)
    meta = page.locator(f'[data-session-id="{chat.session.id}"] .meta time').first
    expect(meta).to_have_attribute("datetime", "2025-09-01T00:00:00Z")
    expect(meta).to_have_text("1 Sep 2025, 00:00 UTC")
    links.nth(1).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Please plan a trip to Lisbon for four…"
    )

    page.get_by_role("link", name="Privacy", exact=True).click()
    page.get_by_role("switch").uncheck()
    page.get_by_role("button", name="Save").click()
    rows = page.locator("#history tbody tr")
    expect(rows.nth(0)).to_contain_text("Allowed model training")
    expect(rows.nth(0)).to_contain_text("at sign-up")
    expect(rows.nth(1)).to_contain_text("Did not allow model training")
    expect(rows.nth(1)).to_contain_text("in privacy settings")
    expect(rows.nth(1).locator("time")).to_have_attribute("datetime", "2025-09-01T00:00:00Z")


def test_terms_summary_linked_from_every_page_and_receipts_from_privacy_R27(
    page: Page, site: Site
) -> None:
    page.goto("/signin")
    page.get_by_role("contentinfo").get_by_role("link", name="Terms summary").click()
    section = page.get_by_role("region", name="Version 2025-08-28 in force")
    expect(section).to_contain_text("kept for five years")
    expect(section.locator("time").first).to_have_attribute("datetime", "2025-08-28T00:00:00Z")

    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    sign_in(page, creds.token)
    page.get_by_role("link", name="Privacy", exact=True).click()
    page.get_by_role("switch").uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Your consent receipts").click()
    rows = page.locator("#receipts tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Consent given")
    expect(rows.nth(0)).to_contain_text("at sign-up")
    expect(rows.nth(0)).to_contain_text("5 years")
    expect(rows.nth(1)).to_contain_text("Consent withdrawn")
    expect(rows.nth(1)).to_contain_text("in privacy settings")
    expect(rows.nth(1)).to_contain_text("30 days")


def test_a_percent_sign_in_an_address_is_a_404_page_not_a_crash(page: Page, site: Site) -> None:
    """Error messages quote the address; text from data is never %-formatted."""
    creds = accounts.sign_up(site.core.ctx, plan="free", training="off")
    sign_in(page, creds.token)
    for path in ("/sessions/abc%25d", "/sessions/x%25(name)s/delete"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 404, path
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    page.goto("/sessions")
    page.get_by_role("button", name="Start").click()
    page.get_by_role("textbox", name="Message").fill("100% sure: %(x)s and %d")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("100% sure: %(x)s and %d")
    assert page.title() == "100% sure: %(x)s and %d · consentry"
