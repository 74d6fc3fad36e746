"""The storage port of the ledger's Merkle tree and its signed checkpoints (issue 21).

The SQL adapter (`adapters/sql/ledger_tree.py`) implements it; a unit of work hands it out
as `uow.ledger`. Appends grow the tree inside `Store.append_consent_event` itself, in the
same transaction as the chain head, so this port only reads the tree and stores notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from consentry.domain.ledger import ConsentEvent
from consentry.domain.merkle import CompactRange, NodeId


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    """A signed checkpoint the service issued: the note text and what it commits to."""

    id: int
    tree_size: int
    root_hash: str
    origin: str
    note: str
    created_at: datetime


class LedgerTreeStore(Protocol):
    def tree_head(self, *, catch_up: bool = False) -> CompactRange:
        """The stored compact range; `catch_up=True` first folds in events it lacks."""
        ...

    def tree_nodes(self, ids: set[NodeId]) -> dict[NodeId, bytes]:
        """Stored hashes of perfect subtrees; `LookupError` when one is missing."""
        ...

    def event_at(self, seq: int) -> ConsentEvent | None: ...
    def insert_checkpoint(
        self, *, tree_size: int, root_hash: str, origin: str, note: str, at: datetime
    ) -> CheckpointRecord: ...
    def checkpoints(
        self, *, limit: int = 100, before: int | None = None
    ) -> list[CheckpointRecord]: ...
