"""The crypto adapter between the SQL store and the service (issue 26).

:class:`EncryptingStore` wraps a unit of work's store: message texts and feedback
comments are sealed (:mod:`consentry.adapters.crypto.content`) on their way in, under the
data key of their scope, and opened on their way out, so the service reads plain text
and never sees a key. One AEAD call per value; the key comes from the vault's in-process
cache after the first message of a session, so an append costs no extra round trip.

Values written before encryption was turned on stay readable (no prefix, no key needed).
A value whose key was destroyed reads as :data:`PURGED_TEXT`: that only happens for an
item a sweep purged in a transaction that then failed, or in a restored backup before
``db restore`` replayed the purges.

Not covered yet (docs/retention.md, "what is left"): the set-based reads that fetch
text in SQL (run exports, the data-use page's first messages, the lake export) and
the safety scores of holds.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from consentry.adapters.crypto.content import open_text, row_context, seal_text
from consentry.service.keys import (
    DataKeyStore,
    KeyUnavailable,
    feedback_scope,
    session_scope,
)
from consentry.service.records import FeedbackRecord, MessageRecord

PURGED_TEXT = ""


class EncryptingStore:
    """Forwards everything to ``inner``; seals and opens message and comment texts."""

    def __init__(self, inner: Any, keys: DataKeyStore) -> None:
        self._inner = inner
        self._keys = keys

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def insert_message(self, message: MessageRecord) -> None:
        key = self._keys.data_key(session_scope(message.session_id), create=True)
        assert key is not None
        sealed = seal_text(key, message.content, context=_message_context(message))
        self._inner.insert_message(dataclasses.replace(message, content=sealed))

    def messages(self, session_id: str, *, upto: datetime | None = None) -> list[MessageRecord]:
        rows: list[MessageRecord] = self._inner.messages(session_id, upto=upto)
        if not rows:
            return rows
        key = self._keys.data_key(session_scope(session_id), create=False)
        return [self._open_message(key, m) for m in rows]

    def get_message(self, message_id: str) -> MessageRecord | None:
        m: MessageRecord | None = self._inner.get_message(message_id)
        if m is None:
            return None
        return self._open_message(self._keys.data_key(session_scope(m.session_id), create=False), m)

    def insert_feedback(self, fb: FeedbackRecord) -> None:
        if fb.comment is not None:
            key = self._keys.data_key(feedback_scope(fb.id), create=True)
            assert key is not None
            fb = dataclasses.replace(
                fb, comment=seal_text(key, fb.comment, context=_feedback_context(fb))
            )
        self._inner.insert_feedback(fb)

    def account_feedback(self, account_id: str) -> list[FeedbackRecord]:
        rows: list[FeedbackRecord] = self._inner.account_feedback(account_id)
        keys = self._keys.data_keys(feedback_scope(f.id) for f in rows if f.comment)
        return [self._open_feedback(keys.get(feedback_scope(f.id)), f) for f in rows]

    @staticmethod
    def _open_message(key: bytes | None, m: MessageRecord) -> MessageRecord:
        try:
            text = open_text(key, m.content, context=_message_context(m))
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


def _message_context(m: MessageRecord) -> bytes:
    return row_context("messages", m.id, m.session_id)


def _feedback_context(f: FeedbackRecord) -> bytes:
    return row_context("feedback", f.id, f.session_id)


class CryptoUnitOfWork:
    """A unit of work whose store is an :class:`EncryptingStore`; the rest is forwarded."""

    def __init__(self, inner: Any, keys: DataKeyStore) -> None:
        self._inner = inner
        self._keys = keys

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def store(self) -> EncryptingStore:
        return EncryptingStore(self._inner.store, self._keys)

    def __enter__(self) -> CryptoUnitOfWork:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)
