"""Ports for crypto-shredding (issue 26): a key-encryption key and the data keys it wraps.

Content is encrypted under data keys (DEKs), one per *key scope*; destroying a scope's
DEK makes every copy of that content unreadable at once: the live database, its backups,
replicas, and any lake or export file that carries the ciphertext. The scopes follow the
retention of what they protect (R12-R16), because one key cannot outlive a part of what
it encrypts nor die before another part:

- ``session:<session id>``: the session's message texts; destroyed when the sweeper purges
  the session (retention ended, deletion, account deletion; holds keep it, R16);
- ``feedback:<feedback id>``: one feedback comment (R13: its own retention);
- ``scores:<hold id>``: one safety hold's classifier scores (R16: ``safety_scores``);
- ``run:<run id>``: a training run's export shards (export/sealed.py); destroyed by
  ``consentry keys collect`` when the run's export retention ends (docs/retention.md).

The data keys live in a :class:`DataKeyStore` kept outside the database and outside its
backups, wrapped by a :class:`KeyEncryptionKey` (the KMS port: a key file here, a cloud
KMS elsewhere). Destroying a key is O(1) per scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from consentry.domain.errors import ConsentryError


class KeyUnavailable(ConsentryError):
    """A data key that was destroyed (the content was purged), or a KEK that is gone."""

    code = "key_unavailable"


def session_scope(session_id: str) -> str:
    return f"session:{session_id}"


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


@dataclass(frozen=True)
class PurgeEntry:
    """One swept batch, as the purge log outside the database records it (ids, no content)."""

    at: str
    sweep_id: str
    kind: str
    """``sessions``, ``feedback`` or ``scores``: what the ids name."""
    ids: tuple[str, ...]
    keys_destroyed: bool


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


def scopes_of(kind: str, ids: Iterable[str]) -> list[str]:
    """The key scopes that a purge of these items destroys (``kind`` as in PurgeEntry)."""
    scope = _SCOPES[kind]
    return [scope(i) for i in ids]
