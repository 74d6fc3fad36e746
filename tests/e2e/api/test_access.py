"""Access control for every route: no token 401, an account token on an admin path 403,
another account's resource 404 (never 403), and the table below covers every route."""

from __future__ import annotations

from typing import Any

import pytest

from consentry.bootstrap import App
from consentry.entrypoints.api.app import create_app
from tests.e2e.api.conftest import ADMIN, Api, expect

Route = tuple[str, str, dict[str, Any] | None]

USER_ROUTES: list[Route] = [
    ("GET", "/v1/me/privacy", None),
    ("PUT", "/v1/me/privacy", {"training": "on"}),
    ("PUT", "/v1/me/privacy/auto-delete", {"months": 18}),  # docs/rules.md P12
    ("POST", "/v1/me/notice/accept", {"training": "on"}),
    ("POST", "/v1/me/notice/defer", None),
    ("GET", "/v1/me/consent-history", None),
    ("GET", "/v1/me/consent-receipts", None),
    ("POST", "/v1/me/sessions", {"kind": "chat"}),
    ("GET", "/v1/me/sessions", None),
    ("GET", "/v1/me/sessions/{session_id}", None),
    ("POST", "/v1/me/sessions/{session_id}/messages", {"role": "user", "content": "x"}),
    ("DELETE", "/v1/me/sessions/{session_id}", None),
    (
        "POST",
        "/v1/me/sessions/{session_id}/feedback",
        {"message_id": "{message_id}", "rating": "up"},
    ),
    ("GET", "/v1/me/training-runs", None),
    ("GET", "/v1/me/export", None),
    ("GET", "/v1/me/training-runs/{run_id}/proof", None),
    ("POST", "/v1/me/tokens/rotate", None),  # issue 17
    ("DELETE", "/v1/me", None),
]

ADMIN_ROUTES: list[Route] = [
    ("POST", "/v1/admin/accounts", {"plan": "free"}),
    ("POST", "/v1/admin/training-runs", {"purpose": "model_training"}),
    ("GET", "/v1/admin/training-runs", None),
    ("GET", "/v1/admin/training-runs/{run_id}", None),
    ("GET", "/v1/admin/training-runs/{run_id}/manifest", None),
    ("POST", "/v1/admin/training-runs/{run_id}/start", None),
    ("GET", "/v1/admin/training-runs/{run_id}/audit", None),
    ("POST", "/v1/admin/training-runs/{run_id}/audit", None),
    ("POST", "/v1/admin/training-runs/{run_id}/export", {"format": "jsonl"}),
    ("GET", "/v1/admin/training-runs/{run_id}/summary", None),  # docs/rules.md P7
    ("GET", "/v1/admin/reports/consent", None),  # docs/rules.md P19
    ("POST", "/v1/admin/retention/sweep", None),
    ("POST", "/v1/admin/holds", {"session_id": "{session_id}", "kind": "legal"}),
    ("DELETE", "/v1/admin/holds/{hold_id}", None),
    ("GET", "/v1/admin/sessions/{session_id}/explain", None),
    ("GET", "/v1/admin/ledger/verify", None),
    ("GET", "/v1/admin/ledger/checkpoints", None),
    ("POST", "/v1/admin/test-clock", {"now": "2030-01-01T00:00:00Z"}),
    # The change feed and webhooks (consentry.entrypoints.api.outbox), mounted by create_app.
    ("GET", "/v1/admin/events", None),
    ("POST", "/v1/admin/webhooks", {"url": "https://hooks.example.com/consentry"}),
    ("GET", "/v1/admin/webhooks", None),
    ("DELETE", "/v1/admin/webhooks/{endpoint_id}", None),
    ("GET", "/v1/admin/webhooks/{endpoint_id}/deliveries", None),
    ("POST", "/v1/admin/webhooks/{endpoint_id}/secret", None),  # secret rotation
    # Service tokens for the assistant's backend (issue 17 item 7).
    ("POST", "/v1/admin/service-tokens", {"name": "backend"}),
    ("GET", "/v1/admin/service-tokens", None),
    ("DELETE", "/v1/admin/service-tokens/{token_id}", None),
]

