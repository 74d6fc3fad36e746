"""A training run's manifest as a sorted Merkle tree (issue 21, item 4).

Each session and feedback item of a run is one leaf; leaves are sorted by item id
(code-point order, ids being ASCII), so that an item's absence is proved by the two
adjacent leaves that would surround it. The tree hashing is the ledger's (RFC 9162 §2.1,
:mod:`consentry.domain.merkle`); the leaf input is the item's canonical entry:

    {"account_id": …, "id": …, "include_from": ISO 8601 | null, "kind": "session" | "feedback",
     "run_id": …}

serialised like ledger entries (keys sorted, no white space, ASCII). ``include_from`` is the
session's eligibility evidence the manifest keeps: the instant from which its messages are
in the run (null: all of them; always null for feedback).
"""

from __future__ import annotations

import base64
import json
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from consentry.domain.clock import iso
from consentry.domain.merkle import (
    HASH_SIZE,
    CompactRange,
    NodeId,
    fold,
    inclusion_spans,
    leaf_hash,
    range_nodes,
)


def manifest_entry(
    *, run_id: str, kind: str, item_id: str, account_id: str, include_from: datetime | None
) -> bytes:
    """``json.dumps(entry, sort_keys=True, separators=(",", ":"))`` (ASCII), written out
    with the same string encoder: a run's creation makes one per item (tests hold the
    two forms equal)."""
    since = "null" if include_from is None else _quote(iso(include_from))
    return _ENTRY.format(
        _quote(account_id), _quote(item_id), since, _quote(kind), _quote(run_id)
    ).encode()


_quote = json.encoder.encode_basestring_ascii
_ENTRY = '{{"account_id":{},"id":{},"include_from":{},"kind":{},"run_id":{}}}'


@dataclass(frozen=True, slots=True)
class ManifestTree:
    """The leaves (sorted ids and their entries) and every perfect node over them."""

    ids: tuple[str, ...]
    entries: Sequence[bytes] | Mapping[int, bytes]
    """Every leaf's entry, or (a stored tree) only those of the leaves a proof shows."""
    nodes: Mapping[NodeId, bytes]
    root: bytes
    edges: dict[tuple[int, int], bytes] = field(default_factory=dict)
    encoded: dict[tuple[int, int], str] = field(default_factory=dict)
    """Each span's hash in base64, once per tree: a user's proofs share their upper spans."""

    @property
    def size(self) -> int:
        return len(self.ids)

    def path(self, index: int) -> list[bytes]:
        return [self._span(begin, end) for begin, end in inclusion_spans(index, self.size)]

    def _span(self, begin: int, end: int) -> bytes:
        width = end - begin
        if width & (width - 1) == 0:  # a perfect subtree: stored as it is
            level = width.bit_length() - 1
            return self.nodes[NodeId(level, begin >> level)]
        # Only the right edge is not perfect: at most one such span per level, the same
        # for every proof, so each is folded once.
        found = self.edges.get((begin, end))
        if found is None:
            found = self.edges[(begin, end)] = fold(
                [self.nodes[n] for n in range_nodes(begin, end)]
            )
        return found

    def shown_leaves(self, item_ids: Iterable[str]) -> set[int]:
        """The leaves whose entries :meth:`prove` shows for these items."""
        shown: set[int] = set()
        for item_id in item_ids:
            at = bisect_left(self.ids, item_id)
            if at < self.size and self.ids[at] == item_id:
                shown.add(at)
            else:
                shown.update(i for i in (at - 1, at) if 0 <= i < self.size)
        return shown

    def with_entries(self, entries: Mapping[int, bytes]) -> ManifestTree:
        return replace(self, entries=entries, edges={}, encoded={})

    def _encoded(self, begin: int, end: int) -> str:
        found = self.encoded.get((begin, end))
        if found is None:
            found = self.encoded[(begin, end)] = base64.b64encode(self._span(begin, end)).decode()
        return found

    def leaf(self, index: int) -> dict[str, object]:
        """Leaf ``index``: its entry (text) and audit path (base64, RFC 9162 order)."""
        path = [self._encoded(begin, end) for begin, end in inclusion_spans(index, self.size)]
        return {"leaf_index": index, "entry": self.entries[index].decode(), "audit_path": path}

    def prove(self, item_id: str) -> dict[str, object]:
        """Membership (the item's own leaf) or absence (the leaves just below and above
        it in sorted order; one of them is missing at either end, both when empty)."""
        at = bisect_left(self.ids, item_id)
        if at < self.size and self.ids[at] == item_id:
            return {"id": item_id, "member": True, "leaf": self.leaf(at)}
        return {
            "id": item_id,
            "member": False,
            "left": self.leaf(at - 1) if at > 0 else None,
            "right": self.leaf(at) if at < self.size else None,
        }


def build_manifest_tree(items: Iterable[tuple[str, bytes]]) -> ManifestTree:
    """The tree over ``(item id, entry)`` pairs; ids must be distinct."""
    ordered = sorted(items)
    ids = tuple(i for i, _ in ordered)
    if len(set(ids)) != len(ids):
        raise ValueError("a manifest lists an item twice")
    tree, nodes = CompactRange(), dict[NodeId, bytes]()
    for _, entry in ordered:
        tree, created = tree.append(leaf_hash(entry))
        nodes.update(created)
    return ManifestTree(ids, tuple(e for _, e in ordered), nodes, tree.root())


