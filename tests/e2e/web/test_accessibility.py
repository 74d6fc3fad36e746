"""Issue 18: axe-core finds no violation on any page, in every state a user meets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from consentry.service import accounts, retention, runs, sessions
from tests.e2e.web.conftest import ADMIN_TOKEN, Site, axe_violations, sign_in

pytestmark = pytest.mark.browser


class Audit:
    """Runs axe on each page visited and keeps every violation, to report them all."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.pages: list[str] = []
        self.problems: list[str] = []

    def check(self, name: str) -> None:
        self.pages.append(name)
        self.problems += [f"{name}: {v}" for v in axe_violations(self.page)]

    def visit(self, path: str, name: str | None = None) -> None:
        self.page.goto(path)
        self.check(name or path)


def test_every_page_has_no_axe_violations(page: Page, site: Site) -> None:
    ctx = site.core.ctx
    audit = Audit(page)
    audit.visit("/signin")
    audit.visit("/signup")
    page.get_by_label("Plan").select_option("free")
    page.evaluate("document.getElementById('signup-form').noValidate = true")
    page.get_by_role("button", name="Create account").click()
    audit.check("sign-up refused without a choice")
    page.get_by_label("Allow", exact=False).first.check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your account is ready")).to_be_visible()
    audit.check("welcome")

    creds = accounts.sign_up(ctx, plan="pro", training="on")
    chat = sessions.start_session(ctx, account_id=creds.account_id, kind="chat")
    sessions.add_message(
        ctx, account_id=creds.account_id, session_id=chat.session.id, role="user", content="hi"
    )
    run = runs.create_run(ctx, purpose="model_training")
    sign_in(page, creds.token)
    audit.check("sessions")
    audit.visit(f"/sessions/{chat.session.id}", "session")
    audit.visit(f"/sessions/{chat.session.id}/delete", "delete session")
    audit.visit("/privacy")
    audit.visit("/privacy/delete", "delete account")
    audit.visit("/no-such-page", "404")
    audit.visit("/terms", "terms summary")
    audit.visit("/privacy/policy", "policy facts")  # issue 23 (P3)
    audit.visit("/privacy/receipts", "receipts")

    sign_in(page, site.import_user())
    audit.check("notice modal")
    page.get_by_role("dialog").get_by_role("button", name="Not now").click()
    audit.check("deferred banner")
    audit.visit("/privacy", "privacy with a pending notice")
    page.get_by_role("button", name="Review the updated terms and choose").click()
    audit.check("notice reopened")
    audit.visit("/notice", "notice page")
    site.clock.set(datetime(2025, 10, 8, 1, tzinfo=UTC))
    audit.visit("/sessions", "blocked")

    page.get_by_role("button", name="Sign out").click()
    audit.visit("/admin/signin", "admin sign-in")
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in as admin").click()
    retention.sweep_expired(ctx)
    audit.check("admin")
    audit.visit(f"/admin/runs/{run.id}", "admin run")
    page.get_by_role("button", name="Audit now").click()
    audit.check("admin run audited")
    page.goto("/admin")
    page.get_by_role("button", name="Run a sweep now").click()
    audit.check("sweep results")

    assert len(audit.pages) >= 20
    assert audit.problems == [], "\n".join(audit.problems)
