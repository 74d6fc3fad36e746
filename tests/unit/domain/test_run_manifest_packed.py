"""Issue 21: the manifest tree a run stores at creation (revision 0008) is the tree the
proofs were built from before, made streaming; its entries are the documented JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consentry.domain.clock import iso
from consentry.domain.run_manifest import (
    build_manifest_tree,
    manifest_entry,
    pack_manifest_tree,
    pack_nodes,
    stored_manifest_tree,
)


def _documented(run_id: str, kind: str, item_id: str, account_id: str, since: datetime | None):
    """docs/ledger.md §8: keys sorted, no white space, ASCII."""
    body = {
        "run_id": run_id,
        "kind": kind,
        "id": item_id,
        "account_id": account_id,
        "include_from": None if since is None else iso(since),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


@given(
    st.text(), st.sampled_from(["session", "feedback"]), st.text(), st.text(),
    st.none() | st.datetimes(timezones=st.just(UTC)),
)  # fmt: skip
def test_the_entry_is_the_documented_json(
    run_id: str, kind: str, item_id: str, account_id: str, since: datetime | None
) -> None:
    made = manifest_entry(
        run_id=run_id, kind=kind, item_id=item_id, account_id=account_id, include_from=since
    )
    assert made == _documented(run_id, kind, item_id, account_id, since)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 5, 8, 13, 64, 100])
def test_the_packed_tree_is_the_tree_proofs_were_built_from(size: int) -> None:
    items = sorted((f"ses_{i * 7919 % 1009:04d}", f'{{"n":{i}}}'.encode()) for i in range(size))
    built = build_manifest_tree(items)
    packed = pack_manifest_tree(items)
    assert (packed.size, packed.root) == (built.size, built.root)
    assert packed.nodes == pack_nodes(built.size, built.nodes)
    stored = stored_manifest_tree(
        packed.ids.split("\n") if size else [], packed.root, packed.nodes
    ).with_entries(dict(enumerate(built.entries)))
    for index in range(size):
        assert stored.leaf(index) == built.leaf(index)


@pytest.mark.parametrize("ids", [["b", "a"], ["a", "a"]], ids=["unsorted", "repeated"])
def test_items_must_come_sorted_and_once(ids: list[str]) -> None:
    with pytest.raises(ValueError, match="out of order or repeated"):
        pack_manifest_tree((i, b"{}") for i in ids)
