"""Issue 18, "false statements": what the pages say about a user's data is what the rules
decide, checked in Chromium against the service's own answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from consentry.domain.policy import DEFAULT_POLICY, Policy, TermsVersion
from consentry.service import accounts, retention, runs, sessions
from tests.e2e.web.conftest import Site, sign_in

pytestmark = pytest.mark.browser

V2 = TermsVersion(
    "2026-03-01",
    datetime(2026, 3, 1, tzinfo=UTC),
    datetime(2026, 4, 1, tzinfo=UTC),
    summary="We updated the consumer terms. Your training choice stays as it is.",
)
AFTER_V2 = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture
def policy() -> Policy:
    """The default policy plus a second terms version published in 2026 (R6)."""
    return replace(DEFAULT_POLICY, terms=(*DEFAULT_POLICY.terms, V2))


def chat(site: Site, account_id: str, text: str) -> str:
    view = sessions.start_session(site.core.ctx, account_id=account_id, kind="chat")
    sessions.add_message(
        site.core.ctx, account_id=account_id, session_id=view.session.id, role="user", content=text
    )
    return view.session.id


def advance(site: Site, by: timedelta) -> None:
    site.clock.set(site.clock.now() + by)


def label(page: Page, session_id: str) -> str:
    item = page.locator(f'[data-session-id="{session_id}"] [data-testid="training-use"]')
    return " ".join(item.inner_text().split())


def test_session_labels_follow_eligibility_now_after_opting_out_R20_R21(
    page: Page, site: Site
) -> None:
    """False statement 1: after turning training off, no chat says "may be used"."""
    ctx = site.core.ctx
    user = accounts.sign_up(ctx, plan="free", training="on")
    in_run = chat(site, user.account_id, "this one goes into a run")
    advance(site, timedelta(minutes=5))
    run = runs.create_run(ctx, purpose="model_training")
    runs.start_run(ctx, run_id=run.id)
    advance(site, timedelta(minutes=5))
    later = chat(site, user.account_id, "this one comes after the run")

    sign_in(page, user.token)
    assert label(page, later) == "may be used in future training runs"
    assert label(page, in_run) == (
        f"used in run {run.id} (model training, started 1 Sep 2025, 00:05 UTC) "
        "may be used in future training runs"
    )

    page.get_by_role("link", name="Privacy", exact=True).click()
    page.get_by_role("switch").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Model training is now off")
    page.get_by_role("link", name="Chats", exact=True).click()

    for session_id in (in_run, later):
        expect(page.locator(f'[data-session-id="{session_id}"]')).not_to_contain_text("may be")
    # The page agrees with explain (R26) and with a run created now (R20).
    for session_id in (in_run, later):
        assert not runs.explain(ctx, session_id=session_id, purpose="model_training").eligible
    assert label(page, later) == "not used for training"
    assert label(page, in_run) == (
        f"used in run {run.id} (model training, started 1 Sep 2025, 00:05 UTC)"
    )
    page.goto(f"/sessions/{later}")
    expect(page.get_by_test_id("training-use")).to_have_text("not used for training")
    fresh = runs.create_run(ctx, purpose="model_training")
    assert runs.get_manifest(ctx, run_id=fresh.id).sessions == []


def test_new_terms_notice_keeps_an_opted_out_users_choice_R5(page: Page, site: Site) -> None:
    """False statement 2: Accept without touching the toggle keeps training off."""
    ctx = site.core.ctx
    user = accounts.sign_up(ctx, plan="pro", training="off")
    site.clock.set(AFTER_V2)
    sign_in(page, user.token)
    dialog = page.get_by_role("dialog", name="Updates to our Consumer Terms and Privacy Policy")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("switch")).not_to_be_checked()
    dialog.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    privacy = accounts.privacy_view(ctx, accounts.authenticate(ctx, user.token))
    assert privacy.training.value == "off"
    assert privacy.terms_version_accepted == "2026-03-01"


def test_notice_pending_gives_settings_one_control_that_opens_the_notice_R5(
    page: Page, site: Site
) -> None:
    """False statement 3: no second switch while the notice is pending; one button opens it,
    and once reopened it can be dismissed (button and Escape) until the deadline (R6)."""
    sign_in(page, site.import_user())
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Not now").click()
    expect(page.get_by_role("status")).to_have_text(  # no raw ISO instant (issue 18)
        "Not now — noted. Please choose by 8 Oct 2025, 00:00 UTC."
    )
    page.get_by_role("link", name="Privacy", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_role("switch")).to_have_count(0)  # the only switch is in the notice
    state = page.locator("#training-state")
    expect(state).to_contain_text("waiting for your answer to the updated terms")
    expect(state).to_contain_text("Please choose by 8 Oct 2025")

    opener = page.get_by_role("button", name="Review the updated terms and choose")
    opener.click()
    expect(dialog).to_be_visible()
    expect(page.get_by_role("switch")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    opener.click()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    opener.click()
    dialog.get_by_role("switch").uncheck()
    dialog.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text("Model training is off")
    expect(page.locator("#training-state")).to_contain_text("Model training is off")
    expect(page.get_by_role("switch")).to_have_count(1)  # now the settings toggle


def test_delete_confirmation_names_purge_date_runs_and_holds_R14_R16_R21(
    page: Page, site: Site
) -> None:
    """False statement 4: "it no longer appears anywhere" is not what happens."""
    ctx = site.core.ctx
    user = accounts.sign_up(ctx, plan="free", training="on")
    kept = chat(site, user.account_id, "in a started run")
    held = chat(site, user.account_id, "flagged by a classifier")
    advance(site, timedelta(hours=1))
    run = runs.create_run(ctx, purpose="model_training")
    runs.start_run(ctx, run_id=run.id)
    advance(site, timedelta(hours=1))  # now 1 Sep 2025, 02:00 UTC
    plain = chat(site, user.account_id, "after the run")
    retention.place_hold(ctx, session_id=held, kind="safety")
    sign_in(page, user.token)

    page.goto(f"/sessions/{kept}/delete")
    outlook = page.locator("#delete-outlook")
    expect(outlook).to_contain_text("Its content is purged by 1 Oct 2025, 02:00 UTC")
    expect(outlook).to_contain_text(f"Run {run.id} (model training, started 1 Sep 2025, 01:00")
    expect(outlook.locator("time").first).to_have_attribute("datetime", "2025-10-01T02:00:00Z")
    page.get_by_role("button", name="Delete permanently").click()
    expect(page.get_by_role("status")).to_contain_text(f"It stays in run {run.id}")
    expect(page.get_by_role("status")).not_to_contain_text("no longer appears anywhere")
    assert runs.get_manifest(ctx, run_id=run.id).sessions.count(kept) == 1

    page.goto(f"/sessions/{held}/delete")
    expect(outlook).to_contain_text("A safety hold keeps its content until 1 Sep 2027, 02:00 UTC")
    page.get_by_role("button", name="Delete permanently").click()
    expect(page.get_by_role("status")).to_contain_text("A safety hold keeps its content")

    page.goto(f"/sessions/{plain}/delete")
    expect(page.locator("#delete-purge")).to_have_text(
        "Its content is purged by 1 Oct 2025, 02:00 UTC."
    )
    expect(page.locator("#delete-runs")).to_have_text("It is in no training run.")
