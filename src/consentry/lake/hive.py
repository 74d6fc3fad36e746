"""Hive-style bucket directories made atomic with a commit log and a ``_CURRENT`` pointer.

Layout of one table (all files immutable once written)::

    <table>/bucket=007/<uuid>.parquet     data files, grouped by bucket
    <table>/_staging/<uuid>/...           engines write here before a commit
    <table>/_log/00000012.json            version 12: its files, removed files, state
    <table>/_CURRENT                      "12" (a hint; the log is the truth)

A commit creates ``_log/<n+1>.json`` with an exclusive, no-replace link of a fully
written and fsynced temporary file: that single filesystem operation is the commit
point, so two writers cannot both make version n+1 and a reader never sees half of one.
``_CURRENT`` is then replaced by rename; a reader that finds a newer log entry than the
pointer (a crash between the two) rolls forward. This is the protocol Delta Lake uses on
file systems with atomic no-overwrite creation (local, HDFS); on object stores the same
port needs conditional writes (S3 ``If-None-Match``) or a catalog, see docs/spark.md.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from consentry.lake.port import CommitConflict, DataFile, Snapshot

LOG = "_log"
CURRENT = "_CURRENT"
STAGING = "_staging"


def _write_durable(path: Path, body: bytes, *, replace: bool) -> None:
    """Write `body` to `path` atomically: temp file, fsync, then link (no replace) or rename."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(body)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails with FileExistsError if another writer won
    finally:
        if tmp.exists():
            tmp.unlink()
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _entry_path(root: Path, version: int) -> Path:
    return root / LOG / f"{version:08d}.json"


class PointerTable:
    """A lake table on a local (or mounted) file system; see the module docstring."""

    def __init__(self, lake: str | Path, name: str) -> None:
        self.name = name
        self.root = Path(lake) / name

    # -- reading -----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        version = self._pointer()
        while _entry_path(self.root, version + 1).exists():  # roll forward past the hint
            version += 1
        if version == 0:
            return Snapshot(0)
        entry = self._entry(version)
        files = tuple(DataFile(f["path"], int(f["bucket"]), int(f["rows"])) for f in entry["files"])
        return Snapshot(version, files, entry.get("state", {}))

    def uri(self, file: DataFile) -> str:
        return str(self.root / file.path)

    def history(self) -> list[dict[str, Any]]:
        """Every committed version's log entry, oldest first (the audit trail of changes)."""
        version, out = 1, []
        while _entry_path(self.root, version).exists():
            out.append(self._entry(version))
            version += 1
        return out

    def _pointer(self) -> int:
        try:
            return int((self.root / CURRENT).read_text().strip())
        except FileNotFoundError:
            return 0

    def _entry(self, version: int) -> dict[str, Any]:
        data = json.loads(_entry_path(self.root, version).read_text())
        assert isinstance(data, dict)
        return data

    # -- writing -----------------------------------------------------------------
    def new_file(self, bucket: int) -> tuple[str, str]:
        rel = f"bucket={bucket:03d}/{uuid.uuid4().hex}.parquet"
        (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        return rel, str(self.root / rel)

    def staging_dir(self) -> str:
        path = self.root / STAGING / uuid.uuid4().hex
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)

    def relative(self, absolute: str) -> str:
        return str(Path(absolute.removeprefix("file:")).relative_to(self.root))

    def commit(
        self,
        *,
        expected_version: int,
        add: Sequence[DataFile],
        remove: Sequence[DataFile],
        state: Mapping[str, Any] | None = None,
        note: str = "",
    ) -> Snapshot:
        current = self.snapshot()
        if current.version != expected_version:
            raise CommitConflict(
                f"{self.name}: expected version {expected_version}, found {current.version}"
            )
        gone = {f.path for f in remove}
        unknown = gone - {f.path for f in current.files}
        if unknown:
            raise CommitConflict(f"{self.name}: cannot remove files not in the table: {unknown}")
        files = [f for f in current.files if f.path not in gone] + list(add)
        version = current.version + 1
        entry: dict[str, Any] = {
            "version": version,
            "note": note,
            "files": [{"path": f.path, "bucket": f.bucket, "rows": f.rows} for f in files],
            "added": sorted(f.path for f in add),
            "removed": sorted(gone),
            "state": dict(state if state is not None else current.state),
        }
        (self.root / LOG).mkdir(parents=True, exist_ok=True)
        try:
            _write_durable(
                _entry_path(self.root, version), json.dumps(entry).encode(), replace=False
            )
        except FileExistsError:
            raise CommitConflict(
                f"{self.name}: version {version} was committed by another writer"
            ) from None
        _write_durable(self.root / CURRENT, str(version).encode(), replace=True)
        return Snapshot(version, tuple(files), entry["state"])

    def leftovers(self) -> list[str]:
        live = {f.path for f in self.snapshot().files}
        return [
            rel
            for entry in self.history()
            for rel in entry["removed"]
            if rel not in live and (self.root / rel).exists()
        ]

    def vacuum(self) -> list[str]:
        """Delete the files every committed version removed (idempotent) and empty staging."""
        deleted = []
        live = {f.path for f in self.snapshot().files}
        for entry in self.history():
            for rel in entry["removed"]:
                path = self.root / rel
                if rel not in live and path.exists():
                    path.unlink()
                    deleted.append(rel)
        staging = self.root / STAGING
        if staging.exists():
            for path in sorted(staging.rglob("*"), reverse=True):
                if path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
        return deleted
