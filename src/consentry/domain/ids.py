"""Identifiers that sort in the order they were made."""

from __future__ import annotations

import secrets
import threading
import time

_last_ns = 0
_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """`prefix_` + strictly increasing nanoseconds in this process + 64 random bits.

    Items made at the same (test-clock) instant still sort in the order they were made.
    """
    global _last_ns
    with _lock:
        _last_ns = max(time.time_ns(), _last_ns + 1)
        stamp = _last_ns
    return f"{prefix}_{stamp:016x}{secrets.token_hex(8)}"


STAMP_CHARS = 16
"""The hex nanoseconds after the prefix: `stamp(a) < stamp(b)` iff `a` was made first."""


def stamp(identifier: str) -> str:
    """The creation stamp of an id made by :func:`new_id` (its order key)."""
    return identifier.partition("_")[2][:STAMP_CHARS]
