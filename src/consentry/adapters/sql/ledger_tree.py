"""The ledger's Merkle tree in SQL (issue 21): stored nodes, the compact range, checkpoints.

The compact range lives in the ``ledger_head`` row beside the chain head and is updated in
the same statement, inside the append's transaction (:func:`extend_tree`); every perfect
subtree of ``2^STORED_LEVEL`` leaves or more that an append completes goes into
``ledger_tree_nodes`` so that proofs read O(log² n) rows. Smaller subtrees are recomputed
from their events (at most ``2^STORED_LEVEL - 1`` leaves per proof hash): so only one
append in ``2^STORED_LEVEL`` writes a node row (issue 21's 5 % target for appends). The
tree may lag
the chain (``tree_size < seq``) only where events were written without the store's append
(the bulk loader, or a database from before revision 0007); the next append or checkpoint
folds the missing events in, reading only those.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.ledger_events import (
    BATCH,
    append_run_event,
    event_of_row,
    events_at,
    ledger_events,
    lock_head,
    run_event,
)
from consentry.domain.ledger import LedgerEvent, entry_of
from consentry.domain.merkle import CompactRange, NodeId, leaf_hash, root_of
from consentry.domain.run_manifest import (
    ManifestTree,
    PackedManifestTree,
    RunManifestEvent,
    manifest_entry,
    pack_manifest_tree,
    stored_manifest_tree,
)
from consentry.service.ledger_ports import CheckpointRecord, ManifestItem

__all__ = ["SqlLedgerTree", "append_to_tree", "event_of_row", "extend_tree"]

_BATCH = BATCH

STORED_LEVEL = 4
"""The lowest level of ``ledger_tree_nodes`` that appends write (subtrees of 16 leaves);
a database from before this choice also holds lower nodes, which are no longer read."""

_last_range: tuple[int, str, CompactRange] = (0, "", CompactRange())
"""The compact range this process last wrote or read, with the stored text it decodes from:
the next append compares that text with the head row it locked (the version check) and
skips decoding when they are equal."""


def _decode(size: int, text: str) -> CompactRange:
    global _last_range
    cached_size, cached_text, cached = _last_range
    if cached_size == size and cached_text == text:
        return cached
    tree = CompactRange.decode(size, text)
    _last_range = (size, text, tree)
    return tree


def extend_tree(conn: Connection, tree: CompactRange, entries: Iterable[bytes]) -> CompactRange:
    """Append leaves for ``entries`` and store every node they complete (no head update)."""
    pending: list[dict[str, Any]] = []
    for entry in entries:
        tree, created = tree.append(leaf_hash(entry))
        # Nodes below STORED_LEVEL are not stored: a proof recomputes the few it needs
        # from the events, and only one append in 2^STORED_LEVEL writes a node at all.
        pending.extend(
            {"level": n.level, "idx": n.index, "hash": h}
            for n, h in created[STORED_LEVEL:]  # created[k] is the node at level k
        )
        if len(pending) >= _BATCH:
            conn.execute(insert(t.ledger_tree_nodes), pending)
            pending = []
    if pending:
        conn.execute(insert(t.ledger_tree_nodes), pending)
    return tree


def append_to_tree(conn: Connection, *, head: Any, seq: int, entry: bytes) -> dict[str, Any]:
    """The tree columns of the head row after event ``seq`` (whose entry is given) joins.

    ``head`` is the locked head row as it stood before the append; events it lags behind
    are folded in first."""
    global _last_range
    tree = _decode(head.tree_size, head.tree_range)
    entries = [entry]
    if tree.size < seq - 1:
        entries = [*(entry_of(e) for e in ledger_events(conn, after=tree.size, upto=seq - 1))]
        entries.append(entry)
    tree = extend_tree(conn, tree, entries)
    if tree.size != seq:
        raise RuntimeError(f"the ledger tree holds {tree.size} leaves after event {seq}")
    text = tree.encode()
    # A memo of decode keyed by its whole input: right whether or not this commits.
    _last_range = (tree.size, text, tree)
    return {"tree_size": tree.size, "tree_range": text}


def _entry(run_id: str, item: ManifestItem) -> bytes:
    return manifest_entry(
        run_id=run_id,
        kind=item.kind,
        item_id=item.item_id,
        account_id=item.account_id,
        include_from=item.include_from,
    )


def store_manifest_tree(conn: Connection, run_id: str) -> PackedManifestTree:
    """Build the run's manifest tree and store it (revision 0008); called by the run
    builder inside the run's transaction, so the stored tree is the manifest's. The items
    stream in id order (the C collation on PostgreSQL: code points, as the tree sorts)
    and only the hashes and ids are held."""
    tree = pack_manifest_tree(
        (item.item_id, _entry(run_id, item)) for item in _sorted_manifest(conn, run_id)
    )
    conn.execute(
        insert(t.run_manifest_trees).values(
            run_id=run_id, size=tree.size, root=tree.root, ids=tree.ids, nodes=tree.nodes
        )
    )
    # Issue 21 item 4: the root goes into the ledger itself, in this same transaction.
    append_run_event(conn, run_id=run_id, manifest_size=tree.size, manifest_root=tree.root)
    return tree


def _sorted_manifest(conn: Connection, run_id: str) -> Iterator[ManifestItem]:
    rs, rf = t.run_sessions.c, t.run_feedback.c
    collation = "C" if conn.dialect.name == "postgresql" else "BINARY"
    # Per statement: Connection.execution_options would change the whole connection.
    streamed = {"stream_results": True, "yield_per": _BATCH}
    sessions = conn.execute(
        select(rs.session_id, rs.account_id, rs.include_from)
        .where(rs.run_id == run_id)
        .order_by(rs.session_id.collate(collation))
        .execution_options(**streamed)
    )
    feedback = conn.execute(
        select(rf.feedback_id, rf.account_id)
        .where(rf.run_id == run_id)
        .order_by(rf.feedback_id.collate(collation))
        .execution_options(**streamed)
    )
    return heapq.merge(
        (ManifestItem("session", r.session_id, r.account_id, r.include_from) for r in sessions),
        (ManifestItem("feedback", r.feedback_id, r.account_id, None) for r in feedback),
        key=lambda item: item.item_id,
    )


class SqlLedgerTree:
    """Reads the tree and its checkpoints; catches a lagging tree up. One transaction."""

    def __init__(self, conn: Connection, *, run_events: bool = True) -> None:
        self.conn = conn
        self.run_events = run_events
        """False only for a database before revision 0010 (migration 0007 uses it)."""

    def entries(self) -> Iterator[LedgerEvent]:
        """Every ledger event, consent and run events alike, in sequence order."""
        return ledger_events(self.conn, runs=self.run_events)

    def run_event(self, run_id: str) -> RunManifestEvent | None:
        """The run's `run_manifest` event (None: a run from before revision 0010)."""
        return run_event(self.conn, run_id)

    def lock_head(self) -> None:
        """Lock the ledger head until commit (run creation, before its snapshot)."""
        lock_head(self.conn)

    def tree_head(self, *, catch_up: bool = False) -> CompactRange:
        """The stored compact range; with ``catch_up``, first fold in events it lacks
        (locking the head row like an append does)."""
        h = t.ledger_head.c
        query = select(h.seq, h.tree_size, h.tree_range).where(h.id == 1)
        head = self.conn.execute(query.with_for_update() if catch_up else query).one()
        tree = _decode(head.tree_size, head.tree_range)
        if catch_up and tree.size < head.seq:
            missing = (
                entry_of(e)
                for e in ledger_events(
                    self.conn, after=tree.size, upto=head.seq, runs=self.run_events
                )
            )
            tree = extend_tree(self.conn, tree, missing)
            self.conn.execute(
                update(t.ledger_head)
                .where(h.id == 1)
                .values(tree_size=tree.size, tree_range=tree.encode())
            )
        return tree

    def tree_nodes(self, ids: set[NodeId]) -> dict[NodeId, bytes]:
        """The hashes of these perfect subtrees: those below ``STORED_LEVEL`` from their
        events, the others stored (all of them must exist)."""
        if not ids:
            return {}
        found = self._computed_nodes({i for i in ids if i.level < STORED_LEVEL})
        by_level: dict[int, list[int]] = {}
        for i in ids:
            if i.level >= STORED_LEVEL:
                by_level.setdefault(int(i.level), []).append(int(i.index))
        # One IN list per level, OR-ed (SQLite scans the whole table for a row-value IN),
        # written as plain SQL: building it as a SQLAlchemy expression cost more than the
        # query. Only integers go into the text.
        where = " OR ".join(
            f"(level = {lv} AND idx IN ({','.join(map(str, idx))}))" for lv, idx in by_level.items()
        )
        if where:
            rows = self.conn.exec_driver_sql(
                f"SELECT level, idx, hash FROM ledger_tree_nodes WHERE {where}"  # noqa: S608
            ).all()
            found.update({NodeId(r.level, r.idx): bytes(r.hash) for r in rows})
        if len(found) != len(ids):
            missing = sorted(ids - found.keys())[:3]
            raise LookupError(f"the ledger tree lacks nodes {missing}")
        return found

    def _computed_nodes(self, ids: set[NodeId]) -> dict[NodeId, bytes]:
        """The hashes of these small subtrees, from their events' entries (a subtree
        whose events are not all there is left out)."""
        seqs = sorted({leaf + 1 for i in ids for leaf in range(i.begin, i.end)})
        leaves: dict[int, bytes] = {}
        for at in range(0, len(seqs), 500):
            for event in events_at(self.conn, seqs[at : at + 500], runs=self.run_events):
                leaves[event.seq - 1] = leaf_hash(entry_of(event))
        found: dict[NodeId, bytes] = {}
        for i in ids:
            if all(leaf in leaves for leaf in range(i.begin, i.end)):
                found[i] = root_of([leaves[leaf] for leaf in range(i.begin, i.end)])
        return found

    def event_at(self, seq: int) -> LedgerEvent | None:
        found = events_at(self.conn, [seq], runs=self.run_events)
        return found[0] if found else None

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
        result = self.conn.execute(
            insert(t.ledger_checkpoints).values(
                tree_size=tree_size,
                root_hash=root_hash,
                origin=origin,
                note=note,
                created_at=at,
                run_id=run_id,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return CheckpointRecord(int(key[0]), tree_size, root_hash, origin, note, at)

    def checkpoints(self, *, limit: int = 100, before: int | None = None) -> list[CheckpointRecord]:
        """Stored checkpoints, newest first."""
        c = t.ledger_checkpoints.c
        query = select(t.ledger_checkpoints).order_by(c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(c.id < before)
        return [
            CheckpointRecord(r.id, r.tree_size, r.root_hash, r.origin, r.note, r.created_at)
            for r in self.conn.execute(query).all()
        ]

    def run_checkpoint(self, run_id: str) -> CheckpointRecord | None:
        """The newest checkpoint that carries this run's manifest root."""
        c = t.ledger_checkpoints.c
        r = self.conn.execute(
            select(t.ledger_checkpoints).where(c.run_id == run_id).order_by(c.id.desc()).limit(1)
        ).first()
        return (
            None
            if r is None
            else CheckpointRecord(r.id, r.tree_size, r.root_hash, r.origin, r.note, r.created_at)
        )

    def run_manifest(self, run_id: str) -> list[ManifestItem]:
        """Every item of the run's manifest with its evidence, in no particular order."""
        rs, rf = t.run_sessions.c, t.run_feedback.c
        sessions = self.conn.execute(
            select(rs.session_id, rs.account_id, rs.include_from).where(rs.run_id == run_id)
        )
        feedback = self.conn.execute(
            select(rf.feedback_id, rf.account_id).where(rf.run_id == run_id)
        )
        return [
            ManifestItem("session", r.session_id, r.account_id, r.include_from) for r in sessions
        ] + [ManifestItem("feedback", r.feedback_id, r.account_id, None) for r in feedback]

    def manifest_tree(self, run_id: str, *, shown: list[str] | None = None) -> ManifestTree | None:
        """The run's stored manifest tree (None for a run from before revision 0008), with
        the entries of the leaves that proofs for the `shown` items show."""
        row = self.conn.execute(
            select(t.run_manifest_trees).where(t.run_manifest_trees.c.run_id == run_id)
        ).first()
        if row is None:
            return None
        tree = stored_manifest_tree(row.ids.split("\n") if row.size else [], row.root, row.nodes)
        leaves = sorted(tree.shown_leaves(shown or []))
        items = self.manifest_items(run_id, [tree.ids[i] for i in leaves])
        index = {tree.ids[i]: i for i in leaves}
        return tree.with_entries({index[item.item_id]: _entry(run_id, item) for item in items})

    def manifest_items(self, run_id: str, ids: list[str]) -> list[ManifestItem]:
        """These items of the run's manifest with their evidence (ids not in it: absent)."""
        rs, rf = t.run_sessions.c, t.run_feedback.c
        found: list[ManifestItem] = []
        for at in range(0, len(ids), 500):
            chunk = ids[at : at + 500]
            found += [
                ManifestItem("session", r.session_id, r.account_id, r.include_from)
                for r in self.conn.execute(
                    select(rs.session_id, rs.account_id, rs.include_from).where(
                        rs.run_id == run_id, rs.session_id.in_(chunk)
                    )
                )
            ]
            found += [
                ManifestItem("feedback", r.feedback_id, r.account_id, None)
                for r in self.conn.execute(
                    select(rf.feedback_id, rf.account_id).where(
                        rf.run_id == run_id, rf.feedback_id.in_(chunk)
                    )
                )
            ]
        return found
