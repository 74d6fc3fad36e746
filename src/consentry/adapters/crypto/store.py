"""The crypto adapter between the SQL store and the service (issue 26).

:class:`EncryptingStore` is the unit of work's SQL store with message texts and feedback
comments sealed (:mod:`consentry.adapters.crypto.content`) on their way in, under the
data key of their scope, and opened on their way out, so the service reads plain text
and never sees a key. One AEAD call per value; the key comes from the vault's in-process
cache after the first message of a session, so an append costs no extra round trip.

Values written before encryption was turned on stay readable (no prefix, no key needed).
A value whose key was destroyed reads as :data:`PURGED_TEXT`: that only happens for an
item a sweep purged in a transaction that then failed, or in a restored backup before
``db restore`` replayed the purges.

Safety scores are sealed too (under their hold's key). :class:`DecryptingRuns` opens the
set-based reads of the run store (export pages, first messages). The lake export copies
rows as they are, so the lake carries ciphertext (docs/retention.md).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine, and_, bindparam, exists, func, select, update

from consentry.adapters.crypto.content import (
    is_encrypted,
    open_text,
    open_with,
    row_context,
    seal_text,
    seal_with,
)
from consentry.adapters.crypto.export_pages import opened_page
from consentry.adapters.crypto.memo import ScopeMemo, memo_for
from consentry.adapters.sql import tables as t
from consentry.adapters.sql.key_scopes import session_key_scopes
from consentry.adapters.sql.ledger_tree import SqlLedgerTree
from consentry.adapters.sql.runs_store import SqlRunStore
from consentry.adapters.sql.store import SqlStore
from consentry.adapters.sql.uow import SqlUnitOfWork
from consentry.config.sealing import SecretBox
from consentry.service.keys import (
    DataKeyStore,
    KeyUnavailable,
    feedback_scope,
    pool_scope,
    scores_scope,
    session_key_scope,
    session_scope,
)
from consentry.service.ports.runs import ExportFeedbackRow, ExportMessageRow
from consentry.service.records import FeedbackRecord, HoldRecord, MessageRecord, SessionRecord

PURGED_TEXT = ""
_S, _M = t.sessions.c, t.messages.c
_KEY_OF_SESSION = select(_S.key_id, exists().where(_M.session_id == bindparam("p_id"))).where(
    _S.id == bindparam("p_id")
)
"""A session's ``key_id`` and whether it has a message: built once (a statement built per
new session cost about half of what finding its key cost, measured with cProfile)."""
_CLAIM = (
    update(t.sessions)
    .where(_S.id == bindparam("p_id"), _S.key_id.is_(None))
    .values(key_id=bindparam("p_key"))
)


class EncryptingStore(SqlStore):
    """The SQL store over the same connection; seals and opens message and comment texts.

    A subclass, not a wrapper: every other method is the SQL store's own, so an append
    pays no forwarding (a ``__getattr__`` wrapper cost each forwarded call a failed
    lookup and an ``AttributeError``: about a third of what shredding added to an
    append, counted with callgrind, BENCHMARKS.md).
    """

    def __init__(self, conn: Connection, keys: DataKeyStore) -> None:
        super().__init__(conn)
        self._keys = keys
        self._memo: ScopeMemo = memo_for(keys)
        self._aead: Callable[..., AESGCM | None] = getattr(keys, "aead", None) or partial(
            _aead_of_key, keys
        )
        """The scope's AEAD object: the vault's, kept with its cached key (one per key, not
        per message), called directly (a method between cost more than it saved);
        made from the key for a key store without one."""
        self.claims: dict[str, str] = {}
        """This transaction's pool-key claims (session id -> scope): the process's memo
        learns them only once the transaction committed (:class:`CryptoUnitOfWork`)."""

    def insert_session(self, session: SessionRecord, *, key_id: str | None = None) -> None:
        """A new session claims its pool key in its own insert: its first message then
        finds the scope in the memo (or ``claims``) and reads and writes nothing more.
        Measured: a claim at the first message was one read and one compare-and-set per
        session, most of shredding's ~230 us CPU per new session (BENCHMARKS.md)."""
        if key_id is None:
            key_id, _ = self._keys.pool_key()
        super().insert_session(session, key_id=key_id)
        self.claims[session.id] = pool_scope(key_id)

    def insert_message(self, message: MessageRecord, *, content: str | None = None) -> None:
        """Sealed under the session's key. A session made while shredding was off (no
        key claimed in its insert) claims a pool key (``sessions.key_id``) with its first
        sealed message, in this transaction, so the claim is exactly as durable as the
        ciphertext, and the key was durable before either (issue 26 key pool)."""
        super().insert_message(message, content=self._sealed(message, content))

    def record_message(
        self,
        message: MessageRecord,
        *,
        retain_until: datetime,
        event: str,
        payload: dict[str, Any],
        content: str | None = None,
    ) -> None:
        """The append's writes with the text sealed as :meth:`insert_message` seals it."""
        sealed = self._sealed(message, content)
        super().record_message(
            message, retain_until=retain_until, event=event, payload=payload, content=sealed
        )

    def _sealed(self, message: MessageRecord, content: str | None) -> str:
        sid = message.session_id
        scope = self.claims.get(sid) or self._memo.get(sid) or self._scope_for_append(sid)
        aead = self._aead(scope, create=not scope.startswith("pool:"))
        if aead is None:
            raise KeyUnavailable(f"the data key of session {sid} was destroyed")
        context = f"messages:{message.id}:{sid}".encode()  # row_context, inlined
        text = message.content if content is None else content
        return seal_with(aead, text, context=context)

    def _scope_for_append(self, session_id: str) -> str:
        """A session not in the memo: its claimed key; else, with no message yet, a pool
        key claimed now (compare-and-set on a NULL ``key_id``); else (messages from before
        the pool or before shredding) ``session:<id>`` as they are."""
        row = self.conn.execute(_KEY_OF_SESSION, {"p_id": session_id}).first()
        if row is not None and row[0] is None and not row[1]:
            key_id, _ = self._keys.pool_key()
            claimed = self.conn.execute(_CLAIM, {"p_id": session_id, "p_key": key_id}).rowcount
            if claimed == 1:
                self.claims[session_id] = pool_scope(key_id)
                return pool_scope(key_id)
            # another writer claimed first: its key, unclaimed ours (collected later)
            row = self.conn.execute(_KEY_OF_SESSION, {"p_id": session_id}).first()
        if row is None:  # no such session: the insert fails on its own
            return session_scope(session_id)
        self._memo.put(session_id, session_key_scope(session_id, row[0]))
        return session_key_scope(session_id, row[0])

    def claims_committed(self) -> None:
        """The transaction committed: the process may now trust its claims."""
        for session_id, scope in self.claims.items():
            self._memo.put(session_id, scope)
        self.claims.clear()

    def session_key_scope(self, session_id: str) -> str:
        """The scope of this session's message key, for reads."""
        scope = self.claims.get(session_id) or self._memo.get(session_id)
        if scope is None:
            key_id = self.conn.execute(_KEY_OF_SESSION, {"p_id": session_id}).scalar()
            scope = session_key_scope(session_id, key_id)
            if key_id:  # a claim never changes; a NULL may still be claimed
                self._memo.put(session_id, scope)
        return scope

    def messages(self, session_id: str, *, upto: datetime | None = None) -> list[MessageRecord]:
        rows = super().messages(session_id, upto=upto)
        if not rows:
            return rows
        aead = self._aead(self.session_key_scope(session_id), create=False)
        return [self._open_message(aead, m) for m in rows]

    def get_message(self, message_id: str) -> MessageRecord | None:
        m = super().get_message(message_id)
        if m is None:
            return None
        aead = self._aead(self.session_key_scope(m.session_id), create=False)
        return self._open_message(aead, m)

    def insert_feedback(self, fb: FeedbackRecord) -> None:
        if fb.comment is not None:
            key = self._keys.data_key(feedback_scope(fb.id), create=True)
            assert key is not None
            fb = dataclasses.replace(
                fb, comment=seal_text(key, fb.comment, context=_feedback_context(fb))
            )
        super().insert_feedback(fb)

    def account_feedback(self, account_id: str) -> list[FeedbackRecord]:
        rows = super().account_feedback(account_id)
        keys = self._keys.data_keys(feedback_scope(f.id) for f in rows if f.comment)
        return [self._open_feedback(keys.get(feedback_scope(f.id)), f) for f in rows]

    def insert_hold(
        self, hold: HoldRecord, *, scores: dict[str, float] | None, scores_until: datetime | None
    ) -> None:
        """Scores are sealed under the hold's own key (scope ``scores:<hold id>``, R16)."""
        super().insert_hold(hold, scores=scores, scores_until=scores_until)
        if scores is None:
            return
        key = self._keys.data_key(scores_scope(hold.id), create=True)
        assert key is not None
        plain = json.dumps(scores, sort_keys=True)
        sealed = seal_text(key, plain, context=scores_context(hold.id, hold.session_id))
        self.conn.execute(update(t.holds).where(t.holds.c.id == hold.id).values(scores=sealed))

    @staticmethod
    def _open_message(aead: AESGCM | None, m: MessageRecord) -> MessageRecord:
        try:
            text = open_with(aead, m.content, context=_message_context(m))
        except KeyUnavailable:
            text = PURGED_TEXT
        return dataclasses.replace(m, content=text)

    @staticmethod
    def _open_feedback(key: bytes | None, f: FeedbackRecord) -> FeedbackRecord:
        if f.comment is None:
            return f
        try:
            text: str | None = open_text(key, f.comment, context=_feedback_context(f))
        except KeyUnavailable:
            text = None
        return dataclasses.replace(f, comment=text)


