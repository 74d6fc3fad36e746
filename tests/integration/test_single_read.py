"""Issue 22: a unit of work of one read statement (the token lookup of every request) opens
no transaction: no BEGIN or ROLLBACK around its statement on SQLite, autocommit on
PostgreSQL, and the connection goes back to the pool as it came, so the next writer's
transaction is a transaction again (R15: a dead token still finds no account)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text

from consentry.adapters.sql.uow import SqlUnitOfWork
from consentry.bootstrap import App
from consentry.service import accounts, tokens


def _statements(app: App) -> tuple[list[str], Any]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement.split()[0].upper())

    event.listen(app.engine, "before_cursor_execute", record)
    return seen, record


def test_a_single_read_runs_its_statement_alone_and_leaves_the_pool_as_it_was_R15(
    app: App,
) -> None:
    signed = accounts.sign_up(app.ctx, plan="pro", training="on")
    seen, record = _statements(app)
    try:
        with SqlUnitOfWork(app.engine, single_read=True) as uow:
            conn = uow.store.conn
            found = tokens.account_by_token(uow, signed.token)
            if app.engine.dialect.name == "postgresql":
                assert conn.connection.dbapi_connection.autocommit is True  # type: ignore[union-attr]
    finally:
        event.remove(app.engine, "before_cursor_execute", record)
    assert found.id == signed.account_id
    assert seen == ["SELECT"]  # no BEGIN (SQLite issues its own; PostgreSQL none in autocommit)

    # The next unit of work on the pooled connection is a transaction again: its write
    # is rolled back with it.
    for _ in range(3):
        with SqlUnitOfWork(app.engine) as uow:
            if app.engine.dialect.name == "postgresql":
                dbapi = uow.store.conn.connection.dbapi_connection
                assert dbapi.autocommit is False  # type: ignore[union-attr]
            uow.store.conn.execute(
                text("UPDATE accounts SET training = 'off' WHERE id = :i"),
                {"i": signed.account_id},
            )
        with SqlUnitOfWork(app.engine, single_read=True) as uow:
            account = uow.store.get_account(signed.account_id)
            assert account is not None and account.training.value == "on"


def test_a_dead_token_finds_no_account_through_a_single_read_R15(app: App) -> None:
    import pytest

    from consentry.domain.errors import Unauthenticated

    signed = accounts.sign_up(app.ctx, plan="pro", training="on")
    assert tokens.authenticate(app.ctx, signed.token).id == signed.account_id
    accounts.delete_account(app.ctx, account_id=signed.account_id)
    with pytest.raises(Unauthenticated):
        tokens.authenticate(app.ctx, signed.token)
