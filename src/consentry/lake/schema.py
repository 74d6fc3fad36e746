"""The lake's tables: their Arrow schemas, keys, bucketing and how each is kept current.

Every table is bucketed by ``crc32(bucket_key) % buckets`` (the same function in
pyarrow and Spark, ``F.crc32``), by session for everything that belongs to a session,
so purging a session rewrites one bucket of each table it touches.

``mode`` says how ``lake export`` keeps a table current (see docs/spark.md):

- ``log``: append-only in the system of record; each export appends the rows after the
  table's watermark (``seq`` for the consent ledger, ``(time, id)`` otherwise).
- ``merge``: mutable rows (``sessions.deleted_at``, ``feedback.purged_at``, ...); each
  export re-reads the rows whose key changed since the watermark (found through the
  append-only logs) and replaces them bucket by bucket, copy-on-write.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
STR = pa.string()


@dataclass(frozen=True)
class LakeTable:
    name: str
    schema: pa.Schema
    key: str
    bucket_key: str
    mode: str  # "log" | "merge"
    time_column: str | None = None


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(n, t) for n, t in fields] + [pa.field("bucket", pa.int32())])


ACCOUNTS = LakeTable(
    "accounts",
    _schema(
        ("id", STR),
        ("plan", STR),
        ("scope", STR),
        ("created_at", TS),
        ("training", STR),
        ("terms_accepted", STR),
        ("choice_at", TS),
        ("deleted_at", TS),
        # P21: the region recorded at sign-up (P16; null: none), whose rule set may shorten
        # retention. A table exported before it is rewritten by the next export
        # (``ACCOUNTS_SCHEMA``, :mod:`consentry.lake.export`).
        ("region", STR),
    ),
    key="id",
    bucket_key="id",
    mode="merge",
)
CONSENT_EVENTS = LakeTable(
    "consent_events",
    _schema(
        ("seq", pa.int64()),
        ("event_id", STR),
        ("account_id", STR),
        ("at", TS),
        ("type", STR),
        ("value", STR),
        ("source", STR),
        ("terms_version", STR),
        ("prev_hash", STR),
        ("hash", STR),
        # Issue 23 (P12, P16): the canonical entry's optional members; null where the event
        # has none. A table exported before they existed is rewritten by the next export
        # (``CONSENT_EVENTS_SCHEMA``, :mod:`consentry.lake.export`).
        ("auto_delete", STR),
        ("region", STR),
        ("rule_set", STR),
    ),
    key="seq",
    bucket_key="account_id",
    mode="log",
)
SESSIONS = LakeTable(
    "sessions",
    _schema(
        ("id", STR),
        ("account_id", STR),
        ("kind", STR),
        ("surface", STR),
        ("incognito", pa.bool_()),
        ("scope", STR),
        ("created_at", TS),
        ("last_activity_at", TS),
        ("first_covered_at", TS),
        ("retain_until", TS),
        ("deleted_at", TS),
        ("deleted_purge_at", TS),
        ("legal_hold", pa.bool_()),
        ("hold_keep_until", TS),
        ("purge_at", TS),
        ("purged_at", TS),
        # Issue 26's key pool: the pool key the session's messages are sealed under
        # (scope ``pool:<key_id>``); null: ``session:<id>`` (SESSIONS_SCHEMA 2).
        ("key_id", STR),
    ),
    key="id",
    bucket_key="id",
    mode="merge",
)
ACTIVITIES = LakeTable(
    "activities",
    _schema(
        ("id", pa.int64()),
        ("session_id", STR),
        ("at", TS),
        ("covered", pa.bool_()),
        ("kind", STR),
    ),
    key="id",
    bucket_key="session_id",
    mode="log",
    time_column="at",
)
MESSAGES = LakeTable(
    "messages",
    _schema(
        ("id", STR),
        ("session_id", STR),
        ("role", STR),
        ("content", STR),
        ("at", TS),
        ("covered", pa.bool_()),
        ("author", STR),  # the credential kind that wrote it (issue 17); null: `account`
    ),
    key="id",
    bucket_key="session_id",
    mode="log",
    time_column="at",
)
FEEDBACK = LakeTable(
    "feedback",
    _schema(
        ("id", STR),
        ("account_id", STR),
        ("session_id", STR),
        ("message_id", STR),
        ("rating", STR),
        ("comment", STR),
        ("at", TS),
        ("choice_at_submission", STR),
        ("retain_until", TS),
        ("deleted_at", TS),
        ("purge_at", TS),
        ("purged_at", TS),
    ),
    key="id",
    bucket_key="session_id",
    mode="merge",
)
HOLDS = LakeTable(
    "holds",
    _schema(
        ("id", STR),
        ("session_id", STR),
        ("kind", STR),
        ("placed_at", TS),
        ("released_at", TS),
        ("scores", STR),
        ("scores_retain_until", TS),
    ),
    key="id",
    bucket_key="session_id",
    mode="merge",
)
TOMBSTONES = LakeTable(
    "tombstones",
    _schema(
        ("id", pa.int64()),
        ("item_type", STR),
        ("item_id", STR),
        ("session_id", STR),
        ("account_id", STR),
        ("reason", STR),
        ("purged_at", TS),
        ("sweep_id", STR),
        ("origin", STR),
    ),
    key="id",
    bucket_key="item_id",
    mode="log",
    time_column="purged_at",
)

CONSENT_EVENTS_SCHEMA = 2
"""The version of ``consent_events``' columns, kept in its export state (``schema``):
2 added ``auto_delete``, ``region`` and ``rule_set``. A table without it holds files
written before them, which the next ``lake export`` replaces (docs/spark.md)."""

ACCOUNTS_SCHEMA = 2
"""The version of ``accounts``' columns, kept in its export state (``schema``): 2 added
``region`` (P21). A table without it holds rows written before it, whose null region
cannot be told from an account without one; the next ``lake export`` re-reads every
account and replaces those files (docs/spark.md)."""

SESSIONS_SCHEMA = 2
"""The version of ``sessions``' columns, kept in its export state (``schema``): 2 added
``key_id`` (issue 26's key pool). A table without it holds rows whose null key id would
send ``spark export`` to the wrong data key; the next ``lake export`` re-reads every
session and replaces those files, as for ``accounts``."""

TABLES: tuple[LakeTable, ...] = (
    ACCOUNTS,
    CONSENT_EVENTS,
    SESSIONS,
    ACTIVITIES,
    MESSAGES,
    FEEDBACK,
    HOLDS,
    TOMBSTONES,
)
BY_NAME = {t.name: t for t in TABLES}
DEFAULT_BUCKETS = 16


def bucket_of(key: str, buckets: int) -> int:
    """The bucket of a key: ``crc32(utf-8) % buckets``, equal to Spark's ``crc32(col) % n``."""
    return zlib.crc32(key.encode()) % buckets
