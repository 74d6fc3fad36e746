"""``manifest.json``: the completeness mark of an export, and its verification (R25).

An export directory is complete iff it holds a ``manifest.json`` with
``"complete": true`` whose every shard exists with the recorded SHA-256 and row
count, and nothing else. Readers must call :func:`verify_export` (or do the same
checks) before trusting a directory; a directory without a manifest is partial.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
SHARD_KINDS = ("messages", "feedback")
EXTENSIONS = {"parquet": ".parquet", "jsonl": ".jsonl"}
_SHARD_NAME = re.compile(r"^(messages|feedback)-(\d{5,})\.(parquet|jsonl)$")
MANIFEST_KEYS = {
    "run_id",
    "purpose",
    "cutoff",
    "policy_digest",
    "ledger_head",
    "format",
    "counts",
    "unavailable",
    "shards",
    "complete",
}
# Keys a manifest may hold beyond MANIFEST_KEYS: manifests written before they existed
# stay valid. ``filter``: the scan that ran and the filter's stages. ``content``: what
# the export holds, counted for the AI Act summary (export/content.py, docs/rules.md P7).
# ``encryption``: shards sealed under the run's key (export/sealed.py, issue 26).
OPTIONAL_KEYS = {"filter", "content", "encryption"}


def shard_name(kind: str, index: int, extension: str) -> str:
    """``messages-00000.parquet``: kind, five-digit (or wider) index, extension."""
    return f"{kind}-{index:05d}{extension}"


def shard_kind(name: str) -> str | None:
    match = _SHARD_NAME.match(name)
    return match.group(1) if match else None


def is_export_file(name: str) -> bool:
    """A name an export writes (a shard or the manifest); leftovers of reruns are these."""
    return name == MANIFEST_NAME or _SHARD_NAME.match(name) is not None


def canonical_json(data: Any) -> bytes:
    """Sorted keys, two-space indent, UTF-8, trailing newline: one byte form per value."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """The parsed manifest; raises ``FileNotFoundError`` for a partial export."""
    data = json.loads((Path(directory) / MANIFEST_NAME).read_bytes())
    if not isinstance(data, dict):
        raise ValueError("manifest.json is not a JSON object")
    return data


def verify_export(directory: str | Path) -> list[str]:
    """Every reason not to trust ``directory`` as a complete export; empty when it is.

    Re-hashes every shard, recounts its rows, checks the row totals against the
    manifest's counts, and refuses files the manifest does not list.
    """
    root = Path(directory)
    if not root.is_dir():
        return [f"{root}: not a directory"]
    raw_path = root / MANIFEST_NAME
    if not raw_path.is_file():
        return [f"incomplete: {MANIFEST_NAME} is missing"]
    raw = raw_path.read_bytes()
    try:
        manifest = json.loads(raw)
    except ValueError as error:
        return [f"{MANIFEST_NAME}: not JSON ({error})"]
    if not isinstance(manifest, dict):
        return [f"{MANIFEST_NAME}: not a JSON object"]
    problems: list[str] = []
    if canonical_json(manifest) != raw:
        problems.append(f"{MANIFEST_NAME}: not in canonical form (edited?)")
    if not MANIFEST_KEYS <= set(manifest) <= MANIFEST_KEYS | OPTIONAL_KEYS:
        problems.append(f"{MANIFEST_NAME}: keys {sorted(manifest)} != {sorted(MANIFEST_KEYS)}")
        return problems
    if manifest["complete"] is not True:
        problems.append(f"{MANIFEST_NAME}: complete is not true")
    fmt = manifest["format"]
    if fmt not in EXTENSIONS:
        return [*problems, f"{MANIFEST_NAME}: unknown format {fmt!r}"]
    totals = dict.fromkeys(SHARD_KINDS, 0)
    listed = {MANIFEST_NAME}
    for entry in manifest["shards"]:
        name = entry.get("path") if isinstance(entry, dict) else None
        kind = shard_kind(name) if isinstance(name, str) else None
        if kind is None or not str(name).endswith(EXTENSIONS[fmt]):
            problems.append(f"shard entry {entry!r}: not a shard name of format {fmt}")
            continue
        assert isinstance(name, str)
        listed.add(name)
        # an encrypted shard's rows are counted after decryption (export/sealed.py)
        problems.extend(_check_shard(root / name, entry, fmt, count="encryption" not in manifest))
        totals[kind] += int(entry.get("rows", 0))
    counts, unavailable = manifest["counts"], manifest["unavailable"]
    for kind in SHARD_KINDS:
        try:
            expected = int(counts[kind]) - int(unavailable[kind])
        except (KeyError, TypeError, ValueError):
            problems.append(f"{MANIFEST_NAME}: counts/unavailable lack {kind!r}")
            continue
        if totals[kind] != expected:
            problems.append(
                f"{kind}: shards hold {totals[kind]} rows, the manifest promises {expected}"
                f" ({counts[kind]} counted at the cutoff - {unavailable[kind]} unavailable)"
            )
    for entry in sorted(p.name for p in root.iterdir()):
        if entry not in listed:
            problems.append(f"{entry}: not listed in {MANIFEST_NAME} (leftover or foreign file)")
    return problems


def _check_shard(path: Path, entry: dict[str, Any], fmt: str, *, count: bool = True) -> list[str]:
    if not path.is_file():
        return [f"{path.name}: missing"]
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    if digest.hexdigest() != entry.get("sha256"):
        return [f"{path.name}: sha256 {digest.hexdigest()} != manifest {entry.get('sha256')}"]
    if not count:
        return []
    try:
        rows = count_rows(path, fmt)
    except Exception as error:  # any unreadable shard is a problem to report
        return [f"{path.name}: unreadable ({error.__class__.__name__}: {error})"]
    if rows != entry.get("rows"):
        return [f"{path.name}: {rows} rows != manifest {entry.get('rows')}"]
    return []


def count_rows(path: Path, fmt: str) -> int:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return int(pq.read_metadata(path).num_rows)
    with open(path, "rb") as stream:
        return sum(block.count(b"\n") for block in iter(lambda: stream.read(1 << 20), b""))
