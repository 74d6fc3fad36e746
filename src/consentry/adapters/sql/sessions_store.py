"""The SQL side of :class:`~consentry.service.ports.SessionStore`: sessions, their
activities and messages, and feedback on them (R6–R13, R23).

The message append is the hottest write path: its statements are built once, at import.
Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.engine import Row

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.accounts_store import account_of_row
from consentry.adapters.sql.engine import DriverStatement
from consentry.adapters.sql.outbox_store import INSERT_EVENT, event_row
from consentry.adapters.sql.retention_store import purge_at_expr
from consentry.adapters.sql.sqlfuncs import greatest
from consentry.domain.types import Author, Rating, Role, Scope, SessionKind, Surface, Training
from consentry.service.records import (
    AccountRecord,
    FeedbackRecord,
    MessageRecord,
    SessionRecord,
)


def session_of_row(m: Mapping[Any, Any]) -> SessionRecord:
    """A session row's record (a row's ``_mapping``, or the session's columns of a join)."""
    return SessionRecord(
        id=m["id"],
        account_id=m["account_id"],
        kind=SessionKind(m["kind"]),
        surface=Surface(m["surface"]),
        incognito=bool(m["incognito"]),
        scope=Scope(m["scope"]),
        created_at=m["created_at"],
        last_activity_at=m["last_activity_at"],
        first_covered_at=m["first_covered_at"],
        retain_until=m["retain_until"],
        deleted_at=m["deleted_at"],
        purge_at=m["purge_at"],
        purged_at=m["purged_at"],
    )


def _message(r: Row[Any]) -> MessageRecord:
    return MessageRecord(
        id=r.id,
        session_id=r.session_id,
        role=Role(r.role),
        content=r.content,
        at=r.at,
        covered=bool(r.covered),
        author=Author(r.author),
    )


def _record_activity_statement(covered: bool) -> Any:
    """One UPDATE moving every projection of a session after an activity (R10, R12, R17).

    Built once: the message append is the hottest write path, and constructing the
    expression tree on each call cost a third of its CPU (BENCHMARKS.md, API load)."""
    s = t.sessions.c
    # Typed: untyped, the sqlite3 module's own adapter wrote an aware datetime as
    # '… .ffffff+00:00' (or without the fraction), where every other timestamp is stored
    # naive ('… .ffffff'), so equal instants compared unequal as strings.
    retain = greatest(s.retain_until, bindparam("p_retain_until", type_=t.UTCDateTime()))
    values: dict[str, Any] = {
        "last_activity_at": bindparam("p_at"),
        "retain_until": retain,
        "purge_at": purge_at_expr(retain),
    }
    if covered:
        values["first_covered_at"] = func.coalesce(s.first_covered_at, bindparam("p_at"))
    return update(t.sessions).where(s.id == bindparam("p_session_id")).values(**values)


_SESSION_BY_ID = select(t.sessions).where(t.sessions.c.id == bindparam("p_id"))
# An append's two reads as one (issue 22): the token's account and, joined to it, the
# session named in the path (whoever owns it: the service checks that, as before).
_ACCOUNT_KEYS = tuple(c.key for c in t.accounts.c)
_SESSION_KEYS = tuple(c.key for c in t.sessions.c)
_SESSION_ID_AT = len(_ACCOUNT_KEYS) + _SESSION_KEYS.index("id")
_TOKEN_ACCOUNT_AND_SESSION = (
    select(*t.accounts.c, *t.sessions.c)
    .select_from(t.accounts.outerjoin(t.sessions, t.sessions.c.id == bindparam("p_session_id")))
    .where(t.accounts.c.token_hash == bindparam("p_hash"))
)
# The append's three writes: built once (a statement built per call cost its construction
# and its cache key, ~40 µs each on SQLite) and sent as their compiled text (another
# ~12 µs each of SQLAlchemy's execution machinery; issue 22, engine.DriverStatement).
_RECORD_ACTIVITY = {
    covered: DriverStatement(_record_activity_statement(covered)) for covered in (False, True)
}
_INSERT_ACTIVITY = DriverStatement(insert(t.activities), ("session_id", "at", "covered", "kind"))
_INSERT_MESSAGE = DriverStatement(
    insert(t.messages), ("id", "session_id", "role", "content", "at", "covered", "author")
)


