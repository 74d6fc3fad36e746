"""Which key scope each session's messages use, remembered in the process (issue 26).

An append seals under its session's key; the session's scope (its claimed pool key, or
``session:<id>``, :func:`consentry.service.keys.session_key_scope`) is read from
``sessions.key_id`` once and kept here, so later appends read nothing more. Only what a
*committed* transaction shows is kept: a claim made by a transaction that then failed
must never be used again (its key is no session's, and ``keys collect`` destroys it).

One memo per key store (the vault of the process), bounded, oldest first
out, each entry for at most :data:`TTL_S` (a database restored under a running process
is re-read within that time; ``db restore`` is run with the service stopped anyway).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from typing import Any, Generic, TypeVar

V = TypeVar("V")

SIZE = 8192
TTL_S = 300.0


class TtlCache(Generic[V]):
    """Bounded, oldest entry first out, each entry trusted for ``ttl_s`` seconds, safe
    across threads. The vault keeps its unwrapped keys in one, this module each session's
    scope.

    A hit takes no lock and does not reorder: one dict read (atomic under the GIL) and a
    clock read. Every append looks up two (its session's scope, then the key), and with a
    lock and an LRU move each cost 1.9 us in an append (issue 26, measured in place).
    Entries expire after ``ttl_s`` anyway, so least-recently-used order would only spare
    a hot entry one re-read when more than ``size`` others arrive within that time."""

    def __init__(self, size: int, ttl_s: float) -> None:
        self._entries: OrderedDict[str, tuple[V, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._size, self._ttl_s = size, ttl_s

    def get(self, key: str) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] < time.monotonic():  # another process may have changed it
            with self._lock:
                if self._entries.get(key) is entry:  # not replaced meanwhile
                    del self._entries[key]
            return None
        return entry[0]

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._entries[key] = (value, time.monotonic() + self._ttl_s)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def pop(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def values(self) -> list[V]:
        """What is held now, expired or not (for checks that nothing holds a value)."""
        with self._lock:
            return [value for value, _ in self._entries.values()]

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries


class ScopeMemo(TtlCache[str]):
    """Session id -> the scope of its message key."""

    def __init__(self) -> None:
        super().__init__(SIZE, TTL_S)


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
