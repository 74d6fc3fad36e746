"""Full journeys in Chromium, each asserting what the page says (SPEC §3 "Web pages")."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from consentry.service import accounts, runs, sessions
from tests.e2e.web.conftest import ADMIN_TOKEN, Site, shoot, sign_in

pytestmark = pytest.mark.browser

AFTER_DEADLINE = datetime(2025, 10, 8, 0, 0, 1, tzinfo=UTC)


def test_new_user_signs_up_with_a_choice_and_signs_in_again_with_the_token(
    page: Page, site: Site
) -> None:
    """R4: the choice is asked at sign-up with what each answer means for retention."""
    page.goto("/signup")
    expect(page.get_by_test_id("now")).to_have_text("1 Sep 2025, 00:00 UTC")
    expect(page.get_by_test_id("deadline")).to_have_text("8 Oct 2025, 00:00 UTC")
    choice = page.get_by_role("group", name=re.compile("Model training"))
    expect(choice).to_contain_text("kept for 5 years (1825 days)")
    expect(choice).to_contain_text("kept for 30 days and never used for model training")
    page.get_by_label("Plan").select_option("team")
    expect(choice).to_be_hidden()  # commercial plans have no choice (R2)
    page.get_by_label("Plan").select_option("pro")
    expect(choice).to_be_visible()
    shoot(page, "signup")

    page.get_by_role("button", name="Create account").click()
    # The browser itself asks for the choice first (the server refuses too: test_security).
    assert page.evaluate("document.getElementById('training-on').validity.valueMissing")
    expect(page.locator("#form-error")).to_have_count(0)

    page.get_by_label(re.compile("^Don't allow")).check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your account is ready")).to_be_visible()
    expect(page.locator("#welcome-choice")).to_have_text(
        "Model training: off — new and resumed sessions are kept for 30 days."
    )
    token = page.get_by_test_id("token").input_value()
    assert len(token) > 30
    shoot(page, "welcome-token")

    page.get_by_role("link", name="Continue to your chats").click()
    expect(page.get_by_role("heading", name="Your chats and coding sessions")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)  # chose at sign-up: no notice
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    shoot(page, "signin")

    page.get_by_label("Account token").fill("not-a-token")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    sign_in(page, token)
    page.get_by_role("link", name="Privacy", exact=True).click()
    expect(page.locator("#training-state")).to_contain_text("Model training is off")
    expect(page.locator("#history tbody tr")).to_have_count(1)
    expect(page.locator("#history tbody tr").first).to_contain_text("at sign-up")


def test_imported_user_defers_is_blocked_after_the_deadline_then_accepts_off_and_chats(
    page: Page, site: Site
) -> None:
    """R5 notice with the preset toggle, R6 "Not now" until the deadline, R7 blocked after."""
    sign_in(page, site.import_user())
    dialog = page.get_by_role("dialog", name="Updates to our Consumer Terms and Privacy Policy")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("kept for five years")  # the terms summary from the policy
    expect(dialog).to_contain_text("Please make your choice by 8 Oct 2025")
    expect(dialog.get_by_role("switch")).to_be_checked()  # preset: notice_default_training
    expect(dialog.get_by_role("button", name="Not now")).to_be_visible()
    shoot(page, "notice-modal")

    dialog.get_by_role("button", name="Not now").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#deferred-banner")).to_contain_text("Decision pending")
    expect(page.get_by_role("status")).to_contain_text("Not now — noted")
    expect(page.get_by_role("button", name="Start")).to_be_enabled()  # not blocked yet
    shoot(page, "notice-deferred-banner")

    site.clock.set(AFTER_DEADLINE)
    page.reload()
    expect(page.get_by_test_id("now")).to_have_text("8 Oct 2025, 00:00 UTC")
    # Issue 18: a blocked account sees one explanation and the choice, not a nag on load.
    expect(dialog).to_be_hidden()
    expect(page.locator("#blocked-explanation")).to_contain_text(
        "You can't start chats or add messages right now"
    )
    expect(page.get_by_role("button", name="Start")).to_be_disabled()
    shoot(page, "sessions-blocked")
    page.get_by_role("link", name="Choose now").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("has passed")
    expect(dialog.get_by_role("button", name="Not now")).to_have_count(0)
    shoot(page, "notice-after-deadline")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name="Choose now").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # after the deadline the dialog can be closed, not deferred
    expect(dialog).to_be_hidden()

    # R7: settings stay usable while blocked; the notice is the one place to choose.
    page.get_by_role("link", name="Privacy", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#training-state")).to_contain_text("has passed")
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Not now")

    page.get_by_role("button", name="Review the updated terms and choose").click()
    dialog.get_by_role("switch").uncheck()
    dialog.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("Model training is off")

    page.get_by_role("link", name="Chats", exact=True).click()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("textbox", name="Message").fill("Hello after choosing")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#messages")).to_contain_text("Hello after choosing")
    expect(page.locator("#session-meta")).to_contain_text("not used for training")
    shoot(page, "chat")

    page.get_by_role("link", name="Privacy", exact=True).click()
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text("Did not allow model training")
    expect(history.nth(1)).to_contain_text("notice")


def test_user_changes_the_setting_and_sees_the_history_and_the_runs_that_used_it(
    page: Page, site: Site
) -> None:
    """R8: changeable any time with the consequence spelled out; R3 history; R21 runs."""
    creds = accounts.sign_up(site.core.ctx, plan="free", training="off")
    sign_in(page, creds.token)
    page.get_by_role("link", name="Privacy", exact=True).click()
    expect(page.locator("#training-state")).to_contain_text("Model training is off")
    help_text = page.locator("#settings-training-help")
    expect(help_text).to_contain_text("kept for 5 years (1825 days)")
    expect(help_text).to_contain_text("for new and resumed sessions only")
    expect(page.locator("#runs-none")).to_be_visible()

    page.get_by_role("switch").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved. Model training is now on.")
    expect(page.locator("#training-state")).to_contain_text(
        "Model training is on. New and resumed sessions are kept for 5 years"
    )
    rows = page.locator("#history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("at sign-up")
    expect(rows.nth(1)).to_contain_text("settings")
    expect(rows.nth(1)).to_contain_text("Allowed model training")

    view = sessions.start_session(site.core.ctx, account_id=creds.account_id, kind="chat")
    sessions.add_message(
        site.core.ctx,
        account_id=creds.account_id,
        session_id=view.session.id,
        role="user",
        content="please learn from this",
    )
    run = runs.create_run(site.core.ctx, purpose="model_training")
    page.reload()
    expect(page.locator("#runs-used")).to_contain_text(run.id)
    expect(page.locator("#runs-used")).to_contain_text("Model training")
    expect(page.locator("#runs-used")).to_contain_text("not started yet")
    shoot(page, "privacy-settings")


def test_user_deletes_a_chat_after_confirming_and_it_is_gone(page: Page, site: Site) -> None:
    """R14: deleted at once from the history and every read."""
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    sign_in(page, creds.token)
    page.get_by_label("Kind").select_option("code")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", name="Empty coding session")).to_be_visible()
    kept = page.url.rsplit("/", 1)[1]
    page.get_by_role("link", name="All sessions").click()
    page.get_by_label("Incognito").check()
    page.get_by_role("button", name="Start").click()
    doomed = page.url.rsplit("/", 1)[1]
    page.get_by_role("textbox", name="Message").fill("delete me")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#session-meta")).to_contain_text("incognito")
    page.get_by_role("link", name="All sessions").click()
    items = page.locator(".session-item")
    expect(items).to_have_count(2)
    shoot(page, "sessions")

    doomed_item = page.locator(f'[data-session-id="{doomed}"]')
    doomed_item.get_by_role("link", name=re.compile("^Delete ")).click()
    expect(page.get_by_role("heading", name="Delete this chat?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 message")
    shoot(page, "delete-session-confirm")
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(f"/sessions/{doomed}$"))
    page.get_by_role("link", name="Delete this session…").click()
    page.get_by_role("button", name="Delete permanently").click()

    expect(page.get_by_role("status")).to_contain_text("The session was deleted")
    expect(items).to_have_count(1)
    expect(page.locator(f'[data-session-id="{kept}"]')).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(doomed)
    response = page.goto(f"/sessions/{doomed}")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.locator("#error-code")).to_have_text("not_found")
    shoot(page, "error-not-found")


def test_user_downloads_their_export_as_json(page: Page, site: Site) -> None:
    """R28: everything held about the user in one machine-readable document."""
    creds = accounts.sign_up(site.core.ctx, plan="max", training="on")
    sign_in(page, creds.token)
    page.get_by_role("button", name="Start").click()
    page.get_by_role("textbox", name="Message").fill("export me, please")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#messages")).to_contain_text("export me, please")
    page.get_by_role("link", name="Privacy", exact=True).click()

    with page.expect_download() as info:
        page.get_by_role("button", name="Download my data (JSON)").click()
    download = info.value
    assert download.suggested_filename == (
        f"consentry-export-{creds.account_id}-20250901T000000Z.json"
    )
    document = json.loads(download.path().read_text(encoding="utf-8"))
    assert document["account"]["account_id"] == creds.account_id
    assert document["account"]["plan"] == "max"
    assert document["privacy"]["training"] == "on"
    assert [e["source"] for e in document["consent_history"]] == ["signup"]
    [session] = document["sessions"]
    assert [m["content"] for m in session["messages"]] == ["export me, please"]
    assert session["covered"] is True
    assert document["training_runs"] == []


def test_user_deletes_their_account_after_confirming(page: Page, site: Site) -> None:
    """R15: everything deleted, the token dead afterwards."""
    creds = accounts.sign_up(site.core.ctx, plan="free", training="on")
    sign_in(page, creds.token)
    page.get_by_role("link", name="Privacy", exact=True).click()
    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", name="Delete your account?")).to_be_visible()
    shoot(page, "delete-account-confirm")
    page.get_by_label("I understand that my account and all its data will be deleted").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Your account was deleted")).to_be_visible()
    expect(page.get_by_role("link", name="Privacy", exact=True)).to_have_count(0)  # signed out
    shoot(page, "account-deleted")
    page.goto("/signin")
    page.get_by_label("Account token").fill(creds.token)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")


def test_admin_creates_and_starts_a_run_sees_the_counts_and_sweeps(page: Page, site: Site) -> None:
    """R20 counts, R26 audit, R17 sweep, R27 ledger status — behind the admin token."""
    ctx = site.core.ctx
    on = accounts.sign_up(ctx, plan="pro", training="on")
    off = accounts.sign_up(ctx, plan="free", training="off")
    chat = sessions.start_session(ctx, account_id=on.account_id, kind="chat")
    for text in ("first", "second"):
        sessions.add_message(
            ctx, account_id=on.account_id, session_id=chat.session.id, role="user", content=text
        )
    short = sessions.start_session(ctx, account_id=off.account_id, kind="chat")
    sessions.add_message(
        ctx, account_id=off.account_id, session_id=short.session.id, role="user", content="bye"
    )

    page.goto("/admin")
    expect(page).to_have_url(re.compile("/admin/signin$"))
    shoot(page, "admin-signin")
    page.get_by_label("Admin token").fill(on.token)  # an account token is not the admin token
    page.get_by_role("button", name="Sign in as admin").click()
    expect(page.get_by_role("alert")).to_have_text("That is not the admin token.")
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in as admin").click()
    expect(page.get_by_role("heading", name="Admin", exact=True)).to_be_visible()
    # Issue 18: nothing is verified or audited while a page loads; results are stored.
    expect(page.locator("#ledger-status")).to_have_text("Not verified yet.")
    page.get_by_role("button", name="Verify the ledger now").click()
    expect(page.locator("#ledger-status")).to_contain_text(
        "The hash chain of 2 events was intact when checked on 1 Sep 2025, 00:00 UTC"
    )
    expect(page.locator("#no-runs")).to_be_visible()

    page.get_by_label("Purpose").select_option("model_training")
    page.get_by_role("button", name="Create run").click()
    expect(page.get_by_role("status")).to_contain_text("1 sessions, 2 messages, 0 feedback")
    expect(page.locator("#run-sessions")).to_have_text("1")
    expect(page.locator("#run-messages")).to_have_text("2")
    expect(page.locator("#run-status")).to_have_text("created")
    page.get_by_role("button", name="Audit now").click()
    expect(page.locator("#audit-result")).to_contain_text("ok")
    expect(page.locator("#audit-when")).to_contain_text("Audited 1 Sep 2025, 00:00 UTC")
    page.get_by_role("button", name="Start run").click()
    expect(page.locator("#run-status")).to_have_text("started")
    shoot(page, "admin-run")

    page.get_by_role("link", name="← Admin").click()
    row = page.locator("#runs tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator('[data-col="sessions"]')).to_have_text("1")
    expect(row.locator('[data-col="messages"]')).to_have_text("2")
    expect(row.locator('[data-col="audit"]')).to_have_text("ok 1 Sep 2025, 00:00 UTC")
    expect(row).to_contain_text("started")

    site.clock.set(datetime(2025, 9, 1, tzinfo=UTC) + timedelta(days=31))
    page.reload()
    # The stored result, with the instant it ran: not recomputed on load.
    expect(row.locator('[data-col="audit"]')).to_have_text("ok 1 Sep 2025, 00:00 UTC")
    shoot(page, "admin")
    page.get_by_role("button", name="Run a sweep now").click()
    expect(page.get_by_role("heading", name="Sweep results")).to_be_visible()
    expect(page.locator("#purged-sessions")).to_have_text("1")  # the 30-day chat (R12)
    expect(page.locator("#purged-messages")).to_have_text("1")
    shoot(page, "admin-sweep")
