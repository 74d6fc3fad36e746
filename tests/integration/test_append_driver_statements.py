"""The append's writes sent as compiled text (issue 22, ``engine.DriverStatement``) store
exactly what ``Connection.execute`` of the same statements stores, keep SQLAlchemy's
error wrapping, and still fire the connection's statement events (tracing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event, insert
from sqlalchemy.exc import IntegrityError

from consentry.adapters.sql import sessions_store
from consentry.adapters.sql import tables as t
from consentry.adapters.sql.store import SqlStore
from consentry.bootstrap import App
from consentry.domain.types import Author, Role
from consentry.service import gpc, sessions
from consentry.service.records import MessageRecord

AT = datetime(2025, 9, 1, 12, 30, 15, 123456, tzinfo=UTC)
UNTIL = AT + timedelta(days=1825)


def _two_sessions(app: App) -> tuple[str, str]:
    creds = gpc.sign_up(app.ctx, plan="free", training="on", gpc=False, region=None)
    made = [sessions.start_session(app.ctx, account_id=creds.account_id, kind="chat") for _ in "ab"]
    return made[0].session.id, made[1].session.id


def _raw(conn: Connection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows as the driver returns them: no SQLAlchemy type processing."""
    return [tuple(r) for r in conn.exec_driver_sql(sql, params if params else ()).all()]


def _param(conn: Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


def test_the_appends_writes_store_what_sqlalchemy_would(app: App) -> None:
    driver_sid, core_sid = _two_sessions(app)
    with app.engine.connect() as conn, conn.begin():
        store = SqlStore(conn)
        new_id = store.add_activity(driver_sid, at=AT, covered=True, kind="message")
        store.record_activity(driver_sid, at=AT, covered=True, retain_until=UNTIL)
        store.insert_message(
            MessageRecord("msg_driver", driver_sid, Role.USER, "hi", AT, True, Author.ACCOUNT)
        )
        # The same writes through Connection.execute of the same Core statements.
        values = {"at": AT, "covered": True, "kind": "message"}
        result = conn.execute(insert(t.activities), {"session_id": core_sid, **values})
        update = sessions_store._record_activity_statement(True)
        conn.execute(update, {"p_session_id": core_sid, "p_at": AT, "p_retain_until": UNTIL})
        conn.execute(
            insert(t.messages),
            {
                "id": "msg_core",
                "session_id": core_sid,
                "role": "user",
                "content": "hi",
                "at": AT,
                "covered": True,
                "author": "account",
            },
        )
        assert result.inserted_primary_key is not None
        assert new_id == result.inserted_primary_key[0] - 1
        p = _param(conn)
        activity = f"SELECT at, covered, kind FROM activities WHERE session_id = {p} ORDER BY id"
        moved = "SELECT last_activity_at, first_covered_at, retain_until, purge_at FROM sessions"
        for sql in (activity, f"{moved} WHERE id = {p}"):
            assert _raw(conn, sql, driver_sid) == _raw(conn, sql, core_sid)
        messages = _raw(conn, "SELECT * FROM messages WHERE id IN ('msg_driver', 'msg_core')")
        assert len(messages) == 2
        by_id = {r[0]: r[2:] for r in messages}
        assert by_id["msg_driver"] == by_id["msg_core"]


def test_a_failing_write_raises_sqlalchemys_error_with_its_parameters_hidden(app: App) -> None:
    with app.engine.connect() as conn, conn.begin():
        message = MessageRecord(
            "msg_x", "ses_missing", Role.USER, "secret", AT, True, Author.ACCOUNT
        )
        with pytest.raises(IntegrityError) as raised:
            SqlStore(conn).insert_message(message)  # no such session: the foreign key refuses
    assert "secret" not in str(raised.value)
    assert "INSERT INTO messages" in str(raised.value)


def test_the_connection_still_sees_each_statement(app: App) -> None:
    sid, _ = _two_sessions(app)
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(app.engine, "before_cursor_execute", before)
    try:
        with app.engine.connect() as conn, conn.begin():
            store = SqlStore(conn)
            store.add_activity(sid, at=AT, covered=False, kind="message")
            store.record_activity(sid, at=AT, covered=False, retain_until=UNTIL)
            store.insert_message(
                MessageRecord("msg_e", sid, Role.USER, "x", AT, False, Author.ACCOUNT)
            )
    finally:
        event.remove(app.engine, "before_cursor_execute", before)
    assert [s for s in seen if s in ("INSERT", "UPDATE")] == ["INSERT", "UPDATE", "INSERT"]
