"""Issue 22: an append's four writes (activity, the session's projections, the message,
its outbox event) through ``Store.record_message`` store exactly what the four separate
methods store, as one statement on PostgreSQL (data-modifying CTEs) and four on SQLite;
a write that fails takes the others with it (R9, R10, R12; 201 still means committed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event
from sqlalchemy.exc import IntegrityError

from consentry.adapters.sql.store import SqlStore
from consentry.bootstrap import App
from consentry.domain.types import Author, Role
from consentry.service import accounts, sessions
from consentry.service.records import MessageRecord

AT = datetime(2025, 9, 1, 12, 30, 15, 123456, tzinfo=UTC)
UNTIL = AT + timedelta(days=1825)


def _sessions(app: App, count: int) -> list[str]:
    """Sessions not covered yet (training off at their start): a covered message is
    their first (R10: `first_covered_at` set by it)."""
    signed = accounts.sign_up(app.ctx, plan="free", training="off")
    made = [sessions.start_session(app.ctx, account_id=signed.account_id, kind="chat")]
    made += [
        sessions.start_session(app.ctx, account_id=signed.account_id, kind="chat")
        for _ in range(count - 1)
    ]
    return [m.session.id for m in made]


def _written(conn: Connection, sid: str) -> dict[str, Any]:
    """Every row the append wrote for session `sid`, as the driver returns them, its own
    ids replaced by `sid`-free placeholders."""

    def rows(sql: str, value: str = sid) -> list[tuple[Any, ...]]:
        p = "?" if conn.dialect.name == "sqlite" else "%s"
        return [tuple(r) for r in conn.exec_driver_sql(sql.replace("$", p), (value,)).all()]

    outbox = [
        (r[0], json.loads(r[1]), r[2])
        for r in rows(
            "SELECT type, payload, created_at FROM outbox WHERE payload LIKE $", f"%{sid}%"
        )
    ]
    for _, payload, _ in outbox:
        payload["session_id"] = "S"
    return {
        "activities": rows(
            "SELECT at, covered, kind FROM activities WHERE session_id = $ ORDER BY id"
        ),
        "session": rows(
            "SELECT last_activity_at, first_covered_at, retain_until, purge_at"
            " FROM sessions WHERE id = $"
        ),
        "messages": rows(
            "SELECT role, content, at, covered, author FROM messages WHERE session_id = $"
        ),
        "outbox": outbox,
    }


@pytest.mark.parametrize("covered", [False, True])
def test_record_message_stores_what_the_four_writes_store(app: App, covered: bool) -> None:
    one, four = _sessions(app, 2)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    with app.engine.connect() as conn, conn.begin():
        store = SqlStore(conn)
        message = MessageRecord("msg_one", one, Role.USER, "hi", AT, covered, Author.ACCOUNT)
        event.listen(app.engine, "before_cursor_execute", seen)
        try:
            store.record_message(
                message, retain_until=UNTIL, event="message.added", payload={"session_id": one}
            )
        finally:
            event.remove(app.engine, "before_cursor_execute", seen)
        store.add_activity(four, at=AT, covered=covered, kind="message")
        store.record_activity(four, at=AT, covered=covered, retain_until=UNTIL)
        store.insert_message(
            MessageRecord("msg_four", four, Role.USER, "hi", AT, covered, Author.ACCOUNT)
        )
        store.publish("message.added", {"session_id": four}, AT)
        assert _written(conn, one) == _written(conn, four)
        written = _written(conn, one)
        assert len(written["messages"]) == 1
        assert (written["session"][0][1] is not None) is covered  # first_covered_at
    if app.engine.dialect.name == "postgresql":
        assert statements == ["WITH"]
    else:
        assert statements == ["INSERT", "UPDATE", "INSERT", "INSERT"]


def test_an_append_through_the_service_sends_its_writes_as_one_statement_on_postgres(
    app: App,
) -> None:
    signed = accounts.sign_up(app.ctx, plan="free", training="on")
    sid = sessions.start_session(app.ctx, account_id=signed.account_id, kind="chat").session.id
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(app.engine, "before_cursor_execute", seen)
    try:
        sessions.add_message_with_token(
            app.ctx, token=signed.token, session_id=sid, role="user", content="hello"
        )
    finally:
        event.remove(app.engine, "before_cursor_execute", seen)
    writes = [s for s in statements if s in ("INSERT", "UPDATE", "WITH")]
    expected = (
        ["WITH"]
        if app.engine.dialect.name == "postgresql"
        else ["INSERT", "UPDATE"] + ["INSERT"] * 2
    )
    assert writes == expected
    view = sessions.get_session(app.ctx, account_id=signed.account_id, session_id=sid)
    assert [m.content for m in view.messages] == ["hello"]


def test_a_write_that_fails_takes_the_others_with_it(app: App) -> None:
    (sid,) = _sessions(app, 1)
    message = MessageRecord("msg_x", sid, Role.USER, "secret", AT, True, Author.ACCOUNT)
    with app.engine.connect() as conn:
        with conn.begin():
            SqlStore(conn).insert_message(message)  # the id is taken: the next insert fails
        before = _written(conn, sid)
        conn.rollback()
        with pytest.raises(IntegrityError) as raised, conn.begin():
            SqlStore(conn).record_message(
                message, retain_until=UNTIL, event="message.added", payload={"session_id": sid}
            )
        assert "secret" not in str(raised.value)
        assert _written(conn, sid) == before
        conn.rollback()