# Paths only a service token opens (issue 17 item 7).
SERVICE_ROUTES: list[Route] = [
    (
        "POST",
        "/v1/service/accounts/{account_id}/sessions/{session_id}/messages",
        {"role": "assistant", "content": "x"},
    ),
]

PUBLIC_ROUTES = {
    ("POST", "/v1/accounts"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/v1/ledger/checkpoint"),  # issue 21: anyone may check the ledger
    ("GET", "/v1/ledger/consistency"),
    ("GET", "/v1/policy"),  # issue 23: the public policy facts (docs/rules.md P1, P2)
    ("GET", "/v1/policy/schema"),
    ("GET", "/.well-known/gpc.json"),  # issue 23: Global Privacy Control (P6)
}

OTHER_ACCOUNTS = [r for r in USER_ROUTES if "{session_id}" in r[1]]


def _fill(text: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        text = text.replace("{" + name + "}", value)
    return text


def _request(api: Api, route: Route, headers: dict[str, str], ids: dict[str, str]) -> Any:
    method, path, body = route
    json = {k: _fill(v, ids) if isinstance(v, str) else v for k, v in (body or {}).items()}
    return api.client.request(method, _fill(path, ids), json=json or None, headers=headers)


FAKE_IDS = {
    "session_id": "ses_x",
    "run_id": "run_x",
    "hold_id": "hld_x",
    "message_id": "msg_x",
    "endpoint_id": "whk_x",
    "token_id": "svc_x",
    "account_id": "acc_x",
}


def test_route_table_covers_every_served_route(core: App) -> None:
    document = create_app(core).openapi()
    served = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    table = {(m, p) for m, p, _ in USER_ROUTES + ADMIN_ROUTES + SERVICE_ROUTES}
    assert served - PUBLIC_ROUTES <= table, served - PUBLIC_ROUTES - table
    assert {(m, p) for m, p, _ in USER_ROUTES + ADMIN_ROUTES + SERVICE_ROUTES} <= served


@pytest.mark.parametrize("route", SERVICE_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_service_route_needs_a_service_token(api: Api, route: Route) -> None:
    """Issue 17 item 7: no token or a wrong one 401, the admin token 401 (it is not a
    service credential), an account token 403 (known, not allowed)."""
    user = api.signup()
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, ADMIN):
        expect(_request(api, route, headers, FAKE_IDS), 401, "unauthenticated")
    expect(_request(api, route, user.headers, FAKE_IDS), 403, "forbidden")
    expect(_request(api, route, api.service_headers(), FAKE_IDS), 404, "not_found")


@pytest.mark.parametrize("route", USER_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_user_route_needs_a_live_account_token(api: Api, route: Route) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        expect(_request(api, route, headers, FAKE_IDS), 401, "unauthenticated")
    expect(_request(api, route, ADMIN, FAKE_IDS), 401, "unauthenticated")


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_admin_route_needs_the_admin_token(api: Api, route: Route) -> None:
    user = api.signup()
    for headers in ({}, {"Authorization": "Bearer not-the-admin-token"}):
        expect(_request(api, route, headers, FAKE_IDS), 401, "unauthenticated")
    expect(_request(api, route, user.headers, FAKE_IDS), 403, "forbidden")
    assert _request(api, route, ADMIN, FAKE_IDS).status_code < 500


@pytest.mark.parametrize("route", OTHER_ACCOUNTS, ids=lambda r: f"{r[0]} {r[1]}")
def test_another_accounts_session_is_not_found(api: Api, route: Route) -> None:
    owner, intruder = api.signup(), api.signup()
    sid = api.start_session(owner)["session_id"]
    mid = api.message(owner, sid, "a", role="assistant")["message_id"]
    ids = {"session_id": sid, "message_id": mid}
    expect(_request(api, route, intruder.headers, ids), 404, "not_found")
    detail = expect(api.client.get(f"/v1/me/sessions/{sid}", headers=owner.headers), 200)
    assert len(detail["messages"]) == 1  # untouched by the intruder
