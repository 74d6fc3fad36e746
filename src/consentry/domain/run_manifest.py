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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from consentry.domain.clock import iso
from consentry.domain.merkle import (
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
    body = {
        "run_id": run_id,
        "kind": kind,
        "id": item_id,
        "account_id": account_id,
        "include_from": None if include_from is None else iso(include_from),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class ManifestTree:
    """The leaves (sorted ids and their entries) and every perfect node over them."""

    ids: tuple[str, ...]
    entries: tuple[bytes, ...]
    nodes: dict[NodeId, bytes]
    root: bytes
    edges: dict[tuple[int, int], bytes] = field(default_factory=dict)

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

    def leaf(self, index: int) -> dict[str, object]:
        """Leaf ``index``: its entry (text) and audit path (base64, RFC 9162 order)."""
        path = [base64.b64encode(h).decode() for h in self.path(index)]
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
