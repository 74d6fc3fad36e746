"""Ports for crypto-shredding (issue 26): a key-encryption key and the data keys it wraps.

Content is encrypted under data keys (DEKs), one per *key scope*; destroying a scope's
DEK makes every copy of that content unreadable at once: the live database, its backups,
replicas, and any lake or export file that carries the ciphertext. The scopes follow the
retention of what they protect (R12-R16), because one key cannot outlive a part of what
it encrypts nor die before another part:

- ``pool:<key id>``: the session's message texts, for a session that claimed a pool key
  (``sessions.key_id``, set in the session's insert, or in its first sealed message's
  transaction for a session made while shredding was off); pool keys
  are made in batches, one durable vault write per batch, so a new session costs none
  (docs/retention.md "Key pool"); destroyed when the sweeper purges the session
  (retention ended, deletion, account deletion; holds keep it, R16);
- ``session:<session id>``: the same for a session without a pool key (``key_id`` NULL:
  one made before the pool, or one with clear-text messages from before shredding);
  :func:`session_key_scope` is the one place that picks between the two;
- ``feedback:<feedback id>``: one feedback comment (R13: its own retention);
- ``scores:<hold id>``: one safety hold's classifier scores (R16: ``safety_scores``);
- ``run:<run id>``: a training run's export shards (export/sealed.py); destroyed by
  ``consentry keys collect`` when the run's export retention ends (docs/retention.md).

The data keys live in a :class:`DataKeyStore` kept outside the database and outside its
backups, wrapped by a :class:`KeyEncryptionKey` (the KMS port: a key file here, a cloud
KMS elsewhere). Destroying a key is O(1) per scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from consentry.domain.errors import ConsentryError


class KeyUnavailable(ConsentryError):
    """A data key that was destroyed (the content was purged), or a KEK that is gone."""

    code = "key_unavailable"


def session_scope(session_id: str) -> str:
    return f"session:{session_id}"


def pool_scope(key_id: str) -> str:
    return f"pool:{key_id}"


def session_key_scope(session_id: str, key_id: str | None) -> str:
    """The scope of a session's message key: its claimed pool key, else ``session:<id>``.

    Every reader and destroyer of a session's key goes through here (the SQL store's
    reads and appends, export pages, ``keys collect``, ``encrypt-existing``, the sweeper,
    the Spark driver), with ``key_id`` read from ``sessions.key_id``."""
    return f"pool:{key_id}" if key_id else f"session:{session_id}"


def feedback_scope(feedback_id: str) -> str:
    return f"feedback:{feedback_id}"


def scores_scope(hold_id: str) -> str:
    return f"scores:{hold_id}"


def run_scope(run_id: str) -> str:
    return f"run:{run_id}"


class KeyEncryptionKey(Protocol):
    """The KMS port: wraps and unwraps 32-byte data keys; never hands out its own key.

    ``context`` binds a wrapped key to its scope (AEAD associated data), so a wrapped key
    copied to another scope does not unwrap. ``current_id`` names the key that new wraps
    use; unwrapping accepts every key id still held (during a rotation, the old ones).
    """

    @property
    def current_id(self) -> str: ...

    def held_ids(self) -> frozenset[str]: ...

    def wrap(self, data_key: bytes, *, context: str) -> tuple[str, bytes]:
        """``(key id, wrapped key)`` under the current KEK."""
        ...

    def unwrap(self, key_id: str, wrapped: bytes, *, context: str) -> bytes: ...


class DataKeyStore(Protocol):
    """Where wrapped data keys live: outside the content database and its backups.

    Each method commits on its own: a destroyed key stays destroyed even if the caller's
    transaction fails afterwards (the content is then unreadable, and the next sweep
    purges it again).
    """

    def data_key(self, scope: str, *, create: bool) -> bytes | None:
        """The scope's DEK; a fresh random one is created and stored when ``create`` and
        the scope has none. None when it has none (never created, or destroyed)."""
        ...

    def data_keys(self, scopes: Iterable[str]) -> dict[str, bytes]:
        """DEKs of the scopes that still have one (a batch read for set-based exports)."""
        ...

    def destroy(self, scopes: Iterable[str]) -> int:
        """Delete these scopes' wrapped keys, overwriting their bytes; returns how many
        existed. Idempotent."""
        ...

    def rewrap(self, limit: int) -> int:
        """Re-wrap up to ``limit`` keys not under the current KEK; returns how many (0:
        the rotation is complete). Content is never re-encrypted."""
        ...

    def pool_key(self) -> tuple[str, bytes]:
        """``(key id, key)`` of a pool key no one else was handed: durable in the store
        before it is returned (its scope is ``pool:<key id>``). Made in batches, so most
        calls cost no write; never one older than the pool's maximum age."""
        ...


@dataclass(frozen=True)
class PurgeEntry:
    """One swept batch, as the purge log outside the database records it (ids, no content)."""

    at: str
    sweep_id: str
    kind: str
    """``sessions``, ``feedback`` or ``scores``: what the ids name; or ``pool``: pool key
    ids ``keys collect`` destroyed unclaimed (a restored newer backup's sessions that did
    claim them are purged by ``db restore``)."""
    ids: tuple[str, ...]
    keys_destroyed: bool
    scopes: tuple[str, ...] = ()
    """The key scopes destroyed for these ids (empty in entries written before the pool)."""


class PurgeRecorder(Protocol):
    """The purge log: append-only, outside the database and its backups, so a restored
    backup can be brought up to date (``consentry db restore`` replays it)."""

    def append(self, entry: PurgeEntry) -> None: ...

    def entries(self) -> Iterator[PurgeEntry]: ...


@dataclass(frozen=True)
class Shredder:
    """What the sweeper needs to make a purge reach every copy: the data keys to destroy
    and the log to record the purge in first."""

    keys: DataKeyStore
    log: PurgeRecorder


_SCOPES = {"sessions": session_scope, "feedback": feedback_scope, "scores": scores_scope}


def scopes_of(kind: str, ids: Iterable[str], key_ids: Mapping[str, str | None]) -> list[str]:
    """The key scopes that a purge of these items destroys (``kind`` as in PurgeEntry).

    A session's are its claimed pool key (``key_ids``: ``sessions.key_id`` by session id)
    and ``session:<id>`` always: a pooled session has no such key, but destroying a
    scope that does not exist costs nothing and leaves no key of it behind either way."""
    scope = _SCOPES[kind]
    found: list[str] = []
    for i in ids:
        key_id = key_ids.get(i) if kind == "sessions" else None
        if key_id:
            found.append(session_key_scope(i, key_id))
        found.append(scope(i))
    return found
