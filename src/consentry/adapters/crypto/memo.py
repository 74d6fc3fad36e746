"""Which key scope each session's messages use, remembered in the process (issue 26).

An append seals under its session's key; the session's scope (its claimed pool key, or
``session:<id>``, :func:`consentry.service.keys.session_key_scope`) is read from
``sessions.key_id`` once and kept here, so later appends read nothing more. Only what a
*committed* transaction shows is kept: a claim made by a transaction that then failed
must never be used again (its key is no session's, and ``keys collect`` destroys it).

One memo per key store (the vault of the process), bounded, least recently used first
out, each entry for at most :data:`TTL_S` (a database restored under a running process
is re-read within that time; ``db restore`` is run with the service stopped anyway).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from typing import Any

SIZE = 8192
TTL_S = 300.0


class ScopeMemo:
    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_id: str) -> str | None:
        with self._lock:
            entry = self._entries.get(session_id)
            if entry is None:
                return None
            if entry[1] < time.monotonic():
                del self._entries[session_id]
                return None
            self._entries.move_to_end(session_id)
            return entry[0]

    def put(self, session_id: str, scope: str) -> None:
        with self._lock:
            self._entries[session_id] = (scope, time.monotonic() + TTL_S)
            self._entries.move_to_end(session_id)
            while len(self._entries) > SIZE:
                self._entries.popitem(last=False)


_MEMOS: weakref.WeakKeyDictionary[Any, ScopeMemo] = weakref.WeakKeyDictionary()
_MEMOS_LOCK = threading.Lock()


def memo_for(keys: Any) -> ScopeMemo:
    """The memo of this key store (made on first use), read from the store's own
    ``scope_memo`` attribute where it has one (the vault: an attribute read, where the weak
    dictionary's ``get`` made a weak reference per transaction); else kept here."""
    memo: ScopeMemo | None = getattr(keys, "scope_memo", None)
    if memo is not None:
        return memo
    memo = _MEMOS.get(keys)
    if memo is None:
        with _MEMOS_LOCK:
            memo = _MEMOS.setdefault(keys, ScopeMemo())
    return memo
