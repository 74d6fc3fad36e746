"""Issue 22: an append by token reads the token's account and its session in one SELECT
(``Store.token_account_and_session``) and judges them as the two reads did: the token
first (R15), then the message, the notice (R7), then the session (not found, never 403;
deleted or purged sessions take nothing: R14, R17)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, update

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.uow import SqlUnitOfWork
from consentry.bootstrap import App
from consentry.domain.errors import ChoiceRequired, InvalidInput, NotFound, Unauthenticated
from consentry.service import accounts, sessions
from consentry.service.tokens import hash_token
from tests.integration.service.conftest import World


def _append(world: World, token: str, session_id: str, role: str = "user") -> str:
    return sessions.add_message_with_token(
        world.ctx, token=token, session_id=session_id, role=role, content="hello"
    ).id


def _reads(app: App) -> tuple[list[str], Any]:
    """The statements sent that name `accounts` or `sessions` in a FROM, first words."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM accounts" in statement:
            seen.append(statement)

    event.listen(app.engine, "before_cursor_execute", record)
    return seen, record


def test_an_append_reads_its_account_and_session_in_one_select(world: World) -> None:
    signed = accounts.sign_up(world.ctx, plan="pro", training="on")
    sid = world.chat(signed.account_id)
    seen, record = _reads(world.app)
    try:
        _append(world, signed.token, sid)
    finally:
        event.remove(world.app.engine, "before_cursor_execute", record)
    assert len(seen) == 1, seen
    assert "JOIN sessions" in seen[0]
    assert sessions.get_session(world.ctx, account_id=signed.account_id, session_id=sid)


def test_the_joined_read_answers_as_the_two_reads_do_R15(world: World) -> None:
    me = accounts.sign_up(world.ctx, plan="pro", training="on")
    other = accounts.sign_up(world.ctx, plan="pro", training="on")
    mine, theirs = world.chat(me.account_id), world.chat(other.account_id)
    deleted = world.chat(me.account_id)
    sessions.delete_session(world.ctx, account_id=me.account_id, session_id=deleted)
    gone = accounts.sign_up(world.ctx, plan="pro", training="on")
    gone_sid = world.chat(gone.account_id)
    accounts.delete_account(world.ctx, account_id=gone.account_id)
    tokens = [me.token, other.token, gone.token, "not-a-token"]
    sids = [mine, theirs, deleted, gone_sid, "ses_missing"]
    with SqlUnitOfWork(world.app.engine, read_only=True) as uow:
        for token in tokens:
            digest = hash_token(token)
            account = uow.store.account_by_token_hash(digest)
            for sid in sids:
                joined = uow.store.token_account_and_session(digest, sid)
                expected = (account, None if account is None else uow.store.get_session(sid))
                assert joined == expected, (token, sid)
    assert expected == (None, None)  # the last: an unknown token, a missing session


@pytest.mark.parametrize("role", ["user", "robot"])
def test_a_dead_or_unknown_token_is_refused_before_the_message_or_session_R15(
    world: World, role: str
) -> None:
    gone = accounts.sign_up(world.ctx, plan="pro", training="on")
    sid = world.chat(gone.account_id)
    accounts.delete_account(world.ctx, account_id=gone.account_id)
    for token, session_id in ((gone.token, sid), ("nope", sid), ("nope", "ses_missing")):
        with pytest.raises(Unauthenticated):
            _append(world, token, session_id, role)


def test_the_message_is_judged_before_the_notice_and_the_session_R7(world: World) -> None:
    imported = accounts.import_account(world.ctx, plan="free")  # unset: a pending notice
    sid = world.chat(imported.account_id)
    world.advance(days=40)  # past the notice's deadline: blocked (R7)
    with pytest.raises(InvalidInput):
        _append(world, imported.token, "ses_missing", role="robot")
    with pytest.raises(ChoiceRequired):
        _append(world, imported.token, "ses_missing")
    with pytest.raises(ChoiceRequired):
        _append(world, imported.token, sid)
    world.choose(imported.account_id, "off")
    with pytest.raises(NotFound):
        _append(world, imported.token, "ses_missing")
    assert _append(world, imported.token, sid).startswith("msg_")


def test_anothers_deleted_or_purged_session_is_not_found_R14_R17(world: World) -> None:
    me = accounts.sign_up(world.ctx, plan="pro", training="on")
    other = accounts.sign_up(world.ctx, plan="pro", training="on")
    theirs, deleted, purged = (
        world.chat(other.account_id),
        world.chat(me.account_id),
        world.chat(me.account_id),
    )
    sessions.delete_session(world.ctx, account_id=me.account_id, session_id=deleted)
    with world.app.engine.begin() as conn:  # what a sweep leaves (R17)
        conn.execute(
            update(t.sessions).where(t.sessions.c.id == purged).values(purged_at=world.clock.now())
        )
    for sid in (theirs, deleted, purged, "ses_missing"):
        with pytest.raises(NotFound):
            _append(world, me.token, sid)
    assert _append(world, other.token, theirs).startswith("msg_")
