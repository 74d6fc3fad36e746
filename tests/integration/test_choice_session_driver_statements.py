"""Session create's and choice change's writes sent as compiled text (issue 22,
``engine.DriverStatement``): the session insert, the ledger append (head lock, event
insert, head move) and the account's privacy projection store exactly what
``Connection.execute`` of the statements they replaced stores, keep the hash chain and
the tree, keep SQLAlchemy's error wrapping, and still fire the connection's events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event, insert, select, update
from sqlalchemy.exc import IntegrityError

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.ledger_events import ledger_events
from consentry.adapters.sql.store import SqlStore
from consentry.bootstrap import App
from consentry.domain.ledger import entry_of, verify_chain
from consentry.domain.merkle import CompactRange, leaf_hash
from consentry.domain.types import (
    ChoiceSource,
    EventType,
    Scope,
    SessionKind,
    Surface,
    Training,
)
from consentry.service import gpc
from consentry.service.records import SessionRecord

AT = datetime(2025, 9, 1, 12, 30, 15, 123456, tzinfo=UTC)
UNTIL = AT + timedelta(days=1825)


def _raw(conn: Connection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows as the driver returns them: no SQLAlchemy type processing."""
    return [tuple(r) for r in conn.exec_driver_sql(sql, params if params else ()).all()]


def _p(conn: Connection) -> str:
    return "?" if conn.dialect.name == "sqlite" else "%s"


def _accounts(app: App, n: int) -> list[str]:
    return [
        gpc.sign_up(app.ctx, plan="free", training="on", gpc=False, region=None).account_id
        for _ in range(n)
    ]


def _session(account_id: str, sid: str) -> SessionRecord:
    return SessionRecord(
        id=sid,
        account_id=account_id,
        kind=SessionKind.CHAT,
        surface=Surface.WEB,
        incognito=True,
        scope=Scope.CONSUMER,
        created_at=AT,
        last_activity_at=AT + timedelta(seconds=1),
        first_covered_at=None,
        retain_until=UNTIL,
        deleted_at=None,
        purge_at=None,
        purged_at=None,
    )


@pytest.mark.parametrize("key_id", [None, "key_0001"])
def test_insert_session_stores_what_sqlalchemy_would(app: App, key_id: str | None) -> None:
    (account,) = _accounts(app, 1)
    with app.engine.connect() as conn, conn.begin():
        SqlStore(conn).insert_session(_session(account, "ses_driver"), key_id=key_id)
        core = _session(account, "ses_core")
        conn.execute(  # the statement insert_session built per call before
            insert(t.sessions).values(
                id=core.id,
                account_id=core.account_id,
                kind=core.kind.value,
                surface=core.surface.value,
                incognito=core.incognito,
                scope=core.scope.value,
                created_at=core.created_at,
                last_activity_at=core.last_activity_at,
                first_covered_at=core.first_covered_at,
                retain_until=core.retain_until,
                legal_hold=False,
                purge_at=core.retain_until,
                key_id=None if key_id is None else "key_0002",
            )
        )
        rows = {r[0]: r[1:] for r in _raw(conn, "SELECT * FROM sessions")}
        stored = SqlStore(conn).get_session("ses_driver")
    driver, core_row = rows["ses_driver"], rows["ses_core"]
    key_column = [c.name for c in t.sessions.c].index("key_id") - 1
    assert driver[key_column] == key_id
    assert (driver[:key_column], driver[key_column + 1 :]) == (
        core_row[:key_column],
        core_row[key_column + 1 :],
    )
    assert stored == replace(_session(account, "ses_driver"), purge_at=UNTIL)


def test_set_privacy_stores_what_sqlalchemy_would(app: App) -> None:
    driver, core = _accounts(app, 2)
    with app.engine.connect() as conn, conn.begin():
        SqlStore(conn).set_privacy(driver, training=Training.OFF, terms_accepted=None, at=AT)
        conn.execute(
            update(t.accounts)
            .where(t.accounts.c.id == core)
            .values(training="off", terms_accepted=None, choice_at=AT)
        )
        sql = f"SELECT training, terms_accepted, choice_at FROM accounts WHERE id = {_p(conn)}"
        assert _raw(conn, sql, driver) == _raw(conn, sql, core)
        SqlStore(conn).set_privacy(driver, training=Training.ON, terms_accepted="2025-10", at=UNTIL)
        account = SqlStore(conn).get_account(driver)
    assert account is not None
    assert (account.training, account.terms_accepted, account.choice_at) == (
        Training.ON,
        "2025-10",
        UNTIL,
    )


