"""Which data key protects a session's messages: ``sessions.key_id`` read in batches.

Issue 26's key pool (docs/retention.md "Key pool"): a session that claimed a pool key
(in its insert, or with its first sealed message) has ``key_id`` set (migration 0015);
NULL is the older scheme, scope
``session:<id>``. :func:`consentry.service.keys.session_key_scope` maps the two; these
are the reads it is fed from, for the crypto adapter, the sweeper's purge store and
``keys collect``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from consentry.adapters.sql import tables as t
from consentry.service.keys import session_key_scope

_CHUNK = 500


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def session_key_ids(conn: Connection, session_ids: Iterable[str]) -> dict[str, str | None]:
    """``sessions.key_id`` of these sessions (absent: no such session)."""
    s = t.sessions.c
    found: dict[str, str | None] = {}
    for chunk in _chunks(list(dict.fromkeys(session_ids))):
        for sid, key_id in conn.execute(select(s.id, s.key_id).where(s.id.in_(chunk))):
            found[sid] = key_id
    return found


def session_key_scopes(conn: Connection, session_ids: Iterable[str]) -> dict[str, str]:
    """The key scope of each session's messages (a session the database lacks: the old
    scheme's scope, which then names no key)."""
    wanted = list(dict.fromkeys(session_ids))
    key_ids = session_key_ids(conn, wanted)
    return {sid: session_key_scope(sid, key_ids.get(sid)) for sid in wanted}


def claimed_key_ids(conn: Connection, key_ids: Iterable[str]) -> set[str]:
    """The pool key ids that some session claimed (unique index ``ux_sessions_key_id``)."""
    s = t.sessions.c
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(key_ids))):
        found.update(r[0] for r in conn.execute(select(s.key_id).where(s.key_id.in_(chunk))))
    return found
