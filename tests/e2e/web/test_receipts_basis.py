"""The receipts page tells which periods were recorded (docs/rules.md P22, R27): a receipt
whose days were fixed when the choice was made shows them plainly; a receipt of an event
appended before events recorded their days shows today's policy's days and says so, in
English and German."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from consentry.bootstrap import App
from consentry.domain.types import ChoiceSource, EventType, Training
from consentry.entrypoints.api.app import create_app
from tests.e2e.web.test_security import csrf_of

MARK = {
    "en": "as today's policy states: this choice was recorded before receipts kept",
    "de": "nach der heutigen Richtlinie: diese Entscheidung wurde aufgezeichnet",
}


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as client:
        yield client


def _signed_in(client: TestClient) -> str:
    """A free account that chose `on` at sign-up, signed in on the pages; its id."""
    made = client.post("/v1/accounts", json={"plan": "free", "training": "on"})
    assert made.status_code == 201, made.text
    form = client.get("/signin")
    client.post("/signin", data={"csrf_token": csrf_of(form), "token": made.json()["token"]})
    return str(made.json()["account_id"])


def _append_old_style_event(app: App, account_id: str) -> None:
    """A choice appended as before P22: no `retention_days` in its entry."""
    with app.ctx.uow() as uow:
        uow.store.append_consent_event(
            account_id=account_id,
            at=app.ctx.clock.now(),
            type=EventType.CHOICE,
            value=Training.OFF,
            source=ChoiceSource.SETTINGS,
            terms_version=app.ctx.policy.terms[0].version,
        )
        uow.commit()


@pytest.mark.parametrize("language", ["en", "de"])
def test_only_an_unrecorded_period_is_marked_as_todays_P22_R27(
    app: App, client: TestClient, language: str
) -> None:
    """P22: of a recorded sign-up receipt and an older-style event's receipt, only the
    latter carries the words that its period is today's policy's, not a recorded one."""
    account_id = _signed_in(client)
    client.cookies.set("consentry_lang", language)
    page = client.get("/privacy/receipts")
    assert page.status_code == 200
    assert page.text.count('class="meta basis"') == 0
    _append_old_style_event(app, account_id)
    page = client.get("/privacy/receipts")
    rows = page.text.split("<tr>")[2:]  # after the header row
    assert len(rows) == 2
    assert [MARK[language] in row for row in rows] == [False, True]
