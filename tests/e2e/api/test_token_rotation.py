"""`POST /v1/me/tokens/rotate` (issue 17 item 3) through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App
from consentry.domain.clock import SystemClock
from consentry.service import web_sessions
from consentry.service.web_sessions import WebSessionLimits
from tests.e2e.api.conftest import AFTER_DEADLINE, Api, expect


def web_rows(core: App, account_id: str) -> int:
    with core.engine.connect() as conn:
        query = select(func.count()).where(t.web_sessions.c.account_id == account_id)
        return int(conn.execute(query).scalar_one())


def test_rotation_gives_a_new_token_and_kills_the_old_one_at_once(api: Api, core: App) -> None:
    user = api.signup()
    for _ in range(2):
        web_sessions.open_web_session(
            core.ctx,
            account_id=user.account_id,
            admin_key=None,
            limits=WebSessionLimits(),
            clock=SystemClock(),
        )
    assert web_rows(core, user.account_id) == 2
    body = expect(api.client.post("/v1/me/tokens/rotate", headers=user.headers), 200)
    assert body["account_id"] == user.account_id
    assert body["token"] != user.token
    for path in ("/v1/me/privacy", "/v1/me/sessions", "/v1/me/export"):
        expect(api.client.get(path, headers=user.headers), 401, "unauthenticated")
    new = {"Authorization": f"Bearer {body['token']}"}
    assert expect(api.client.get("/v1/me/privacy", headers=new), 200)["account_id"] == (
        user.account_id
    )
    assert web_rows(core, user.account_id) == 0  # every browser session signed out
    expect(api.client.post("/v1/me/tokens/rotate", headers=user.headers), 401, "unauthenticated")


def test_rotation_is_open_to_a_blocked_account_R7(api: Api) -> None:
    """Like the privacy settings, rotating a leaked token is never blocked by the notice."""
    user = api.import_account()
    api.set_clock(AFTER_DEADLINE)
    expect(api.client.post("/v1/me/sessions", json={"kind": "chat"}, headers=user.headers), 403)
    expect(api.client.post("/v1/me/tokens/rotate", headers=user.headers), 200)


def test_a_deleted_account_cannot_rotate_R15(api: Api) -> None:
    user = api.signup()
    expect(api.client.delete("/v1/me", headers=user.headers), 204)
    expect(api.client.post("/v1/me/tokens/rotate", headers=user.headers), 401, "unauthenticated")
