"""The storage port of the ledger's Merkle tree and its signed checkpoints (issue 21).

The SQL adapter (`adapters/sql/ledger_tree.py`) implements it; a unit of work hands it out
as `uow.ledger`. Appends grow the tree inside `Store.append_consent_event` itself, in the
same transaction as the chain head, so this port only reads the tree and stores notes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.domain.errors import InvalidInput
from consentry.domain.ledger import LedgerEvent
from consentry.domain.merkle import CompactRange, NodeId
from consentry.domain.run_manifest import ManifestTree, RunManifestEvent
from consentry.verify import VerificationError, load_private_key


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    """A signed checkpoint the service issued: the note text and what it commits to."""

    id: int
    tree_size: int
    root_hash: str
    origin: str
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ManifestItem:
    """One session or feedback item of a run's manifest, with its eligibility evidence."""

    kind: str
    item_id: str
    account_id: str
    include_from: datetime | None


@dataclass(frozen=True, slots=True)
class CheckpointSigner:
    """The log's identity: its origin line (also the signature's key name) and its key."""

    origin: str
    key: Ed25519PrivateKey

    @classmethod
    def from_pem_file(cls, path: str | Path, *, origin: str) -> CheckpointSigner:
        """Reads an Ed25519 PEM key (``openssl genpkey -algorithm ed25519``)."""
        if not origin or any(c.isspace() or c == "+" for c in origin):
            raise InvalidInput(f"origin {origin!r} must be non-empty, without spaces or '+'")
        try:
            pem = Path(path).read_bytes()
        except OSError as error:
            raise InvalidInput(f"cannot read the signing key {path}: {error}") from None
        try:
            return cls(origin, load_private_key(pem))
        except VerificationError as error:
            raise InvalidInput(f"signing key {path}: {error}") from None


class LedgerTreeStore(Protocol):
    def tree_head(self, *, catch_up: bool = False) -> CompactRange:
        """The stored compact range; `catch_up=True` first folds in events it lacks."""
        ...

    def tree_nodes(self, ids: set[NodeId]) -> dict[NodeId, bytes]:
        """Stored hashes of perfect subtrees; `LookupError` when one is missing."""
        ...

    def event_at(self, seq: int) -> LedgerEvent | None: ...
    def entries(self) -> Iterator[LedgerEvent]:
        """The whole ledger in sequence order: accounts' consent events and runs'
        `run_manifest` events merged (R27; issue 21 item 4), streamed."""
        ...

    def run_event(self, run_id: str) -> RunManifestEvent | None:
        """The run's `run_manifest` event, appended in the run's own transaction (None for
        a run created before revision 0010)."""
        ...

    def lock_head(self) -> None:
        """Lock the ledger head until the transaction ends: no append can come between
        this transaction's snapshot and its own append (run creation takes it first)."""
        ...

    def insert_checkpoint(
        self,
        *,
        tree_size: int,
        root_hash: str,
        origin: str,
        note: str,
        at: datetime,
        run_id: str | None = None,
    ) -> CheckpointRecord: ...
    def run_checkpoint(self, run_id: str) -> CheckpointRecord | None: ...
    def run_manifest(self, run_id: str) -> list[ManifestItem]: ...
    def manifest_tree(
        self, run_id: str, *, shown: list[str] | None = None
    ) -> ManifestTree | None: ...
    def checkpoints(
        self, *, limit: int = 100, before: int | None = None
    ) -> list[CheckpointRecord]: ...
