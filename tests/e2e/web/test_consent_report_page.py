"""The consent report page in real Chromium (issue 23 item 7, docs/rules.md P20): charts
drawn on the server as SVG, shown without JavaScript and without outside requests,
accessible (axe-core clean, every chart with a text alternative and its numbers)."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

from playwright.sync_api import Browser, Page, expect

from consentry.service import accounts, retention, runs, sessions
from tests.e2e.web.conftest import ADMIN_TOKEN, DESKTOP, Site, axe_violations, shoot

SVG = "{http://www.w3.org/2000/svg}"
CHARTS = ("opt-in-plan", "opt-in-surface", "opt-outs", "deferrals", "deletions", "sweeps", "runs")


def _history(site: Site) -> None:
    ctx = site.core.ctx
    on = accounts.sign_up(ctx, plan="free", training="on")
    accounts.sign_up(ctx, plan="pro", training="off")
    imported = accounts.import_account(ctx, plan="max")
    accounts.defer_notice(ctx, account_id=imported.account_id)
    chat = sessions.start_session(ctx, account_id=on.account_id, kind="chat")
    sessions.add_message(
        ctx, account_id=on.account_id, session_id=chat.session.id, role="user", content="hi"
    )
    accounts.record_choice(ctx, account_id=on.account_id, training="off")
    retention.sweep_expired(ctx)
    runs.create_run(ctx, purpose="model_training")


def _admin(page: Page) -> None:
    page.goto("/admin/signin")
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in as admin").click()
    expect(page.get_by_role("heading", name="Admin", exact=True)).to_be_visible()


def test_admin_reads_the_consent_report_with_server_drawn_charts_P10(
    page: Page, site: Site
) -> None:
    """P20: from the admin page to the report; seven charts as SVG images with a title,
    a description and a text alternative, the numbers beside them, axe clean; the
    fixture fails the test if the page fetched anything outside 127.0.0.1."""
    _history(site)
    _admin(page)
    page.get_by_role("link", name="Consent report").click()
    expect(page.get_by_role("heading", name="Consent report", exact=True)).to_be_visible()
    expect(page.locator("#notice-pending")).to_have_text("1")
    expect(page.locator("#notice-deferred")).to_have_text("1")
    expect(page.locator("#report-window")).to_contain_text("(UTC)")
    expect(page.locator("#notice-deadline")).to_contain_text("days left")
    for key in CHARTS:
        image = page.locator(f"#chart-{key}")
        expect(image).to_be_visible()
        alt = image.get_attribute("alt") or ""
        src = image.get_attribute("src") or ""
        assert src.startswith("data:image/svg+xml;base64,")
        svg = ET.fromstring(base64.b64decode(src.split(",", 1)[1]))
        assert svg.get("role") == "img"
        title, desc = svg[0], svg[1]
        assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc")
        assert alt == f"{title.text}: {desc.text}"
        assert not list(svg.iter(f"{SVG}script"))  # no JavaScript in the chart
        # The image really rendered (a broken image has no natural width).
        assert image.evaluate("img => img.complete && img.naturalWidth > 0") is True
    page.locator("#chart-opt-in-plan-title").scroll_into_view_if_needed()
    page.get_by_text("The numbers").first.click()
    expect(page.locator("table.data").first).to_contain_text("free")
    shoot(page, "admin-consent-report")  # axe-core and labelled controls (issue 18)


def test_report_page_works_with_javascript_off_P10(browser: Browser, site: Site) -> None:
    """P20: no JavaScript is needed: the charts render as images in a browser with it off;
    the week bucket is a plain form."""
    _history(site)
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP, base_url=site.url)
    try:
        tab = context.new_page()
        _admin(tab)
        tab.goto("/admin/reports/consent")
        tab.get_by_label("Group by").select_option("week")
        tab.get_by_role("button", name="Show").click()
        expect(tab).to_have_url(f"{site.url}/admin/reports/consent?bucket=week")
        for key in CHARTS:
            size = tab.locator(f"#chart-{key}").bounding_box()
            assert size is not None and size["width"] > 100
    finally:
        context.close()


def test_report_page_speaks_german_P20(browser: Browser, site: Site) -> None:
    """P20 with issue 18: the page, the charts' titles and text alternatives in German."""
    _history(site)
    context = browser.new_context(viewport=DESKTOP, base_url=site.url, locale="de-DE")
    try:
        tab = context.new_page()
        tab.goto("/admin/signin")
        tab.locator("#admin_token").fill(ADMIN_TOKEN)
        tab.get_by_role("button", name="Als Verwaltung anmelden").click()
        expect(tab.get_by_role("heading", name="Verwaltung", exact=True)).to_be_visible()
        tab.goto("/admin/reports/consent?bucket=week")
        expect(tab.get_by_role("heading", name="Einwilligungsbericht")).to_be_visible()
        expect(tab.locator("#report-window")).to_contain_text("(UTC)")
        alt = tab.locator("#chart-opt-in-plan").get_attribute("alt") or ""
        assert alt.startswith("Zustimmungsrate") and "pro Woche" in alt
    finally:
        context.close()


def test_report_page_is_for_operators_only_P10(page: Page, site: Site) -> None:
    """P20: without the admin sign-in the page redirects to it."""
    page.goto("/admin/reports/consent")
    expect(page).to_have_url(f"{site.url}/admin/signin")
    assert axe_violations(page) == []