# Each set of optional members gets its own statement: the event writes those columns only.
EXTRAS = [(), (("auto_delete", "18"),), (("auto_delete", "0"), ("region", "DE"))]


def test_ledger_appends_store_what_sqlalchemy_would_and_keep_chain_and_tree(app: App) -> None:
    (account,) = _accounts(app, 1)
    with app.engine.connect() as conn:
        with conn.begin():
            store = SqlStore(conn)
            made = [
                store.append_consent_event(
                    account_id=account,
                    at=AT + timedelta(seconds=n),
                    type=EventType.CHOICE,
                    value=Training.OFF if n % 2 else Training.ON,
                    source=ChoiceSource.SETTINGS,
                    terms_version="2025-10",
                    extra=extra,
                )
                for n, extra in enumerate(EXTRAS)
            ]
            events = list(ledger_events(conn))
            head = conn.execute(select(t.ledger_head)).one()
        trans = conn.begin()
        last = made[-1]
        # The statement the append built per call before, for the same event one seq on.
        conn.execute(
            insert(t.consent_events).values(
                seq=last.seq + 100,
                event_id="evt_core",
                account_id=account,
                at=last.at,
                type=last.type.value,
                value=last.value.value if last.value else None,
                source=last.source.value if last.source else None,
                terms_version=last.terms_version,
                prev_hash=last.prev_hash,
                hash=last.hash,
                **dict(last.extra),
            )
        )
        p = _p(conn)
        sql = f"SELECT * FROM consent_events WHERE seq = {p}"
        (driver_row,), (core_row,) = _raw(conn, sql, last.seq), _raw(conn, sql, last.seq + 100)
        trans.rollback()
    assert driver_row[2:] == core_row[2:]  # all but seq and event_id, columns as stored
    assert [e for e in events if e.seq in {m.seq for m in made}] == made
    assert [m.extra for m in made] == EXTRAS
    check = verify_chain(events, head_seq=head.seq, head_hash=head.hash)
    assert check.ok and check.events == len(events) == head.seq == made[-1].seq
    tree = CompactRange()
    for e in events:
        tree, _ = tree.append(leaf_hash(entry_of(e)))
    assert (head.tree_size, head.tree_range) == (tree.size, tree.encode())


def test_a_failing_write_raises_sqlalchemys_error_with_its_parameters_hidden(app: App) -> None:
    with app.engine.connect() as conn, conn.begin(), pytest.raises(IntegrityError) as raised:
        # no such account: the foreign key refuses
        SqlStore(conn).insert_session(_session("acc_missing", "ses_secret_id"))
    assert "ses_secret_id" not in str(raised.value)
    assert "INSERT INTO sessions" in str(raised.value)


def test_the_connection_still_sees_each_statement(app: App) -> None:
    (account,) = _accounts(app, 1)
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(" ".join(statement.split()[:3]).upper())

    event.listen(app.engine, "before_cursor_execute", before)
    try:
        with app.engine.connect() as conn, conn.begin():
            store = SqlStore(conn)
            store.insert_session(_session(account, "ses_seen"))
            store.append_consent_event(
                account_id=account,
                at=AT,
                type=EventType.CHOICE,
                value=Training.OFF,
                source=ChoiceSource.SETTINGS,
                terms_version="2025-10",
            )
            store.set_privacy(account, training=Training.OFF, terms_accepted="2025-10", at=AT)
    finally:
        event.remove(app.engine, "before_cursor_execute", before)
    assert [s for s in seen if not s.startswith(("BEGIN", "PRAGMA"))] == [
        "INSERT INTO SESSIONS",
        "SELECT LEDGER_HEAD.SEQ, LEDGER_HEAD.HASH,",
        "INSERT INTO CONSENT_EVENTS",
        "UPDATE LEDGER_HEAD SET",
        "UPDATE ACCOUNTS SET",
    ]
