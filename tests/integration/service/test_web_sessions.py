"""Server-side browser sessions and token rotation (issue 17 item 3, R15) on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consentry.adapters.sql import tables as t
from consentry.domain.clock import TestClock
from consentry.domain.errors import Unauthenticated
from consentry.service import accounts, web_sessions
from consentry.service.web_sessions import WebSessionLimits
from tests.conftest import BEFORE_DEADLINE
from tests.integration.service.conftest import World

LIMITS = WebSessionLimits(lifetime=timedelta(hours=12), idle=timedelta(minutes=30))


@pytest.fixture
def wall() -> TestClock:
    """The sessions' own clock (the pages pass the system clock)."""
    return TestClock(BEFORE_DEADLINE)


def open_for(world: World, account_id: str, wall: TestClock) -> str:
    return web_sessions.open_web_session(
        world.ctx, account_id=account_id, admin_key=None, limits=LIMITS, clock=wall
    )


def rows(world: World) -> list[dict[str, object]]:
    with world.app.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(t.web_sessions))]


def test_only_the_ids_digest_is_stored_and_sign_out_ends_the_session(
    world: World, wall: TestClock
) -> None:
    account = world.user()
    raw = open_for(world, account, wall)
    stored = rows(world)
    assert len(stored) == 1
    assert raw not in str(stored)  # only the SHA-256 of the cookie's id
    assert stored[0]["id_hash"] == web_sessions.hash_session_id(raw)
    assert stored[0]["account_id"] == account
    found = web_sessions.resume_web_session(world.ctx, raw, clock=wall)
    assert found is not None and found.account_id == account
    web_sessions.end_web_session(world.ctx, raw)
    assert web_sessions.resume_web_session(world.ctx, raw, clock=wall) is None
    assert rows(world) == []


def test_sessions_end_after_the_idle_timeout_and_at_expiry(world: World, wall: TestClock) -> None:
    account = world.user()
    idle = open_for(world, account, wall)
    wall.set(wall.now() + timedelta(minutes=30))
    assert web_sessions.resume_web_session(world.ctx, idle, clock=wall) is None
    assert rows(world) == []  # an idle session is removed when it is next read

    busy, opened = open_for(world, account, wall), wall.now()
    for _ in range(28):  # a request every 25 minutes keeps it alive for 11 h 40 min
        wall.set(wall.now() + timedelta(minutes=25))
        assert web_sessions.resume_web_session(world.ctx, busy, clock=wall) is not None
    wall.set(opened + timedelta(hours=12))  # but not past its 12 hours
    assert web_sessions.resume_web_session(world.ctx, busy, clock=wall) is None


def test_deleting_the_account_ends_all_its_sessions_R15(world: World, wall: TestClock) -> None:
    account, other = world.user(), world.user()
    phone, laptop = open_for(world, account, wall), open_for(world, account, wall)
    kept = open_for(world, other, wall)
    accounts.delete_account(world.ctx, account_id=account)
    for raw in (phone, laptop):
        assert web_sessions.resume_web_session(world.ctx, raw, clock=wall) is None
    assert web_sessions.resume_web_session(world.ctx, kept, clock=wall) is not None
    with pytest.raises(Unauthenticated):  # and no new one can be opened for it
        open_for(world, account, wall)


def test_rotating_the_token_kills_the_old_token_and_every_session(
    world: World, wall: TestClock
) -> None:
    creds = accounts.sign_up(world.ctx, plan="free", training="on")
    raw = open_for(world, creds.account_id, wall)
    other = accounts.sign_up(world.ctx, plan="free", training="on")
    kept = open_for(world, other.account_id, wall)
    rotated = accounts.rotate_token(world.ctx, account_id=creds.account_id)
    assert rotated.account_id == creds.account_id
    assert rotated.token != creds.token
    with pytest.raises(Unauthenticated):
        accounts.authenticate(world.ctx, creds.token)
    assert accounts.authenticate(world.ctx, rotated.token).id == creds.account_id
    assert web_sessions.resume_web_session(world.ctx, raw, clock=wall) is None
    assert web_sessions.resume_web_session(world.ctx, kept, clock=wall) is not None


def test_opening_a_session_removes_expired_rows(world: World, wall: TestClock) -> None:
    account = world.user()
    for _ in range(3):
        open_for(world, account, wall)
    wall.set(wall.now() + timedelta(hours=13))
    open_for(world, account, wall)
    with world.app.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.web_sessions)).scalar() == 1


def test_an_account_keeps_at_most_its_newest_sessions(
    world: World, wall: TestClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signing in again and again with a valid token cannot fill the table."""
    monkeypatch.setattr(web_sessions, "SESSIONS_PER_ACCOUNT", 3)
    account, other = world.user(), world.user()
    kept_other = open_for(world, other, wall)
    opened = []
    for _ in range(5):
        wall.set(wall.now() + timedelta(seconds=1))
        opened.append(open_for(world, account, wall))
    alive = [web_sessions.resume_web_session(world.ctx, raw, clock=wall) for raw in opened]
    assert [a is not None for a in alive] == [False, False, True, True, True]
    assert web_sessions.resume_web_session(world.ctx, kept_other, clock=wall) is not None
