"""Lake tables in Delta Lake format, committed through delta-rs (the ``deltalake`` package).

Layout of one table: ``<lake>/<table>/bucket-007/<uuid>.parquet`` data files and the
Delta transaction log ``<lake>/<table>/_delta_log/``. Any Delta reader (Spark with
``delta-spark``, Trino, DuckDB's ``delta`` extension, Polars, delta-rs) reads the tables
and time-travels to any retained version.

Engines write Parquet files themselves (pyarrow in ``lake export``, Spark in the job);
:meth:`DeltaTableFormat.commit` then commits their ``add`` and ``remove`` actions in one
Delta commit (delta-rs detects a concurrent writer: :class:`CommitConflict`). The
actions carry ``numRecords`` and nothing else as statistics: Delta's min/max statistics
would copy the first and last message text of each file into the log, where a purge
could not reach it.

Purges. A commit with ``purge=True`` (the sweep, and the lake export carrying the system
of record's purges) deletes at once the files it removed *and every older file of the
buckets it rewrote*: rows are bucketed, so a purged row can only be in those, in the
current files or in files older versions still list for time travel. Older versions
can no longer be read for those buckets, which is the point. Every other removed file
(an export's copy-on-write of a mutable table) stays for time travel until
:meth:`DeltaTableFormat.vacuum` deletes it after the retention period
(``CONSENTRY_LAKE_RETENTION_HOURS``, 168 by default, Delta's own default).
:meth:`DeltaTableFormat.retained_files` lists every data file still on disk, which is a
superset of the files any retained version can reach: ``verify_absent`` reads them all.

Storage. The lake root is a local (or mounted) directory or an ``s3://`` URI
(:mod:`consentry.lake.storage`): data files are written, listed and deleted through the
root's ``pyarrow.fs`` file system (:attr:`DeltaTableFormat.filesystem`; the paths
:meth:`~DeltaTableFormat.new_file` and :meth:`~DeltaTableFormat.uri` return are paths in
it), and delta-rs commits to the same place with the root's storage options.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyarrow import fs as pafs

from consentry.lake.port import CommitConflict, DataFile, Snapshot
from consentry.lake.storage import LakeStorage, storage_for

LOG_DIR = "_delta_log"
STAGING = "_staging"
META_KEY = "consentry"
RETENTION_ENV = "CONSENTRY_LAKE_RETENTION_HOURS"
DEFAULT_RETENTION_HOURS = 168
TABLE_CONFIGURATION = {
    # No per-column statistics in the log: they would hold message text (see above).
    "delta.dataSkippingNumIndexedCols": "0",
}


def retention_hours() -> int:
    """How long files removed by a non-purge commit stay readable for time travel."""
    raw = os.environ.get(RETENTION_ENV, "").strip()
    if not raw:
        return DEFAULT_RETENTION_HOURS
    hours = int(raw)
    if hours < 0:
        raise ValueError(f"{RETENTION_ENV} must be 0 or more hours, not {hours}")
    return hours


def bucket_dir(bucket: int) -> str:
    """The directory of a bucket's data files (no ``=``: not mistaken for a Hive partition)."""
    return f"bucket-{bucket:03d}"


def _bucket_of_path(path: str) -> int:
    for part in reversed(path.split("/")[:-1]):
        if part.startswith("bucket-"):
            return int(part.removeprefix("bucket-"))
        if part.startswith("bucket=") or part.startswith("_b="):
            return int(part.split("=", 1)[1])
    raise ValueError(f"data file {path} is not in a bucket directory")


def is_delta_table(root: Path | str, store: LakeStorage | None = None) -> bool:
    """Whether `root` (a path in `store`'s file system, local by default) is a Delta table."""
    if store is None:
        return (Path(root) / LOG_DIR).is_dir()
    return store.is_dir(f"{root}/{LOG_DIR}")


