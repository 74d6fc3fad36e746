"""Issue 21 items 4 and 5 in Chromium: the privacy page says "verified" for the user's
consent entries and for each run that used their data, in English and German, and axe
finds nothing on it."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Browser, expect

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.service import accounts, ledger, runs, sessions
from consentry.service.ledger_ports import CheckpointSigner
from tests.e2e.web.conftest import BROWSER_TIMEOUT_MS, DESKTOP, axe_violations, serve

pytestmark = pytest.mark.browser


def test_the_privacy_page_says_verified_R27(
    browser: Browser, sqlite_url: str, clock: TestClock
) -> None:
    core = build(Settings(database_url=sqlite_url), migrate=False, clock=clock)
    signer = CheckpointSigner("consentry.test/ledger", Ed25519PrivateKey.generate())
    signed = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, signer=signer))
    ctx = signed.ctx
    creds = accounts.sign_up(ctx, plan="free", training="on")
    chat = sessions.start_session(ctx, account_id=creds.account_id, kind="chat").session.id
    sessions.add_message(
        ctx, account_id=creds.account_id, session_id=chat, role="user", content="hi"
    )
    runs.create_run(ctx, purpose="model_training")  # signs a checkpoint with its manifest
    ledger.issue_checkpoint(ctx, signer=signer)
    try:
        with serve(signed) as url:
            for locale, entries, run_tag in (
                ("en-GB", "Your entry is in the signed record", "verified"),
                ("de-DE", "Ihr Eintrag ist im signierten Stand", "geprüft"),
            ):
                context = browser.new_context(viewport=DESKTOP, base_url=url, locale=locale)
                context.set_default_timeout(BROWSER_TIMEOUT_MS)
                page = context.new_page()
                try:
                    page.goto("/signin")
                    page.locator("#token").fill(creds.token)
                    page.locator("form[action='/signin'] button[type=submit]").click()
                    page.wait_for_url("**/sessions")
                    page.goto("/privacy")
                    expect(page.locator("#ledger-standing")).to_contain_text(entries)
                    expect(page.locator("#runs-used .run-verified")).to_have_text(run_tag)
                    assert axe_violations(page) == []
                finally:
                    context.close()
    finally:
        core.engine.dispose()