def _aead_of_key(keys: DataKeyStore, scope: str, *, create: bool) -> AESGCM | None:
    key = keys.data_key(scope, create=create)
    return None if key is None else AESGCM(key)


def _message_context(m: MessageRecord) -> bytes:
    return row_context("messages", m.id, m.session_id)


def _feedback_context(f: FeedbackRecord) -> bytes:
    return feedback_context(f.id)


def feedback_context(feedback_id: str) -> bytes:
    """A comment is bound to its feedback row only: exported feedback is de-linked from
    its session (R13), and its key is its own (scope ``feedback:<id>``) anyway."""
    return row_context("feedback", feedback_id, "-")


def scores_context(hold_id: str, session_id: str) -> bytes:
    return row_context("holds", hold_id, session_id)


class DecryptingRuns(SqlRunStore):
    """The run store with the set-based reads that carry text (run export pages, the
    data-use page's first messages) decrypted here, in Python, after the query, with one
    batch read of a chunk's keys. A subclass, like :class:`EncryptingStore`."""

    def __init__(self, conn: Connection, keys: DataKeyStore, *, box: SecretBox | None) -> None:
        super().__init__(conn, box=box)
        self._keys = keys

    def export_messages_page(self, run_id: str, **kw: Any) -> list[ExportMessageRow]:
        """A row whose key is gone (a purge whose batch failed to commit) stops the export
        with ``key_unavailable``: the next sweep tombstones it, then the export reruns."""
        return opened_page(self.export_messages_keyed(run_id, **kw), self._keys)

    def export_feedback_page(self, run_id: str, **kw: Any) -> list[ExportFeedbackRow]:
        rows = super().export_feedback_page(run_id, **kw)
        keys = self._keys.data_keys(
            feedback_scope(r.feedback_id) for r in rows if is_encrypted(r.comment)
        )
        return [
            r
            if r.comment is None
            else r._replace(
                comment=open_text(
                    keys.get(feedback_scope(r.feedback_id)),
                    r.comment,
                    context=feedback_context(r.feedback_id),
                ),
            )
            for r in rows
        ]

    def first_user_messages(
        self, session_ids: list[str], *, chars: int, account_id: str | None = None
    ) -> dict[str, str]:
        """As the run store's, but the text is fetched whole and opened here (a substring
        of a ciphertext means nothing)."""
        if not session_ids:
            return {}
        m, s = t.messages.c, t.sessions.c
        wanted: Any = session_ids
        if account_id is not None:
            wanted = select(s.id).where(s.id.in_(session_ids), s.account_id == account_id)
        first = (
            select(m.session_id, func.min(m.at).label("at"))
            .where(m.session_id.in_(wanted), m.role == "user")
            .group_by(m.session_id)
            .subquery()
        )
        rows = self.conn.execute(
            select(m.session_id, m.id, m.content)
            .join(first, and_(m.session_id == first.c.session_id, m.at == first.c.at))
            .where(m.role == "user")
            .order_by(m.session_id, m.id)
        ).all()
        scopes = session_key_scopes(self.conn, (r[0] for r in rows if is_encrypted(r[2])))
        keys = self._keys.data_keys(scopes.values())
        found: dict[str, str] = {}
        for sid, mid, content in rows:
            if sid in found:
                continue
            text = _open_or_none(
                keys.get(scopes.get(sid, "")), content, row_context("messages", mid, sid)
            )
            found[sid] = (text or PURGED_TEXT)[:chars]
        return found


