"""Choices count once and alike, whichever entry point made them (issue 20): the service
reports each committed choice and deferral to the metrics, so the web pages move the
same counters as the API routes. Before, only the API routes counted."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from consentry.bootstrap import App
from consentry.entrypoints.api.app import create_app
from consentry.service import accounts
from tests.e2e.web.test_security import csrf_of


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    with TestClient(create_app(app)) as client:
        yield client


def counter(client: TestClient, sample: str) -> float:
    """The value of one sample of /metrics (0 before it is first counted)."""
    text = client.get("/metrics").text
    match = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


SIGNUP_ON = 'consentry_choices_total{source="signup",value="on"}'
SETTINGS_OFF = 'consentry_choices_total{source="settings",value="off"}'
NOTICE_ON = 'consentry_choices_total{source="notice",value="on"}'
DEFERRALS = "consentry_notice_deferrals_total"


def test_choices_made_on_the_web_pages_are_counted_R3(client: TestClient) -> None:
    """R3/R8: sign-up and a change in privacy settings, both on the pages, each count once."""
    form = client.get("/signup")
    answer = client.post(
        "/signup", data={"csrf_token": csrf_of(form), "plan": "free", "training": "on"}
    )
    assert answer.status_code == 200
    assert counter(client, SIGNUP_ON) == 1
    csrf = csrf_of(client.get("/privacy"))
    changed = client.post("/privacy/training", data={"csrf_token": csrf}, follow_redirects=False)
    assert changed.status_code == 303  # the toggle left unticked: training off
    assert counter(client, SETTINGS_OFF) == 1
    assert counter(client, SIGNUP_ON) == 1  # counted once, not again by a route


def test_the_notice_answered_or_deferred_on_a_page_counts_like_the_api_R5_R6(
    app: App, client: TestClient
) -> None:
    """R5/R6: "Not now" and accepting on the notice count as the API's answers do."""
    token = accounts.import_account(app.ctx, plan="free").token  # choice unset: notice pending
    form = client.get("/signin")
    client.post("/signin", data={"csrf_token": csrf_of(form), "token": token})
    csrf = csrf_of(client.get("/privacy"))
    assert client.post("/notice/defer", data={"csrf_token": csrf}).status_code == 200
    assert counter(client, DEFERRALS) == 1
    client.post("/notice/accept", data={"csrf_token": csrf, "training": "on"})
    assert counter(client, NOTICE_ON) == 1
    other = accounts.import_account(app.ctx, plan="free").token
    headers = {"Authorization": f"Bearer {other}"}
    assert client.post("/v1/me/notice/defer", headers=headers).status_code == 200
    assert counter(client, DEFERRALS) == 2
    accepted = client.post("/v1/me/notice/accept", headers=headers, json={"training": "on"})
    assert accepted.status_code == 200
    assert counter(client, NOTICE_ON) == 2
