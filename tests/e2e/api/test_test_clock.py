"""The test clock endpoint and the admin token configuration."""

from __future__ import annotations

import dataclasses

from consentry.bootstrap import App
from consentry.domain.clock import SystemClock
from tests.e2e.api.conftest import ADMIN, AFTER_DEADLINE, Api, client_for, expect


def test_test_clock_moves_forward_and_the_rules_follow_R6(api: Api) -> None:
    user = api.import_account()
    body = {"now": AFTER_DEADLINE}
    moved = expect(api.client.post("/v1/admin/test-clock", json=body, headers=ADMIN), 200)
    assert moved == {"now": AFTER_DEADLINE}
    privacy = expect(api.client.get("/v1/me/privacy", headers=user.headers), 200)
    assert privacy["notice"]["can_defer"] is False
    naive = {"now": "2025-10-10T12:00:00"}
    moved = expect(api.client.post("/v1/admin/test-clock", json=naive, headers=ADMIN), 200)
    assert moved == {"now": "2025-10-10T12:00:00Z"}


def test_clock_backwards_refused_409(api: Api) -> None:
    api.set_clock("2025-09-10T00:00:00Z")
    body = {"now": "2025-09-09T00:00:00Z"}
    response = api.client.post("/v1/admin/test-clock", json=body, headers=ADMIN)
    expect(response, 409, "clock_backwards")
    expect(api.client.post("/v1/admin/test-clock", json={"now": "soon"}, headers=ADMIN), 422)


def test_test_clock_is_not_found_without_test_clock(core: App) -> None:
    real = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, clock=SystemClock()))
    with client_for(real) as client:
        body = {"now": "2030-01-01T00:00:00Z"}
        expect(client.post("/v1/admin/test-clock", json=body, headers=ADMIN), 404, "not_found")


def test_admin_paths_answer_401_without_a_configured_admin_token(app: App) -> None:
    assert app.settings.admin_token is None
    with client_for(app) as client:
        user = Api(client).signup()
        for headers in ({}, ADMIN, user.headers, {"Authorization": "Bearer "}):
            response = client.post("/v1/admin/retention/sweep", headers=headers)
            expect(response, 401, "unauthenticated")


def test_instants_out_of_range_are_validation_errors(api: Api) -> None:
    for now in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00", "1900-01-01T00:00:00Z"):
        response = api.client.post("/v1/admin/test-clock", json={"now": now}, headers=ADMIN)
        expect(response, 422, "validation_error")
    user = api.signup()
    sid = api.start_session(user)["session_id"]
    path = f"/v1/admin/sessions/{sid}/explain"
    response = api.client.get(path, params={"at": "9999-12-31T23:59:59Z"}, headers=ADMIN)
    expect(response, 422, "validation_error")