def _open_or_none(key: bytes | None, stored: str | None, context: bytes) -> str | None:
    if stored is None:
        return None
    try:
        return open_text(key, stored, context=context)
    except KeyUnavailable:
        return None


class CryptoUnitOfWork(SqlUnitOfWork):
    """A unit of work whose store is an :class:`EncryptingStore` and whose run store is a
    :class:`DecryptingRuns`, both over its connection; the rest is the SQL unit of
    work's own.

    A subclass, not a wrapper around one: a wrapper's ``__enter__`` made the plain stores
    and then the crypto ones, and forwarded every other attribute through
    ``__getattr__`` (about 5 us an append, issue 26). ``commit`` tells the store once the
    transaction's pool-key claims are durable.
    """

    store: EncryptingStore
    runs: DecryptingRuns

    def __init__(self, engine: Engine, *, keys: DataKeyStore, **kwargs: Any) -> None:
        super().__init__(engine, **kwargs)
        self._keys = keys

    def _open_stores(self, conn: Connection) -> None:
        self.store = EncryptingStore(conn, self._keys)
        self.runs = DecryptingRuns(conn, self._keys, box=self._box)
        self.ledger = SqlLedgerTree(conn)

    def commit(self) -> None:
        super().commit()
        if self.store.claims:
            self.store.claims_committed()