def _append_writes_statement(covered: bool) -> Any:
    """The append's four writes as one PostgreSQL statement (issue 22): the activity, the
    session's projections (the same UPDATE as ``_record_activity_statement``), the message
    (data-modifying CTEs) and the outbox event. Each CTE runs exactly once, all four in
    one snapshot, and the foreign keys are checked at the statement's end as before."""
    activity = insert(t.activities).values(
        session_id=bindparam("p_session_id"),
        at=bindparam("p_at"),
        covered=bindparam("p_covered"),
        kind=bindparam("p_kind"),
    )
    message = insert(t.messages).values(
        id=bindparam("p_id"),
        session_id=bindparam("p_session_id"),
        role=bindparam("p_role"),
        content=bindparam("p_content"),
        at=bindparam("p_at"),
        covered=bindparam("p_covered"),
        author=bindparam("p_author"),
    )
    ctes = (
        activity.cte("new_activity"),
        _record_activity_statement(covered).cte("moved_session"),
        message.cte("new_message"),
    )
    return (
        insert(t.outbox)
        .values(
            event_id=bindparam("p_event_id"),
            type=bindparam("p_type"),
            payload=bindparam("p_payload"),
            created_at=bindparam("p_at"),
        )
        .add_cte(*ctes)
        .inline()
    )


_APPEND_WRITES = {
    covered: DriverStatement(_append_writes_statement(covered)) for covered in (False, True)
}
# Session create's insert, the same way (its 13 values built per call were ~1/6 of the
# route's worker-thread CPU: docs/bench/api.md, fifth pass).
_INSERT_SESSION = DriverStatement(
    insert(t.sessions),
    (
        "id",
        "account_id",
        "kind",
        "surface",
        "incognito",
        "scope",
        "created_at",
        "last_activity_at",
        "first_covered_at",
        "retain_until",
        "legal_hold",
        "purge_at",
        "key_id",
    ),
)


