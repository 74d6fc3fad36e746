"""Issue 23 item 3 in a real browser: the public policy page (docs/rules.md P3)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from consentry.domain.policy import (
    DEFAULT_POLICY,
    GpcMode,
    JurisdictionPolicy,
    RuleSet,
    SignupPreset,
)
from tests.e2e.web.conftest import BROWSER_TIMEOUT_MS, DESKTOP, Site, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def german(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, base_url=site.url, locale="de-DE")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def test_policy_page_reached_from_the_footer_without_signing_in_P3(page: Page, site: Site) -> None:
    """P3: a visitor who is not signed in follows the footer link and reads the facts of
    `GET /v1/policy` in words; the page is accessible (axe) and links to the JSON."""
    page.goto("/signin")
    page.get_by_role("link", name="Privacy policy facts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy policy facts")
    retention = page.get_by_role("region", name="How long we keep your data")
    expect(
        retention.get_by_role("row", name="Chats when you allow model training")
    ).to_contain_text("5 years")
    expect(retention.get_by_role("row", name="Chats when you do not")).to_contain_text("30 days")
    before = page.get_by_role("region", name="Before training")
    expect(before.get_by_role("listitem").first).to_have_text("patterns")
    expect(page.locator("main, body").first).to_contain_text(site.core.ctx.policy.digest)
    assert axe_violations(page) == []
    page.get_by_role("link", name="These facts as JSON").click()
    expect(page.locator("body")).to_contain_text('"policy_digest"')


def test_policy_page_in_german_P3(german: Page, site: Site) -> None:
    """P3: the same page in German for a reader whose browser prefers it."""
    german.goto("/privacy/policy")
    expect(german.locator("html")).to_have_attribute("lang", "de")
    expect(german.get_by_role("heading", level=1)).to_have_text("Fakten zur Datenschutzrichtlinie")
    expect(
        german.get_by_role("region", name="Wie lange wir Ihre Daten aufbewahren")
    ).to_contain_text("5 Jahre")
    assert axe_violations(german) == []


def test_policy_page_shows_auto_delete_and_rules_by_region_P3_P12_P14(page: Page) -> None:
    """P3 (with P12, P14): the page lists the auto-delete periods offered with the one
    preselected, and each rule set with its regions; still accessible (axe)."""
    page.goto("/privacy/policy")
    periods = page.get_by_role("region", name="Auto-delete")
    expect(periods.get_by_role("listitem")).to_have_text(
        ["After 3 months", "After 18 months", "After 36 months", "Until I delete them"]
    )
    expect(periods).to_contain_text("Preselected until you choose: after 18 months.")
    regions = page.get_by_role("region", name="Rules by region")
    expect(regions.get_by_role("row", name="opt_in")).to_contain_text("CA-QC")
    expect(regions.get_by_role("row", name="seed")).to_contain_text("every other region")
    assert axe_violations(page) == []


SHORT = RuleSet("short", True, SignupPreset.NONE, GpcMode.RECORD, None, 365, 7)
REGIONAL = dataclasses.replace(
    DEFAULT_POLICY,
    jurisdictions=JurisdictionPolicy(
        rule_sets=(*DEFAULT_POLICY.jurisdictions.rule_sets, SHORT),
        regions=(("DE", "short"), ("FR", "opt_in")),
    ),
)


@pytest.mark.parametrize("policy", [REGIONAL])
def test_policy_page_shows_each_rule_sets_retention_P3_P21(page: Page, german: Page) -> None:
    """P3 with P21: the rules-by-region table states, for each rule set, how long chats
    are kept with training allowed and otherwise, in words: a rule set's own shorter
    days, the policy's for the others; in English and German; still accessible (axe)."""
    page.goto("/privacy/policy")
    regions = page.get_by_role("region", name="Rules by region")
    expect(
        regions.get_by_role("columnheader", name="Chats kept when you allow model training")
    ).to_be_visible()
    short = regions.get_by_role("row", name="short")
    expect(short.get_by_role("cell")).to_have_text(["DE", "on", "record", "1 year", "7 days"])
    expect(regions.get_by_role("row", name="opt_in").get_by_role("cell")).to_have_text(
        ["FR", "off", "opt_out", "5 years", "30 days"]
    )
    expect(regions).to_contain_text("never for more")
    assert axe_violations(page) == []
    german.goto("/privacy/policy")
    rules = german.get_by_role("region", name="Regeln nach Region")
    expect(rules.get_by_role("row", name="short").get_by_role("cell")).to_have_text(
        ["DE", "an", "record", "1 Jahr", "7 Tage"]
    )
    assert axe_violations(german) == []
