"""The data-key vault: wrapped data keys in a database of their own (issue 26).

The vault is deliberately *not* a table of the content database: every backup, replica
or dump of that database would otherwise carry the wrapped keys, and the KEK an operator
keeps would open them, so no purge could ever reach a backup. Here a backup of the
content database holds ciphertext only; the keys that still exist are in the vault, and a
purged scope's key is in no copy the operator keeps longer than the vault's own backups
(docs/retention.md: keep those shorter than the purge deadline, or replicate instead).

SQLite vaults run with ``secure_delete`` (a destroyed key's bytes are overwritten) in WAL
mode, and every destruction ends with a truncating checkpoint, so the WAL's older frames,
which still hold the key, are emptied too (measured: a new key costs 0.7 ms CPU and 9 ms
wall with WAL against 1.2 ms and 28 ms with a rollback journal, both fully synced).
A PostgreSQL vault must be vacuumed for the same effect (docs/retention.md).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from consentry.adapters.crypto.memo import ScopeMemo, TtlCache
from consentry.adapters.sql.engine import private_sqlite_files
from consentry.service.keys import KeyEncryptionKey, pool_scope

metadata = MetaData()
data_keys = Table(
    "data_keys",
    metadata,
    Column("scope", String(80), primary_key=True),
    Column("kek_id", String(32), nullable=False, index=True),
    Column("wrapped", LargeBinary, nullable=False),
    # Unix seconds of the key's creation (``keys collect``'s grace age); NULL for keys
    # made before the column existed, until the first collection stamps them.
    Column("created_at", BigInteger, nullable=True),
)

CACHE_SIZE = 4096
CACHE_TTL_S = 300.0
"""How long a process trusts a cached key: a key another process destroyed (a sweep or
``keys collect`` run from the CLI) leaves this process's memory within this time."""
_IN_CHUNKS = 500
_INSERT_KEY = insert(data_keys)
"""Built once: a new key's insert with its values as parameters reuses one compiled
statement; ``insert().values(...)`` built per key made the statement and its cache key
anew each time (measured 2026-12-06, 500 keys a round, alternating, same process: 0.47
against 0.30 ms CPU per new key, synced to disk both ways)."""
DEFAULT_POOL_SIZE = 64
"""Pool keys made per durable vault transaction (docs/retention.md "Key pool")."""
DEFAULT_POOL_MAX_AGE_S = 3600
"""A process never hands out a pool key older than this (by its stored ``created_at``);
``keys collect`` destroys an unclaimed one only past this age plus its grace age, so no
key a live process could still hand out, or a claim still in flight, is ever collected.
Far below the shortest retention (days), so a pool key is never older than what it
protects by more than this."""