def level_offsets(size: int) -> list[int]:
    """Where each level's perfect nodes start in :func:`pack_nodes`' layout, in nodes:
    level ``L`` holds ``size >> L`` nodes, after the levels below it."""
    offsets, at, level = [], 0, 0
    while size >> level:
        offsets.append(at)
        at += size >> level
        level += 1
    return offsets


def pack_nodes(size: int, nodes: Mapping[NodeId, bytes]) -> bytes:
    """Every perfect node of a tree of `size` leaves, level by level, left to right
    (32 bytes each): the stored form of a manifest tree (revision 0008)."""
    return b"".join(
        nodes[NodeId(level, index)]
        for level in range(len(level_offsets(size)))
        for index in range(size >> level)
    )


class PackedNodes(Mapping[NodeId, bytes]):
    """A read-only view of :func:`pack_nodes`' bytes as ``NodeId → hash``."""

    def __init__(self, size: int, packed: bytes) -> None:
        self.size, self.packed, self.offsets = size, packed, level_offsets(size)
        if len(packed) != HASH_SIZE * sum(size >> lv for lv in range(len(self.offsets))):
            raise ValueError("the stored manifest tree does not match its size")

    def __getitem__(self, node: NodeId) -> bytes:
        if not (0 <= node.level < len(self.offsets) and 0 <= node.index < self.size >> node.level):
            raise KeyError(node)
        at = HASH_SIZE * (self.offsets[node.level] + node.index)
        return self.packed[at : at + HASH_SIZE]

    def __iter__(self) -> Iterator[NodeId]:
        for level in range(len(self.offsets)):
            for index in range(self.size >> level):
                yield NodeId(level, index)

    def __len__(self) -> int:
        return len(self.packed) // HASH_SIZE


def stored_manifest_tree(ids: Sequence[str], root: bytes, packed: bytes) -> ManifestTree:
    """A tree read back from its stored form; entries are added with
    :meth:`ManifestTree.with_entries` for the leaves a proof shows."""
    return ManifestTree(tuple(ids), {}, PackedNodes(len(ids), packed), root)


@dataclass(frozen=True, slots=True)
class PackedManifestTree:
    """A manifest tree in its stored form: built streaming, without the entries."""

    size: int
    root: bytes
    ids: str
    """The item ids in leaf order, "\\n"-joined."""
    nodes: bytes
    """Every perfect node, level by level (:func:`pack_nodes`' layout)."""


def pack_manifest_tree(items: Iterable[tuple[str, bytes]]) -> PackedManifestTree:
    """The stored form of the tree over ``(item id, entry)`` pairs that come sorted by id
    (code-point order), each once — else ``ValueError``. Streams: memory is the packed
    hashes (64 bytes a leaf) and the ids, not the entries."""
    levels: list[bytearray] = []
    ids: list[str] = []
    tree = CompactRange()
    for item_id, entry in items:
        if ids and item_id <= ids[-1]:
            raise ValueError(f"manifest items out of order or repeated at {item_id!r}")
        ids.append(item_id)
        tree, created = tree.append(leaf_hash(entry))
        for node, digest in created:
            if node.level == len(levels):
                levels.append(bytearray())
            levels[node.level] += digest
    return PackedManifestTree(tree.size, tree.root(), "\n".join(ids), b"".join(levels))


RUN_MANIFEST = "run_manifest"
"""The ``type`` of a run's ledger event (issue 21 item 4; docs/ledger.md §1)."""


@dataclass(frozen=True, slots=True)
class RunManifestEvent:
    """An account-less ledger event: a training run's manifest root, appended to the
    ledger (R27 chain and Merkle tree) in the run's own transaction, so every checkpoint
    that covers it commits to the manifest."""

    seq: int
    event_id: str
    at: datetime
    run_id: str
    purpose: str
    cutoff: datetime
    manifest_size: int
    manifest_root: bytes
    prev_hash: str
    hash: str

    def entry(self) -> bytes:
        return run_event_entry(
            seq=self.seq,
            event_id=self.event_id,
            at=self.at,
            run_id=self.run_id,
            purpose=self.purpose,
            cutoff=self.cutoff,
            manifest_size=self.manifest_size,
            manifest_root=self.manifest_root,
            prev_hash=self.prev_hash,
        )


def run_event_entry(
    *,
    seq: int,
    event_id: str,
    at: datetime,
    run_id: str,
    purpose: str,
    cutoff: datetime,
    manifest_size: int,
    manifest_root: bytes,
    prev_hash: str,
) -> bytes:
    """The run event's canonical entry: ten members, serialised like a consent event's
    (keys sorted, no white space, ASCII); ``manifest_root`` in base64 as run proofs show
    it. Its SHA-256 is the chain hash, SHA-256(0x00 ‖ it) the leaf."""
    body = {
        "seq": seq,
        "event_id": event_id,
        "type": RUN_MANIFEST,
        "at": iso(at),
        "run_id": run_id,
        "purpose": purpose,
        "cutoff": iso(cutoff),
        "manifest_size": manifest_size,
        "manifest_root": base64.b64encode(manifest_root).decode(),
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
