"""The error shape, limits, request ids, health, metrics and the OpenAPI document."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from consentry.bootstrap import App
from consentry.domain.errors import NotApplicable
from consentry.entrypoints.api.app import create_app
from tests.e2e.api.conftest import ADMIN, Api, TestClient, expect

SPEC_ROUTES = {
    ("POST", "/v1/accounts"),
    ("POST", "/v1/admin/accounts"),
    ("GET", "/v1/me/privacy"),
    ("PUT", "/v1/me/privacy"),
    ("POST", "/v1/me/notice/accept"),
    ("POST", "/v1/me/notice/defer"),
    ("GET", "/v1/me/consent-history"),
    ("POST", "/v1/me/sessions"),
    ("GET", "/v1/me/sessions"),
    ("GET", "/v1/me/sessions/{session_id}"),
    ("POST", "/v1/me/sessions/{session_id}/messages"),
    ("DELETE", "/v1/me/sessions/{session_id}"),
    ("POST", "/v1/me/sessions/{session_id}/feedback"),
    ("GET", "/v1/me/training-runs"),
    ("GET", "/v1/me/export"),
    ("DELETE", "/v1/me"),
    ("POST", "/v1/admin/training-runs"),
    ("GET", "/v1/admin/training-runs/{run_id}/manifest"),
    ("POST", "/v1/admin/training-runs/{run_id}/start"),
    ("POST", "/v1/admin/retention/sweep"),
    ("POST", "/v1/admin/holds"),
    ("DELETE", "/v1/admin/holds/{hold_id}"),
    ("GET", "/v1/admin/sessions/{session_id}/explain"),
    ("GET", "/v1/admin/ledger/verify"),
    ("POST", "/v1/admin/test-clock"),
    ("GET", "/healthz"),
    ("GET", "/metrics"),
}


def test_openapi_document_serves_every_route_of_the_spec_table(client: TestClient) -> None:
    document = expect(client.get("/openapi.json"), 200)
    served = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert served >= SPEC_ROUTES, SPEC_ROUTES - served


def _assert_error_shape(body: object, code: str) -> None:
    assert isinstance(body, dict)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]


def test_every_error_has_the_one_shape(api: Api) -> None:
    c = api.client
    cases = [
        (c.get("/v1/me/privacy"), 401, "unauthenticated"),
        (c.get("/v1/nowhere"), 404, "not_found"),
        (c.put("/healthz"), 405, "method_not_allowed"),
        (
            c.post(
                "/v1/accounts", content=b"{not json", headers={"content-type": "application/json"}
            ),
            422,
            "validation_error",
        ),
        (c.post("/v1/accounts", json={"plan": "free"}), 422, "choice_required"),
        (
            c.post("/v1/admin/training-runs", json={"purpose": "ads"}, headers=ADMIN),
            422,
            "purpose_not_permitted",
        ),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        _assert_error_shape(response.json(), code)
    assert c.get("/v1/me/privacy").headers["www-authenticate"] == "Bearer"


def _client_raising(core: App, error: Exception) -> Iterator[TestClient]:
    app = create_app(core)

    @app.get("/boom")
    def boom() -> None:
        raise error

    with TestClient(app) as client:
        yield client


def test_unexpected_error_answers_500_without_detail(core: App) -> None:
    for client in _client_raising(core, RuntimeError("secret database detail")):
        response = client.get("/boom")
        assert response.status_code == 500
        _assert_error_shape(response.json(), "internal_error")
        assert "secret" not in response.text
        assert response.headers["x-request-id"]


def test_domain_errors_map_to_their_status_and_code(core: App) -> None:
    for client in _client_raising(core, NotApplicable("commercial")):
        response = client.get("/boom")
        assert response.status_code == 409
        assert response.json() == {"error": {"code": "not_applicable", "message": "commercial"}}


def test_body_over_the_limit_is_refused_before_parsing(core: App) -> None:
    small = dataclasses.replace(
        core, settings=dataclasses.replace(core.settings, max_body_bytes=64)
    )
    with TestClient(create_app(small)) as client:
        big = b'{"plan": "free", "training": "on", "padding": "' + b"x" * 100 + b'"}'
        headers = {"content-type": "application/json"}
        expect(client.post("/v1/accounts", content=big, headers=headers), 413, "too_large")
        chunked = client.post("/v1/accounts", content=iter([big[:50], big[50:]]), headers=headers)
        expect(chunked, 413, "too_large")
        expect(client.post("/v1/accounts", json={"plan": "free", "training": "on"}), 201)
        stream = iter([b'{"plan": "free",', b' "training": "on"}'])
        expect(client.post("/v1/accounts", content=stream, headers=headers), 201)


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces;<script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", generated.headers["x-request-id"])
    assert client.get("/healthz").headers["x-request-id"] != generated.headers["x-request-id"]


def test_health_and_readiness(client: TestClient) -> None:
    assert expect(client.get("/healthz"), 200) == {"status": "ok"}
    assert expect(client.get("/readyz"), 200) == {"status": "ok"}


def test_metrics_count_requests_choices_runs_and_purges(api: Api) -> None:
    user = api.signup("free", "on")
    api.choose(user, "off")
    api.start_session(user)
    api.create_run()
    api.set_clock("2025-10-02T00:00:00Z")
    api.sweep()
    response = api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'consentry_http_requests_total{method="POST",route="/v1/accounts",status="201"} 1.0' in text
    )
    assert 'route="/v1/me/sessions",status="201"' in text
    assert "consentry_http_request_duration_seconds_bucket" in text
    assert 'consentry_choices_total{source="signup",value="on"} 1.0' in text
    assert 'consentry_choices_total{source="settings",value="off"} 1.0' in text
    assert 'consentry_training_runs_created_total{purpose="model_training"} 1.0' in text
    assert 'consentry_purged_items_total{kind="sessions"} 1.0' in text
