"""The composite in-memory store, the ledger tree fake and the unit of work over them
(issue 20). mypy checks :class:`InMemoryStore` against `Store` and `RunStore`, and
:class:`FakeUnitOfWork` against `UnitOfWork` (the functions at the bottom), so the
tests hand the fake to the real use cases without a cast."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from consentry.domain.ledger import LedgerEvent, entry_of
from consentry.domain.merkle import CompactRange, NodeId, compact_range_of, leaf_hash, root_of
from consentry.domain.run_manifest import ManifestTree, RunManifestEvent
from consentry.service.context import UnitOfWork
from consentry.service.ledger_ports import CheckpointRecord, LedgerTreeStore, ManifestItem
from consentry.service.ports import RunStore, Store
from consentry.service.records import AccountRecord, MessageRecord, SessionRecord
from tests.unit.service.fakes import InMemoryOutbox
from tests.unit.service.fakes_credentials import InMemoryCredentials
from tests.unit.service.fakes_retention import InMemorySweeps
from tests.unit.service.fakes_runs import InMemoryRuns


class InMemoryStore(InMemoryRuns, InMemoryCredentials, InMemorySweeps, InMemoryOutbox):
    """Every storage port in one set of dictionaries: ``uow.store`` and ``uow.runs``
    are this one object, as the SQL unit of work's two stores share one connection."""

    def __init__(self) -> None:
        InMemoryRuns.__init__(self)
        InMemoryCredentials.__init__(self)
        InMemorySweeps.__init__(self)
        InMemoryOutbox.__init__(self)

    def token_account_and_session(
        self, token_hash: str, session_id: str
    ) -> tuple[AccountRecord | None, SessionRecord | None]:
        account = self.account_by_token_hash(token_hash)
        return (None, None) if account is None else (account, self.get_session(session_id))

    def record_message(
        self,
        message: MessageRecord,
        *,
        retain_until: datetime,
        event: str,
        payload: dict[str, Any],
    ) -> None:
        sid, at, covered = message.session_id, message.at, message.covered
        self.add_activity(sid, at=at, covered=covered, kind="message")
        self.record_activity(sid, at=at, covered=covered, retain_until=retain_until)
        self.insert_message(message)
        self.publish(event, payload, at)


class InMemoryLedgerTree:
    """:class:`~consentry.service.ledger_ports.LedgerTreeStore` computed from the store's
    ledger (consent and `run_manifest` events, one chain) on each read, with the RFC 9162
    hashes of `domain.merkle`; manifest trees are built from the frozen manifests."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.stored: list[tuple[CheckpointRecord, str | None]] = []

    def _leaves(self) -> list[bytes]:
        return [leaf_hash(entry_of(e)) for e in self.store.events]

    def tree_head(self, *, catch_up: bool = False) -> CompactRange:
        return compact_range_of(self._leaves())

    def tree_nodes(self, ids: set[NodeId]) -> dict[NodeId, bytes]:
        leaves = self._leaves()
        if any(node.end > len(leaves) for node in ids):
            raise LookupError("a node beyond the tree")
        return {node: root_of(leaves[node.begin : node.end]) for node in ids}

    def event_at(self, seq: int) -> LedgerEvent | None:
        return self.store.events[seq - 1] if 0 < seq <= len(self.store.events) else None

    def entries(self) -> Iterator[LedgerEvent]:
        return iter(list(self.store.events))

    def run_event(self, run_id: str) -> RunManifestEvent | None:
        found = [
            e for e in self.store.events if isinstance(e, RunManifestEvent) and e.run_id == run_id
        ]
        return found[0] if found else None

    def lock_head(self) -> None:
        """One thread writes the dictionaries: nothing can come between."""

    def insert_checkpoint(
        self,
        *,
        tree_size: int,
        root_hash: str,
        origin: str,
        note: str,
        at: datetime,
        run_id: str | None = None,
    ) -> CheckpointRecord:
        record = CheckpointRecord(len(self.stored) + 1, tree_size, root_hash, origin, note, at)
        self.stored.append((record, run_id))
        return record

    def run_checkpoint(self, run_id: str) -> CheckpointRecord | None:
        mine = [record for record, run in self.stored if run == run_id]
        return mine[-1] if mine else None

    def run_manifest(self, run_id: str) -> list[ManifestItem]:
        return self.store.manifest_items(run_id)

    def manifest_tree(self, run_id: str, *, shown: list[str] | None = None) -> ManifestTree | None:
        """Every leaf's entry is there, so any `shown` item can be proved."""
        return self.store.manifest_tree_of(run_id) if run_id in self.store.runs else None

    def checkpoints(self, *, limit: int = 100, before: int | None = None) -> list[CheckpointRecord]:
        newest = [r for r, _ in reversed(self.stored) if before is None or r.id < before]
        return newest[:limit]


class FakeUnitOfWork:
    """A unit of work over :class:`InMemoryStore` that keeps a change only when the use
    case commits: leaving without ``commit()`` restores the state it found (as the SQL
    unit of work rolls back). ``ctx.uow(**options)`` opens it (the options, snapshot and
    barrier, need nothing: one thread writes the dictionaries)."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self._ledger = InMemoryLedgerTree(store)
        self.commits = 0
        self._saved: tuple[dict[str, Any], list[Any]] | None = None
        self._committed = False

    @property
    def store(self) -> InMemoryStore:
        return self._store

    @property
    def runs(self) -> InMemoryStore:
        return self._store

    @property
    def ledger(self) -> InMemoryLedgerTree:
        return self._ledger

    def __call__(self, **_options: bool) -> FakeUnitOfWork:
        return self

    def __enter__(self) -> FakeUnitOfWork:
        self._saved = (copy.deepcopy(self._store.__dict__), list(self._ledger.stored))
        self._committed = False
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed and self._saved is not None:
            self._store.__dict__.clear()
            self._store.__dict__.update(self._saved[0])
            self._ledger.stored[:] = self._saved[1]
        self._saved = None

    def commit(self) -> None:
        self._committed = True
        self.commits += 1

    def freeze(self) -> None:
        """One snapshot already: nothing else writes to the dictionaries."""


def as_store(fake: InMemoryStore) -> Store:
    return fake  # mypy checks the composite against the whole port, no cast


def as_run_store(fake: InMemoryStore) -> RunStore:
    return fake


def as_ledger_tree(fake: InMemoryLedgerTree) -> LedgerTreeStore:
    return fake


def as_unit_of_work(fake: FakeUnitOfWork) -> UnitOfWork:
    return fake


def opener(fake: FakeUnitOfWork) -> Callable[..., UnitOfWork]:
    """What `Context.uow` takes: mypy checks that calling the fake opens a unit of work."""
    return fake
