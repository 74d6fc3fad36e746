"""The ZIP download on the privacy page, and its chats.html opened in real Chromium with
JavaScript off and every request blocked (issue 23 item 6, docs/rules.md P17-P18)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from playwright.sync_api import Browser, Page, Request, Route, expect

from consentry.service import accounts, sessions
from tests.e2e.web.conftest import DESKTOP, Site, axe_violations, shoot, sign_in

HOSTILE = '<img src="http://127.0.0.1:9/x.png" onerror="document.title=\'pwned\'"><b>bold?</b>'


def _file_only(route: Route) -> None:
    """Let the page itself load from the disk; abort anything else it asks for."""
    if route.request.url.startswith("file://"):
        route.continue_()
    else:
        route.abort()


def test_user_downloads_the_zip_and_reads_every_chat_offline_P7_P8(
    page: Page, site: Site, browser: Browser, tmp_path: Path
) -> None:
    """P17: the privacy page's ZIP button gives data.json, chats.html, receipts.json and
    README.txt; P18: chats.html shows every chat readably from the disk, with JavaScript
    off and no network, and markup in a message stays text."""
    ctx = site.core.ctx
    creds = accounts.sign_up(ctx, plan="pro", training="on")
    first = sessions.start_session(ctx, account_id=creds.account_id, kind="chat")
    sessions.add_message(
        ctx,
        account_id=creds.account_id,
        session_id=first.session.id,
        role="user",
        content="Plan a trip to Lisbon\nwith two lines",
    )
    second = sessions.start_session(ctx, account_id=creds.account_id, kind="code", surface="code")
    sessions.add_message(
        ctx, account_id=creds.account_id, session_id=second.session.id, role="user", content=HOSTILE
    )
    sign_in(page, creds.token)
    page.get_by_role("link", name="Privacy", exact=True).click()
    shoot(page, "privacy-export-zip")  # axe-clean with the new button (issue 18)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download my data (ZIP)").click()
    download = info.value
    assert download.suggested_filename == (
        f"consentry-export-{creds.account_id}-20250901T000000Z.zip"
    )
    archive = zipfile.ZipFile(download.path())
    assert archive.namelist() == ["README.txt", "data.json", "chats.html", "receipts.json"]
    document = json.loads(archive.read("data.json"))
    assert document["account"]["account_id"] == creds.account_id
    assert len(json.loads(archive.read("receipts.json"))) == 1  # the sign-up choice
    archive.extractall(tmp_path)

    offline = browser.new_context(java_script_enabled=False, viewport=DESKTOP, offline=True)
    requested: list[str] = []

    def record(request: Request) -> None:
        requested.append(request.url)

    offline.on("request", record)
    offline.route("**/*", _file_only)
    try:
        tab = offline.new_page()
        tab.goto((tmp_path / "chats.html").as_uri())
        expect(tab.get_by_role("heading", name="Your data from consentry")).to_be_visible()
        expect(tab.locator("section.session")).to_have_count(2)
        expect(tab.get_by_role("link", name="Consent history")).to_be_visible()
        lisbon = tab.locator("article.message", has_text="Plan a trip to Lisbon")
        expect(lisbon).to_be_visible()
        assert lisbon.locator(".text").inner_text() == "Plan a trip to Lisbon\nwith two lines"
        hostile = tab.locator("article.message", has_text="bold?")
        assert hostile.locator(".text").inner_text() == HOSTILE  # shown as text
        expect(tab.locator("img")).to_have_count(0)
        expect(tab.locator("b")).to_have_count(0)
        assert tab.title() != "pwned"
        # Only the file itself was loaded: no image, font, stylesheet or script.
        assert [u for u in requested if not u.startswith("file://")] == []
        assert len(requested) == 1
    finally:
        offline.close()

    # axe-core on the offline page (JavaScript on only for axe, network still blocked).
    checked = browser.new_context(viewport=DESKTOP)
    checked.route("**/*", _file_only)
    try:
        tab = checked.new_page()
        tab.goto((tmp_path / "chats.html").as_uri())
        assert axe_violations(tab) == []
    finally:
        checked.close()
