"""Token rotation, browser sessions and service tokens (`service/accounts.py`,
`service/web_sessions.py`, `service/service_tokens.py`) on the in-memory fake of the
credentials port (issue 20); tests/integration and tests/e2e cover the SQL adapter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consentry.domain.errors import NotFound, Unauthenticated
from consentry.service import accounts, service_tokens, web_sessions
from consentry.service.context import Context
from consentry.service.web_sessions import WebSessionLimits
from tests.unit.service.conftest import T0, move_clock
from tests.unit.service.fake_uow import InMemoryStore

LIMITS = WebSessionLimits()


def _sign_in(ctx: Context, account_id: str) -> str:
    return web_sessions.open_web_session(
        ctx, account_id=account_id, admin_key=None, limits=LIMITS, clock=ctx.clock
    )


def test_rotating_a_token_kills_the_old_one_and_every_browser_session_R15(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """Issue 17 item 3: a new token, the old one dead at once, every browser session of
    the account ended in the same transaction; another account's sessions stay. Only
    digests are stored (R15)."""
    creds = accounts.sign_up(fake_ctx, plan="free", training="off")
    other = accounts.sign_up(fake_ctx, plan="free", training="off")
    mine, theirs = _sign_in(fake_ctx, creds.account_id), _sign_in(fake_ctx, other.account_id)
    assert web_sessions.resume_web_session(fake_ctx, mine, clock=fake_ctx.clock) is not None

    rotated = accounts.rotate_token(fake_ctx, account_id=creds.account_id)
    with pytest.raises(Unauthenticated):
        accounts.authenticate(fake_ctx, creds.token)
    assert accounts.authenticate(fake_ctx, rotated.token).id == creds.account_id
    assert web_sessions.resume_web_session(fake_ctx, mine, clock=fake_ctx.clock) is None
    assert web_sessions.resume_web_session(fake_ctx, theirs, clock=fake_ctx.clock) is not None
    assert rotated.token not in fake_store.token_hashes.values()
    assert mine not in fake_store.web_sessions


def test_an_idle_or_deleted_accounts_browser_session_is_gone_R15(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """A session idle past its timeout ends when next read; deleting the account ends
    every session and its token (R15)."""
    creds = accounts.sign_up(fake_ctx, plan="free", training="off")
    idle = _sign_in(fake_ctx, creds.account_id)
    move_clock(fake_ctx, T0 + LIMITS.idle)
    assert web_sessions.resume_web_session(fake_ctx, idle, clock=fake_ctx.clock) is None
    live = _sign_in(fake_ctx, creds.account_id)
    assert len(fake_store.web_sessions) == 1

    accounts.delete_account(fake_ctx, account_id=creds.account_id)
    assert web_sessions.resume_web_session(fake_ctx, live, clock=fake_ctx.clock) is None
    with pytest.raises(Unauthenticated):
        accounts.authenticate(fake_ctx, creds.token)


def test_a_revoked_service_token_stops_at_once_and_stays_listed(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """Issue 17 item 7: a service token authenticates until revoked; revoking is
    idempotent (the first instant stands), an unknown id is 404, revoked tokens stay
    listed, oldest first (no R/P rule names service tokens)."""
    first = service_tokens.create_service_token(fake_ctx, name="backend")
    move_clock(fake_ctx, T0 + timedelta(seconds=1))
    second = service_tokens.create_service_token(fake_ctx, name="batch")
    assert service_tokens.authenticate_service(fake_ctx, first.token).id == first.token_id

    service_tokens.revoke_service_token(fake_ctx, token_id=first.token_id)
    move_clock(fake_ctx, T0 + timedelta(days=1))
    service_tokens.revoke_service_token(fake_ctx, token_id=first.token_id)
    with pytest.raises(Unauthenticated):
        service_tokens.authenticate_service(fake_ctx, first.token)
    with pytest.raises(NotFound):
        service_tokens.revoke_service_token(fake_ctx, token_id="svc_unknown")
    listed = service_tokens.list_service_tokens(fake_ctx)
    assert [(t.id, t.revoked_at) for t in listed] == [
        (first.token_id, T0 + timedelta(seconds=1)),
        (second.token_id, None),
    ]
    assert service_tokens.authenticate_service(fake_ctx, second.token).name == "batch"
