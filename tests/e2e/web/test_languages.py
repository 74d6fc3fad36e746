"""Issue 18: English and German pages from gettext catalogues (Babel). Accept-Language
picks the default, a chooser on every page overrides it, dates follow the language,
and the notice reads in both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from consentry.service import accounts, runs
from tests.e2e.web.conftest import (
    ADMIN_TOKEN,
    BROWSER_TIMEOUT_MS,
    DESKTOP,
    Site,
    axe_violations,
    shoot,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def german(browser: Browser, site: Site) -> Iterator[Page]:
    """A browser whose user prefers German (Accept-Language: de-DE)."""
    context = browser.new_context(viewport=DESKTOP, base_url=site.url, locale="de-DE")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def test_accept_language_german_shows_the_notice_in_german(german: Page, site: Site) -> None:
    page = german
    page.goto("/signin")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    page.get_by_label("Konto-Token").fill(site.import_user())
    page.get_by_role("button", name="Anmelden", exact=True).click()

    dialog = page.get_by_role(
        "dialog", name="Aktualisierungen unserer Verbraucherbedingungen und Datenschutzrichtlinie"
    )
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Wir haben die Verbraucherbedingungen")
    expect(dialog).to_contain_text("Bitte entscheiden Sie bis 8. Okt. 2025, 00:00 UTC")
    expect(dialog.locator("time")).to_have_attribute("datetime", "2025-10-08T00:00:00Z")
    expect(dialog).to_contain_text("5 Jahre (1825 Tage)")
    assert axe_violations(page) == []
    dialog.get_by_role("button", name="Jetzt nicht").click()
    expect(page.get_by_role("status")).to_have_text(
        "„Jetzt nicht“ – notiert. Bitte entscheiden Sie bis 8. Okt. 2025, 00:00 UTC."
    )
    page.get_by_role("link", name="Datenschutz", exact=True).click()
    expect(page.get_by_role("heading", name="Datenschutzeinstellungen")).to_be_visible()
    expect(page.locator("#history tbody tr")).to_contain_text("„Jetzt nicht“ gewählt")
    assert axe_violations(page) == []


def test_the_language_chooser_overrides_accept_language(page: Page, site: Site) -> None:
    creds = accounts.sign_up(site.core.ctx, plan="free", training="off")
    sign_in(page, creds.token)
    expect(page.get_by_role("heading", name="Your chats and coding sessions")).to_be_visible()
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change language").click()
    expect(page).to_have_url(site.url + "/sessions")
    expect(page.get_by_role("heading", name="Ihre Chats und Coding-Sitzungen")).to_be_visible()
    page.get_by_role("button", name="Beginnen").click()
    expect(page.get_by_test_id("training-use")).to_have_text("nicht für das Training verwendet")
    expect(page.locator("#session-meta")).to_contain_text("begonnen 1. Sept. 2025, 00:00 UTC")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "de")  # remembered
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Sprache ändern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Empty chat")


def test_an_unknown_language_is_refused(page: Page, site: Site) -> None:
    page.goto("/signin")
    page.evaluate(
        "() => { const o = document.createElement('option'); o.value = 'xx'; o.text = 'xx';"
        " document.getElementById('language').add(o); }"
    )
    page.get_by_label("Language").select_option("xx")
    with page.expect_response("**/language") as answer:
        page.get_by_role("button", name="Change language").click()
    assert answer.value.status == 422
    expect(page.locator("#error-code")).to_have_text("validation_error")


def test_german_walk_through_with_screenshots(german: Page, site: Site) -> None:
    """The README's German screenshots: sign-up, the notice, privacy settings, a chat,
    the delete confirmation and the admin run page, each checked by axe on the way."""
    page = german
    ctx = site.core.ctx
    page.goto("/signup")
    expect(page.get_by_role("heading", name="Legen Sie Ihr Konto an")).to_be_visible()
    shoot(page, "de-signup")

    page.goto("/signin")
    page.get_by_label("Konto-Token").fill(site.import_user())
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    shoot(page, "de-notice-modal")
    page.get_by_role("dialog").get_by_role("button", name="Akzeptieren").click()
    expect(page.get_by_role("status")).to_contain_text("Modelltraining ist an")

    page.get_by_role("button", name="Beginnen").click()
    page.get_by_role("textbox", name="Nachricht").fill("Bitte plane eine Reise nach Lissabon")
    page.get_by_role("button", name="Senden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bitte plane eine Reise nach Lissabon"
    )
    expect(page.get_by_test_id("training-use")).to_have_text(
        "darf in künftigen Trainingsläufen verwendet werden"
    )
    shoot(page, "de-chat")
    run = runs.create_run(ctx, purpose="model_training")
    runs.start_run(ctx, run_id=run.id)
    page.get_by_role("link", name="Diese Sitzung löschen …").click()
    expect(page.locator("#delete-runs")).to_contain_text(f"Lauf {run.id}")
    expect(page.locator("#delete-purge")).to_have_text(
        "Ihr Inhalt wird bis 1. Okt. 2025, 00:00 UTC endgültig gelöscht."
    )
    shoot(page, "de-delete-session-confirm")

    page.get_by_role("link", name="Datenschutz", exact=True).click()
    expect(page.locator("#runs-used")).to_contain_text("Modelltraining")
    shoot(page, "de-privacy-settings")

    page.goto("/admin/signin")
    page.get_by_label("Verwaltungs-Token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Als Verwaltung anmelden").click()
    page.goto(f"/admin/runs/{run.id}")
    page.get_by_role("button", name="Jetzt prüfen").click()
    expect(page.locator("#audit-result")).to_contain_text("in Ordnung")
    expect(page.locator("#run-status")).to_have_text("gestartet")
    shoot(page, "de-admin-run")


def test_errors_on_german_pages_are_in_german(german: Page, site: Site) -> None:
    """Issue 18: a refusal or an error page shows its code's sentence in German, never the
    API's English message (which the JSON keeps)."""
    page = german
    page.goto("/signup")
    with page.expect_navigation():  # form.submit() skips the page's own check (R4)
        page.evaluate("() => document.querySelector('form[action=\"/signup\"]').submit()")
    refusal = page.locator("#form-error")
    expect(refusal).to_contain_text("Bitte wählen Sie zuerst, ob Ihre Chats")
    expect(refusal).not_to_contain_text("consumer plans must choose")
    assert axe_violations(page) == []

    page.goto("/signin")
    page.get_by_label("Konto-Token").fill(
        accounts.sign_up(site.core.ctx, plan="free", training="off").token
    )
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.wait_for_url("**/sessions")
    answer = page.goto("/sessions/ses_does_not_exist")
    assert answer is not None and answer.status == 404
    expect(page.locator("#error-message")).to_have_text(
        "Das haben wir nicht gefunden. Vielleicht wurde es gelöscht, oder der Link ist falsch."
    )
    expect(page.locator("#error-code")).to_have_text("not_found")
    expect(page.locator("body")).not_to_contain_text("no session")
    assert axe_violations(page) == []
