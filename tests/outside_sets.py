"""Checks every outside set's test shares (issue 16): a set's values file is what its
sources say, holds no value another set holds, and its harvest rewrites it byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest

MIRRORS = Path("/work/.mirror")


def seen_values(paths: Iterable[Path]) -> set[str]:
    """The values of the other sets' ``values.jsonl`` files."""
    return {
        json.loads(line)["value"]
        for path in paths
        for line in path.read_text().splitlines()
        if line.strip()
    }


def check_shape_and_provenance(
    folder: Path, seen: Iterable[Path], *, values: int, negatives: int
) -> None:
    """Every item names a pinned source and a path, no other set holds its value, its
    label is a type, NEGATIVE or NOT_ASKED:…, and the set holds enough of each."""
    sources = json.loads((folder / "sources.json").read_text())
    assert all(s["commit"] and s["licence"] for s in sources.values())
    items = [json.loads(line) for line in (folder / "values.jsonl").read_text().splitlines()]
    assert sum(not i["label"].startswith(("NEGATIVE", "NOT_ASKED:")) for i in items) >= values
    assert sum(i["label"] == "NEGATIVE" for i in items) >= negatives
    other = seen_values(seen)
    for item in items:
        assert item["source"] in sources and item["path"] and item["value"].strip()
        assert item["value"] not in other
        assert item["label"] == "NEGATIVE" or item["label"].isupper() or ":" in item["label"]


def mirrors_or_skip(folder: Path) -> Path:
    """The mirrors folder, or a skip where the set's sources are not mirrored here."""
    sources = json.loads((folder / "sources.json").read_text())
    if not all((MIRRORS / s["mirror"] / "repo").is_dir() for s in sources.values()):
        pytest.skip("the sources' mirrors are not on this machine")
    return MIRRORS
