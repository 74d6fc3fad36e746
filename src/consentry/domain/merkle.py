"""The ledger's Merkle tree (RFC 9162 §2.1): tree heads, compact ranges and proof shapes.

Leaves are the consent events in sequence order; leaf ``i`` (0-based) is event ``seq = i + 1``.

* leaf hash  = SHA-256(0x00 ‖ entry), where *entry* is the event's canonical serialisation
  (:func:`consentry.domain.ledger.canonical_entry`);
* node hash  = SHA-256(0x01 ‖ left ‖ right);
* the root of ``n`` leaves is RFC 9162's MTH: the empty tree hashes to SHA-256(""), one leaf
  to its leaf hash, and ``n > 1`` leaves split at ``k``, the largest power of two below
  ``n``: MTH(D[0:k]) on the left, MTH(D[k:n]) on the right.

A *node* ``(level, index)`` is the perfect subtree over leaves
``[index · 2^level, (index + 1) · 2^level)``. Every subtree that RFC 9162's proofs name
covers ``[begin, end)`` with ``begin`` a multiple of a power of two at least ``end - begin``,
so its hash is the right fold of the perfect nodes of the binary decomposition of its size
(:func:`range_nodes`, :func:`fold`). The store keeps every perfect node, and the *compact
range* of the whole tree (the perfect nodes of the binary decomposition of its size, the
"right edge"): appending a leaf merges equal-sized nodes at the right edge and never reads
the ledger, and a proof needs O(log² n) stored nodes at worst.

Proofs are computed here as lists of leaf ranges, one per proof hash, in the order RFC 9162
lists them (deepest first); the caller turns each range into a hash with the stored nodes.
Verification lives in :mod:`consentry.verify`, which an auditor can run on its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 ‖ entry): the hash of one leaf."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right): the hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly below ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, straight from RFC 9162's definition (a reference, O(n))."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


@dataclass(frozen=True, slots=True, order=True)
class NodeId:
    """The perfect subtree over leaves ``[index << level, (index + 1) << level)``."""

    level: int
    index: int

    @property
    def begin(self) -> int:
        return self.index << self.level

    @property
    def end(self) -> int:
        return (self.index + 1) << self.level


def range_nodes(begin: int, end: int) -> list[NodeId]:
    """The perfect nodes that tile ``[begin, end)``, largest first.

    ``begin`` must be aligned to a power of two at least ``end - begin`` (true of every
    subtree RFC 9162 names, and of ``[0, n)``), so the nodes follow the binary digits of
    ``end - begin`` from the most significant down."""
    size = end - begin
    if size <= 0:
        raise ValueError(f"empty range [{begin}, {end})")
    if begin % (1 << (size - 1).bit_length()) != 0:
        raise ValueError(f"[{begin}, {end}) is not a subtree of a Merkle tree")
    nodes = []
    at = begin
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append(NodeId(level, at >> level))
            at += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a subtree from the hashes of its :func:`range_nodes`, largest first."""
    if not hashes:
        raise ValueError("no nodes to fold")
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


@dataclass(frozen=True, slots=True)
class CompactRange:
    """The right edge of a tree of ``size`` leaves: the hashes of ``range_nodes(0, size)``.

    That is all an append needs: the new leaf merges with equal-sized nodes to its left."""

    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def append(self, leaf: bytes) -> tuple[CompactRange, list[tuple[NodeId, bytes]]]:
        """The range after one more leaf, and every perfect node the append completed
        (the leaf itself first, then each merged parent)."""
        index = self.size
        created = [(NodeId(0, index), leaf)]
        hashes = list(self.hashes)
        acc, level = leaf, 0
        while index >> level & 1:
            acc = node_hash(hashes.pop(), acc)
            level += 1
            created.append((NodeId(level, index >> level), acc))
        hashes.append(acc)
        return CompactRange(self.size + 1, tuple(hashes)), created

    def root(self) -> bytes:
        """The tree head: MTH of all ``size`` leaves."""
        return fold(self.hashes) if self.hashes else EMPTY_ROOT

    def encode(self) -> str:
        """Hex digests concatenated, largest node first (how the store keeps it)."""
        return "".join(h.hex() for h in self.hashes)

    @classmethod
    def decode(cls, size: int, text: str) -> CompactRange:
        hashes = tuple(bytes.fromhex(text[i : i + 64]) for i in range(0, len(text), 64))
        if len(hashes) != size.bit_count():
            raise ValueError(f"a compact range of {size} leaves has {size.bit_count()} nodes")
        return cls(size, hashes)


def compact_range_of(leaves: Iterable[bytes]) -> CompactRange:
    """Fold leaf hashes into a compact range (streams; O(log n) memory)."""
    cr = CompactRange()
    for leaf in leaves:
        cr, _ = cr.append(leaf)
    return cr


Span = tuple[int, int]
"""A subtree ``[begin, end)`` whose hash is one element of a proof."""


def inclusion_spans(index: int, size: int) -> list[Span]:
    """RFC 9162 §2.1.3.1 PATH(index, D[0:size]) as the subtrees whose hashes make it,
    deepest first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    spans: list[Span] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            spans.append((lo + k, hi))
            hi = lo + k
        else:
            spans.append((lo, lo + k))
            lo, m = lo + k, m - k
    spans.reverse()
    return spans


def consistency_spans(first: int, second: int) -> list[Span]:
    """RFC 9162 §2.1.4.1 PROOF(first, D[0:second]) as subtrees, in the RFC's order.

    Empty when ``first == second`` or ``first == 0`` (nothing to prove)."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from {first} to {second} leaves")
    if first in (0, second):
        return []
    spans: list[Span] = []
    lo, hi, m, whole = 0, second, first, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            spans.append((lo + k, hi))
            hi = lo + k
        else:
            spans.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        spans.append((lo, hi))
    spans.reverse()
    return spans


def nodes_for(spans: Iterable[Span]) -> set[NodeId]:
    """Every stored node the spans need."""
    return {node for begin, end in spans for node in range_nodes(begin, end)}


def span_hashes(spans: Iterable[Span], nodes: Mapping[NodeId, bytes]) -> list[bytes]:
    """Each span's hash, folded from the stored nodes (which must all be present)."""
    return [fold([nodes[n] for n in range_nodes(b, e)]) for b, e in spans]


def prove(spans: list[Span], fetch: Callable[[set[NodeId]], Mapping[NodeId, bytes]]) -> list[bytes]:
    """The proof hashes for ``spans``, reading the nodes with one call to ``fetch``."""
    return span_hashes(spans, fetch(nodes_for(spans)))