class SqlKeyVault:
    """A :class:`~consentry.service.keys.DataKeyStore` over SQLite or PostgreSQL.

    Unwrapped keys are cached in this process (bounded, oldest first out,
    each for at most :data:`CACHE_TTL_S`), so an append unwraps its session's key once,
    not per message; :meth:`destroy` evicts them at once. A cached key's AEAD object
    (:meth:`aead`) lives in the same entry, so it goes exactly when the key goes.
    """

    def __init__(
        self,
        engine: Engine,
        kek: KeyEncryptionKey,
        *,
        pool_size: int = DEFAULT_POOL_SIZE,
        pool_max_age_s: int = DEFAULT_POOL_MAX_AGE_S,
    ) -> None:
        if pool_size < 1 or pool_max_age_s < 1:
            raise ValueError("the key pool's size and maximum age must be at least 1")
        self.engine = engine
        self.kek = kek
        self.pool_size = pool_size
        self.pool_max_age_s = pool_max_age_s
        self._cache: TtlCache[_Entry] = TtlCache(CACHE_SIZE, CACHE_TTL_S)
        self._pool: deque[tuple[str, bytes, int]] = deque()
        """Unclaimed pool keys this process made: (key id, key, stored created_at)."""
        self._pool_lock = threading.Lock()
        self.scope_memo = ScopeMemo()
        """Which scope each session's messages use (:func:`~.memo.memo_for`)."""
        metadata.create_all(engine)
        if not _has_created_at(engine):
            try:
                with engine.begin() as conn:  # a vault made before ``keys collect`` existed
                    conn.exec_driver_sql("ALTER TABLE data_keys ADD COLUMN created_at BIGINT")
            except DBAPIError:
                if not _has_created_at(engine):  # not another process adding it meanwhile
                    raise

    @classmethod
    def open(cls, url: str, kek: KeyEncryptionKey, **pool: int) -> SqlKeyVault:
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            private_sqlite_files(url)  # wrapped keys: owner-only, with their WAL and SHM
            event.listen(engine, "connect", _sqlite_pragmas)
        return cls(engine, kek, **pool)

    def pool_key(self) -> tuple[str, bytes]:
        """A pool key for a new session (``pool:<key id>``), durable before it is returned.

        Handed out once: the caller claims it in ``sessions.key_id`` in the session's
        insert (or its first sealed message's transaction); if that transaction fails the key stays
        unclaimed and ``keys collect`` destroys it after :attr:`pool_max_age_s` plus its
        grace age. Keys past the maximum age are dropped here, never handed out."""
        with self._pool_lock:
            now = time.time()
            while self._pool:
                key_id, key, made = self._pool.popleft()
                if now - made < self.pool_max_age_s:
                    break
            else:
                fresh = self._make_pool(self.pool_size)
                key_id, key, _ = fresh[0]
                self._pool.extend(fresh[1:])
        self._remember(pool_scope(key_id), key)
        return key_id, key

    def _make_pool(self, n: int) -> list[tuple[str, bytes, int]]:
        """``n`` new keys in ONE durable vault transaction (one fsync for all of them)."""
        made_at = int(time.time())
        made: list[tuple[str, bytes, int]] = []
        rows: list[dict[str, Any]] = []
        batch = secrets.token_hex(12)
        for i in range(n):  # handed out in this order (``keys collect`` reads the batches)
            key_id, key = f"{batch}-{i:04d}", secrets.token_bytes(32)
            kek_id, wrapped = self.kek.wrap(key, context=pool_scope(key_id))
            rows.append(
                {"scope": pool_scope(key_id), "kek_id": kek_id, "wrapped": wrapped,
                 "created_at": made_at}
            )  # fmt: skip
            made.append((key_id, key, made_at))
        with self.engine.begin() as conn:
            conn.execute(_INSERT_KEY, rows)
        return made

    def pool_held(self) -> int:
        """How many unclaimed pool keys this process holds (for tests and status)."""
        with self._pool_lock:
            return len(self._pool)

    def _remember(self, scope: str, key: bytes) -> None:
        self._cache.put(scope, _Entry(key))

    def _cached(self, scope: str) -> bytes | None:
        entry = self._cache.get(scope)
        return None if entry is None else entry.key

    def aead(self, scope: str, *, create: bool) -> AESGCM | None:
        """The scope's key as an AES-GCM object, made once per cached key and kept in its
        cache entry (same TTL, evicted with it by :meth:`destroy`); None as
        :meth:`data_key`. One per message was 3.5k of OpenSSL's 8.1k instructions per
        sealed append (issue 26, callgrind, BENCHMARKS.md). A hit is inlined here: every
        append takes it."""
        entry = self._cache.get(scope)
        if entry is not None:
            if entry.aead is None:  # two threads may both make one: either is right
                entry.aead = AESGCM(entry.key)
            return entry.aead
        key = self.data_key(scope, create=create)  # drops an expired entry; may read or make
        if key is None:
            return None
        entry = self._cache.get(scope)
        if entry is None or entry.key is not key:  # evicted meanwhile: not kept
            return AESGCM(key)
        if entry.aead is None:
            entry.aead = AESGCM(key)
        return entry.aead

    def data_key(self, scope: str, *, create: bool) -> bytes | None:
        key = self._cached(scope)
        if key is not None:
            return key
        if not create:
            return self.data_keys([scope]).get(scope)
        # Insert first: a new session's key costs one statement; an existing one (a cold
        # cache after a restart) meets the primary key and is read instead.
        fresh = secrets.token_bytes(32)
        kek_id, wrapped = self.kek.wrap(fresh, context=scope)
        row = {"scope": scope, "kek_id": kek_id, "wrapped": wrapped, "created_at": int(time.time())}
        try:
            with self.engine.begin() as conn:  # its own transaction: durable before use
                conn.execute(_INSERT_KEY, row)
        except IntegrityError:
            return self.data_keys([scope]).get(scope)
        self._remember(scope, fresh)
        return fresh

    def data_keys(self, scopes: Iterable[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        missing: list[str] = []
        for scope in dict.fromkeys(scopes):
            key = self._cached(scope)
            if key is None:
                missing.append(scope)
            else:
                found[scope] = key
        if not missing:  # every key cached: no pool checkout (an export asks per chunk)
            return found
        with self.engine.connect() as conn:
            for chunk in _chunks(missing):
                rows = conn.execute(select(data_keys).where(data_keys.c.scope.in_(chunk)))
                for row in rows:
                    key = self.kek.unwrap(row.kek_id, row.wrapped, context=row.scope)
                    self._remember(row.scope, key)
                    found[row.scope] = key
        return found

    def destroy(self, scopes: Iterable[str]) -> int:
        wanted = list(dict.fromkeys(scopes))
        for scope in wanted:
            self._cache.pop(scope)
        n = 0
        with self.engine.begin() as conn:
            for chunk in _chunks(wanted):
                n += conn.execute(delete(data_keys).where(data_keys.c.scope.in_(chunk))).rowcount
        if n and self.engine.dialect.name == "sqlite":
            # Copy the overwritten pages into the file and empty the WAL, whose older
            # frames still hold the keys (best effort: a reader in flight defers it to
            # the next destroy or checkpoint).
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return n

    def rewrap(self, limit: int) -> int:
        """Re-wrap up to ``limit`` keys under the current KEK, one transaction per call."""
        current = self.kek.current_id
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(data_keys).where(data_keys.c.kek_id != current).limit(limit)
            ).all()
            for row in rows:
                key = self.kek.unwrap(row.kek_id, row.wrapped, context=row.scope)
                kek_id, wrapped = self.kek.wrap(key, context=row.scope)
                conn.execute(
                    update(data_keys)
                    .where(data_keys.c.scope == row.scope)
                    .values(kek_id=kek_id, wrapped=wrapped)
                )
        return len(rows)

    def scopes_page(self, after: str | None, limit: int) -> list[tuple[str, int | None]]:
        """``(scope, created_at)`` of up to ``limit`` keys after ``after``, by scope."""
        query = select(data_keys.c.scope, data_keys.c.created_at)
        if after is not None:
            query = query.where(data_keys.c.scope > after)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(data_keys.c.scope).limit(limit)).all()
        return [(str(scope), None if at is None else int(at)) for scope, at in rows]

    def stamp_unknown_ages(self, scopes: list[str], now: int) -> None:
        """Give keys of unknown age (made before ``created_at`` existed) the age ``now``."""
        with self.engine.begin() as conn:
            for chunk in _chunks(scopes):
                conn.execute(
                    update(data_keys)
                    .where(data_keys.c.scope.in_(chunk), data_keys.c.created_at.is_(None))
                    .values(created_at=now)
                )

    def kek_ids_in_use(self) -> dict[str, int]:
        """How many keys each KEK wraps (for ``consentry keys status``)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(data_keys.c.kek_id, func.count()).group_by(data_keys.c.kek_id)
            )
            return {str(kid): int(n) for kid, n in rows}


class _Entry:
    """A cached key and its AEAD object once one was asked for."""

    __slots__ = ("aead", "key")

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.aead: AESGCM | None = None


def _has_created_at(engine: Engine) -> bool:
    return "created_at" in {c["name"] for c in inspect(engine).get_columns("data_keys")}


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _IN_CHUNKS):
        yield items[start : start + _IN_CHUNKS]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA journal_size_limit=0")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
