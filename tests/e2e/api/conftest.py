"""An HTTP client on the API of a core built by the shared `app` fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from consentry.bootstrap import App
from consentry.domain.clock import TestClock
from consentry.entrypoints.api.app import create_app

with warnings.catch_warnings():
    # starlette prefers `httpx2` for its test client; plain httpx still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DEADLINE = "2025-10-08T00:00:00Z"
AFTER_DEADLINE = "2025-10-09T00:00:00Z"


def expect(response: httpx.Response, status: int, code: str | None = None) -> Any:
    """The JSON body of a response that must have `status` (and error `code`)."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    if status == 204:
        assert response.content == b""
        return None
    body = response.json()
    if code is not None:
        assert body == {"error": {"code": code, "message": body["error"]["message"]}}
    return body


@dataclass(frozen=True)
class User:
    account_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Api:
    """The client plus the few steps nearly every scenario takes."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._service_token: str | None = None

    def service_headers(self) -> dict[str, str]:
        """A service token for the assistant's backend, made once by the admin (issue 17)."""
        if self._service_token is None:
            made = expect(
                self.client.post(
                    "/v1/admin/service-tokens", json={"name": "assistant backend"}, headers=ADMIN
                ),
                201,
            )
            self._service_token = made["token"]
        return {"Authorization": f"Bearer {self._service_token}"}

    def signup(self, plan: str = "free", training: str | None = "on") -> User:
        body: dict[str, Any] = {"plan": plan}
        if training is not None:
            body["training"] = training
        data = expect(self.client.post("/v1/accounts", json=body), 201)
        return User(data["account_id"], data["token"])

    def import_account(self, plan: str = "free") -> User:
        data = expect(
            self.client.post("/v1/admin/accounts", json={"plan": plan}, headers=ADMIN), 201
        )
        return User(data["account_id"], data["token"])

    def start_session(self, user: User, **body: Any) -> dict[str, Any]:
        body.setdefault("kind", "chat")
        result: dict[str, Any] = expect(
            self.client.post("/v1/me/sessions", json=body, headers=user.headers), 201
        )
        return result

    def message(
        self, user: User, session_id: str, content: str = "hello", role: str = "user"
    ) -> dict[str, Any]:
        """The user's message with their token; the assistant's reply as its backend
        writes it, with a service token (issue 17 item 7)."""
        if role == "assistant":
            path = f"/v1/service/accounts/{user.account_id}/sessions/{session_id}/messages"
            headers = self.service_headers()
        else:
            path, headers = f"/v1/me/sessions/{session_id}/messages", user.headers
        result: dict[str, Any] = expect(
            self.client.post(path, json={"role": role, "content": content}, headers=headers),
            201,
        )
        return result

    def choose(self, user: User, training: str) -> dict[str, Any]:
        result: dict[str, Any] = expect(
            self.client.put("/v1/me/privacy", json={"training": training}, headers=user.headers),
            200,
        )
        return result

    def set_clock(self, now: str) -> None:
        expect(self.client.post("/v1/admin/test-clock", json={"now": now}, headers=ADMIN), 200)

    def create_run(self, purpose: str = "model_training") -> dict[str, Any]:
        result: dict[str, Any] = expect(
            self.client.post("/v1/admin/training-runs", json={"purpose": purpose}, headers=ADMIN),
            201,
        )
        return result

    def manifest(self, run_id: str) -> dict[str, Any]:
        result: dict[str, Any] = expect(
            self.client.get(f"/v1/admin/training-runs/{run_id}/manifest", headers=ADMIN), 200
        )
        return result

    def sweep(self) -> dict[str, int]:
        result = expect(self.client.post("/v1/admin/retention/sweep", headers=ADMIN), 200)
        purged: dict[str, int] = result["purged"]
        return purged


def client_for(core: App) -> TestClient:
    return TestClient(create_app(core))


@pytest.fixture
def core(app: App) -> App:
    """The shared core with an admin token configured."""
    settings = dataclasses.replace(app.settings, admin_token=ADMIN_TOKEN)
    return dataclasses.replace(app, settings=settings)


@pytest.fixture
def client(core: App) -> Iterator[TestClient]:
    with client_for(core) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client)


@pytest.fixture
def test_clock(core: App) -> TestClock:
    clock = core.test_clock
    assert clock is not None
    return clock