class DeltaTableFormat:
    """One lake table as a Delta table in the lake's storage (a directory or s3://)."""

    def __init__(
        self,
        lake: str | Path,
        name: str,
        schema: pa.Schema,
        *,
        retention: int | None = None,
    ) -> None:
        self.name = name
        self.store = storage_for(str(lake))
        self.filesystem: pafs.FileSystem = self.store.filesystem
        self.root = Path(self.store.path(name))
        """The table's directory (on S3: its ``bucket/prefix`` path in the file system)."""
        self._root = self.store.path(name)
        self.schema = schema
        self.retention = retention_hours() if retention is None else retention

    def _path(self, rel: str) -> str:
        """`rel` (relative to the table) as a path in :attr:`filesystem`."""
        return f"{self._root}/{rel}"

    # -- reading -----------------------------------------------------------------
    def _table(self, version: int | None = None) -> Any:
        from deltalake import DeltaTable

        return DeltaTable(
            self.store.table_uri(self.name), version=version, storage_options=self.store.options
        )

    def exists(self) -> bool:
        return is_delta_table(self._root, self.store)

    def snapshot(self, version: int | None = None) -> Snapshot:
        """The current version, or `version` (time travel); version 0 for a new table."""
        if not self.exists():
            if version:
                raise ValueError(f"{self.name}: no version {version}, the table is new")
            return Snapshot(0)
        dt = self._table(version)
        return Snapshot(int(dt.version()), self._files(dt), self._state(dt))

    @staticmethod
    def _files(dt: Any) -> tuple[DataFile, ...]:
        actions = pa.table(dt.get_add_actions(flatten=True)).to_pydict()
        files = (
            DataFile(path, _bucket_of_path(path), int(rows or 0))
            for path, rows in zip(actions["path"], actions["num_records"], strict=True)
        )
        return tuple(sorted(files, key=lambda f: (f.bucket, f.path)))

    def _state(self, dt: Any) -> dict[str, Any]:
        """The export state of the newest commit that recorded one (vacuums record none)."""
        for limit in (8, None):
            for commit in dt.history(limit):
                meta = commit.get(META_KEY)
                if meta:
                    state = json.loads(meta).get("state", {})
                    assert isinstance(state, dict)
                    return state
        return {}

    def versions(self) -> list[dict[str, Any]]:
        """Every commit still in the log, oldest first: version, time, operation, note."""
        if not self.exists():
            return []
        out = []
        for commit in reversed(self._table().history()):
            meta = json.loads(commit.get(META_KEY) or "{}")
            out.append(
                {
                    "version": int(commit["version"]),
                    "timestamp": int(commit.get("timestamp") or 0),
                    "operation": commit.get("operation"),
                    "note": meta.get("note", ""),
                    "purge": bool(meta.get("purge", False)),
                }
            )
        return out

    def readable(self, version: int) -> bool:
        """Whether every data file of `version` is still on disk (time travel works)."""
        paths = [self.uri(f) for f in self.snapshot(version).files]
        infos = self.filesystem.get_file_info(paths) if paths else []
        return all(i.type != pafs.FileType.NotFound for i in infos)

    def uri(self, file: DataFile) -> str:
        """Where `file` is: a path in :attr:`filesystem` (for a local lake, the local path)."""
        return self._path(file.path)

    def uris(self, snap: Snapshot) -> list[str]:
        return [self.uri(f) for f in snap.files]

    # -- writing -----------------------------------------------------------------
    def new_file(self, bucket: int) -> tuple[str, str]:
        """(path relative to the table, path in :attr:`filesystem`) of a new data file."""
        rel = f"{bucket_dir(bucket)}/{uuid.uuid4().hex}.parquet"
        if not self.store.remote:
            (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        return rel, self._path(rel)

    def staging_dir(self) -> str:
        path = self.root / STAGING / uuid.uuid4().hex
        path.parent.mkdir(parents=True, exist_ok=True)
        return str(path)

    def relative(self, absolute: str) -> str:
        return str(Path(absolute.removeprefix("file:")).relative_to(self.root))

    def adopt(self, absolute: str, bucket: int) -> str:
        """Move a file an engine wrote into :meth:`staging_dir` to its bucket directory."""
        rel, target = self.new_file(bucket)
        os.replace(absolute.removeprefix("file:"), target)
        return rel

    def _create(self) -> None:
        from deltalake import DeltaTable

        try:
            DeltaTable.create(
                self.store.table_uri(self.name),
                schema=self.schema,
                mode="error",
                name=self.name,
                configuration=dict(TABLE_CONFIGURATION),
                storage_options=self.store.options,
            )
        except Exception as error:  # another writer created it first
            if not self.exists():
                raise
            del error

    def commit(
        self,
        *,
        expected_version: int,
        add: Sequence[DataFile],
        remove: Sequence[DataFile],
        state: Mapping[str, Any] | None = None,
        note: str = "",
        purge: bool = False,
    ) -> Snapshot:
        """One Delta commit of `add` and `remove`; with `purge`, delete the removed files.

        Raises :class:`CommitConflict` if the table is no longer at `expected_version`
        or a concurrent writer removed a file this commit read.
        """
        dt = self._at_version(expected_version, remove)
        new_state = dict(state if state is not None else self._state(dt))
        meta = json.dumps({"note": note, "state": new_state, "purge": purge})
        self._write(dt, self._actions(add, remove), meta)
        # The committed version: what this table object now holds (delta-rs rebased it past
        # any non-conflicting concurrent commit), without reloading the log.
        dt.update_incremental()
        snap = Snapshot(int(dt.version()), self._files(dt), new_state)
        if purge:
            self._expunge({f.bucket for f in remove}, {f.path for f in snap.files})
        return snap

    def _at_version(self, expected_version: int, remove: Sequence[DataFile]) -> Any:
        """The table (created if new) at `expected_version`, holding every file of `remove`;
        :class:`CommitConflict` otherwise."""
        if not self.exists():
            if expected_version != 0:
                raise CommitConflict(f"{self.name}: expected version {expected_version}, new")
            self._create()
        dt = self._table()
        current = int(dt.version())
        if current != expected_version and not (expected_version == 0 and current == 0):
            raise CommitConflict(
                f"{self.name}: expected version {expected_version}, found {current}"
            )
        self._add_new_columns(dt)
        live = set(pa.table(dt.get_add_actions(flatten=True)).column("path").to_pylist())
        unknown = {f.path for f in remove} - live
        if unknown:
            raise CommitConflict(f"{self.name}: cannot remove files not in the table: {unknown}")
        return dt

    def _actions(self, add: Sequence[DataFile], remove: Sequence[DataFile]) -> list[Any]:
        """Delta ``add`` actions (size from storage, ``numRecords`` only) and ``remove``s."""
        from deltalake.transaction import AddAction, RemoveAction

        now_ms = int(time.time() * 1000)
        sizes = self.filesystem.get_file_info([self._path(f.path) for f in add]) if add else []
        actions: list[Any] = []
        for f, info in zip(add, sizes, strict=True):
            stats = json.dumps({"numRecords": f.rows})
            actions.append(AddAction(f.path, int(info.size), {}, now_ms, True, stats))
        for f in remove:
            actions.append(RemoveAction(f.path, True, now_ms, None, {}))
        return actions

    def _write(self, dt: Any, actions: list[Any], meta: str) -> None:
        """One Delta commit of `actions` with our metadata (an empty one records state)."""
        from deltalake.exceptions import CommitFailedError
        from deltalake.transaction import CommitProperties

        properties = CommitProperties(custom_metadata={META_KEY: meta})
        try:
            dt.create_write_transaction(
                actions, "append", self.schema, commit_properties=properties
            )
        except CommitFailedError as error:
            raise CommitConflict(f"{self.name}: {error}") from None

    def _add_new_columns(self, dt: Any) -> None:
        """Columns the lake's schema gained since the table was made (``messages.author``,
        issue 17) join the Delta table's schema, nullable, in a commit of their own;
        files written before read them as null."""
        from deltalake import Schema

        have = {f.name for f in dt.schema().fields}
        new = [f for f in self.schema if f.name not in have]
        if new:
            dt.alter.add_columns(list(Schema.from_arrow(pa.schema(new)).fields))
            dt.update_incremental()

    def _expunge(self, buckets: set[int], live: set[str]) -> None:
        """Delete every file the log ever listed in `buckets` that is not live: the
        purge's removed files and the older versions' files of those buckets."""
        stale = [self._path(p) for p in sorted(self._listed_in(buckets) - live)]
        for info in self.filesystem.get_file_info(stale) if stale else []:
            if info.type != pafs.FileType.NotFound:
                self.filesystem.delete_file(info.path)

    def _log(self) -> list[tuple[int, list[str], list[str], dict[str, Any]]]:
        """(version, added paths, removed paths, our commit metadata) per JSON log entry."""
        out = []
        for entry in self.store.list(self._path(LOG_DIR), recursive=False):
            name = entry.rsplit("/", 1)[-1]
            if not name.endswith(".json"):
                continue
            adds, removes, meta = [], [], {}
            with self.filesystem.open_input_stream(entry) as stream:
                text = stream.read().decode()
            for line in text.splitlines():
                action = json.loads(line)
                if "add" in action:
                    adds.append(action["add"]["path"])
                elif "remove" in action:
                    removes.append(action["remove"]["path"])
                elif "commitInfo" in action:
                    meta = json.loads(action["commitInfo"].get(META_KEY) or "{}")
            out.append((int(name.removesuffix(".json")), adds, removes, meta))
        return sorted(out)

    def _listed_in(
        self,
        buckets: set[int],
        before: int | None = None,
        log: list[tuple[int, list[str], list[str], dict[str, Any]]] | None = None,
    ) -> set[str]:
        """Every path the log added in `buckets` (at versions before `before`)."""
        return {
            path
            for version, adds, _, _ in (self._log() if log is None else log)
            if before is None or version < before
            for path in adds
            if _bucket_of_path(path) in buckets
        }

    def vacuum(self) -> list[str]:
        """Delete removed files older than the retention, and empty staging directories."""
        if not self.exists():
            return []
        dt = self._table()
        options = {"retention_hours": self.retention, "enforce_retention_duration": False}
        # A dry run first: a vacuum that deletes something records two commits.
        deleted = dt.vacuum(dry_run=True, **options)
        if deleted:
            deleted = dt.vacuum(dry_run=False, **options)
        staging = self.root / STAGING
        if not self.store.remote and staging.exists():
            for path in sorted(staging.rglob("*"), reverse=True):
                if path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
        return [str(p) for p in deleted]

    def retained_files(self) -> list[str]:
        """Every data file of the table on disk: those any retained version can reach, and
        any a crashed writer left unreferenced. ``verify_absent`` reads all of them."""
        log = self._path(LOG_DIR) + "/"
        return [
            p
            for p in self.store.list(self._root)
            if p.endswith(".parquet") and not p.startswith(log)
        ]

    def leftovers(self) -> list[str]:
        """Files that a purge commit made unreachable and that are still on disk: those it
        removed and those of older versions in the buckets it purged. Empty is the proof."""
        if not self.exists():
            return []
        live = {f.path for f in self.snapshot().files}
        left: set[str] = set()
        log = self._log()
        for version, _, removes, meta in log:
            if meta.get("purge") and removes:
                buckets = {_bucket_of_path(p) for p in removes}
                stale = self._listed_in(buckets, before=version, log=log) - live
                left |= {p for p in stale if self.store.exists(self._path(p))}
        return sorted(left)