class SqlSessionStore:
    """Session, message and feedback reads and writes over the unit of work's connection."""

    conn: Connection

    # -- sessions and activities ----------------------------------------------------
    def insert_session(self, session: SessionRecord, *, key_id: str | None = None) -> None:
        """``key_id``: the pool key the session's content is sealed under, claimed in
        this same statement (crypto-shredding on, issue 26); None leaves it unclaimed."""
        _INSERT_SESSION.execute(
            self.conn,
            {
                "id": session.id,
                "account_id": session.account_id,
                "kind": session.kind.value,
                "surface": session.surface.value,
                "incognito": session.incognito,
                "scope": session.scope.value,
                "created_at": session.created_at,
                "last_activity_at": session.last_activity_at,
                "first_covered_at": session.first_covered_at,
                "retain_until": session.retain_until,
                "legal_hold": False,
                "purge_at": session.retain_until,
                "key_id": key_id,
            },
        )

    def get_session(self, session_id: str) -> SessionRecord | None:
        row = self.conn.execute(_SESSION_BY_ID, {"p_id": session_id}).first()
        return session_of_row(row._mapping) if row else None

    def token_account_and_session(
        self, token_hash: str, session_id: str
    ) -> tuple[AccountRecord | None, SessionRecord | None]:
        row = self.conn.execute(
            _TOKEN_ACCOUNT_AND_SESSION, {"p_hash": token_hash, "p_session_id": session_id}
        ).first()
        if row is None:
            return None, None
        account = account_of_row(dict(zip(_ACCOUNT_KEYS, row, strict=False)))
        if row[_SESSION_ID_AT] is None:
            return account, None
        values = row[len(_ACCOUNT_KEYS) :]
        return account, session_of_row(dict(zip(_SESSION_KEYS, values, strict=True)))

    def list_sessions(
        self, account_id: str, *, limit: int, after: str | None = None
    ) -> list[SessionRecord]:
        """Live sessions of an account (not deleted, not purged: R14, R17), newest first,
        keyset-paginated by (created_at, id)."""
        s = t.sessions.c
        query = select(t.sessions).where(
            s.account_id == account_id, s.deleted_at.is_(None), s.purged_at.is_(None)
        )
        if after is not None:
            anchor = self.get_session(after)
            if anchor is not None:
                query = query.where(
                    or_(
                        s.created_at < anchor.created_at,
                        and_(s.created_at == anchor.created_at, s.id < anchor.id),
                    )
                )
        rows = self.conn.execute(query.order_by(s.created_at.desc(), s.id.desc()).limit(limit))
        return [session_of_row(r._mapping) for r in rows]

    def account_session_ids(self, account_id: str) -> list[str]:
        s = t.sessions.c
        return list(
            self.conn.execute(
                select(s.id).where(s.account_id == account_id).order_by(s.created_at, s.id)
            ).scalars()
        )

    def add_activity(self, session_id: str, *, at: datetime, covered: bool, kind: str) -> int:
        return _INSERT_ACTIVITY.insert(
            self.conn, {"session_id": session_id, "at": at, "covered": covered, "kind": kind}
        )

    def record_activity(
        self, session_id: str, *, at: datetime, covered: bool, retain_until: datetime
    ) -> None:
        """Move the session's projections forward after an activity (R10, R12)."""
        _RECORD_ACTIVITY[covered].execute(
            self.conn, {"p_session_id": session_id, "p_at": at, "p_retain_until": retain_until}
        )

    # -- messages -------------------------------------------------------------------
    def record_message(
        self,
        message: MessageRecord,
        *,
        retain_until: datetime,
        event: str,
        payload: dict[str, Any],
        content: str | None = None,
    ) -> None:
        """The append's writes: its activity (kind ``message``), the session's projections
        (R10, R12), the message and its outbox event. One statement on PostgreSQL (three
        round trips fewer); on SQLite the four statements each method above sends.
        ``content``: as :meth:`insert_message`'s."""
        text = message.content if content is None else content
        row = event_row(event, payload, message.at)
        at, covered, sid = message.at, message.covered, message.session_id
        if self.conn.dialect.name == "postgresql":
            _APPEND_WRITES[covered].execute(
                self.conn,
                {
                    "p_session_id": sid,
                    "p_at": at,
                    "p_covered": covered,
                    "p_kind": "message",
                    "p_retain_until": retain_until,
                    "p_id": message.id,
                    "p_role": message.role.value,
                    "p_content": text,
                    "p_author": message.author.value,
                    "p_event_id": row["event_id"],
                    "p_type": row["type"],
                    "p_payload": row["payload"],
                },
            )
            return
        self.add_activity(sid, at=at, covered=covered, kind="message")
        self.record_activity(sid, at=at, covered=covered, retain_until=retain_until)
        SqlSessionStore.insert_message(self, message, content=text)  # not a subclass's
        INSERT_EVENT.execute(self.conn, row)

    def insert_message(self, message: MessageRecord, *, content: str | None = None) -> None:
        """``content``: the text to store instead of the record's (the crypto store's
        sealed text, so that it does not rebuild the record: 2.2 us, issue 26)."""
        _INSERT_MESSAGE.execute(
            self.conn,
            {
                "id": message.id,
                "session_id": message.session_id,
                "role": message.role.value,
                "content": message.content if content is None else content,
                "at": message.at,
                "covered": message.covered,
                "author": message.author.value,
            },
        )

    def messages(self, session_id: str, *, upto: datetime | None = None) -> list[MessageRecord]:
        m = t.messages.c
        query = select(t.messages).where(m.session_id == session_id)
        if upto is not None:
            query = query.where(m.at <= upto)
        rows = self.conn.execute(query.order_by(m.at, m.id))
        return [_message(r) for r in rows]

    def get_message(self, message_id: str) -> MessageRecord | None:
        row = self.conn.execute(select(t.messages).where(t.messages.c.id == message_id)).first()
        return None if row is None else _message(row)

    # -- feedback -------------------------------------------------------------------
    def insert_feedback(self, fb: FeedbackRecord) -> None:
        self.conn.execute(
            insert(t.feedback).values(
                id=fb.id,
                account_id=fb.account_id,
                session_id=fb.session_id,
                message_id=fb.message_id,
                rating=fb.rating.value,
                comment=fb.comment,
                at=fb.at,
                choice_at_submission=fb.choice_at_submission.value,
                retain_until=fb.retain_until,
                purge_at=fb.retain_until,
            )
        )

    def account_feedback(self, account_id: str) -> list[FeedbackRecord]:
        f = t.feedback.c
        rows = self.conn.execute(
            select(t.feedback)
            .where(f.account_id == account_id, f.deleted_at.is_(None), f.purged_at.is_(None))
            .order_by(f.at, f.id)
        )
        return [
            FeedbackRecord(
                id=r.id,
                account_id=r.account_id,
                session_id=r.session_id,
                message_id=r.message_id,
                rating=Rating(r.rating),
                comment=r.comment,
                at=r.at,
                choice_at_submission=Training(r.choice_at_submission),
                retain_until=r.retain_until,
                deleted_at=r.deleted_at,
            )
            for r in rows
        ]
