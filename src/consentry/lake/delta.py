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

from consentry.lake.port import CommitConflict, DataFile, Snapshot

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


def is_delta_table(root: Path) -> bool:
    return (root / LOG_DIR).is_dir()


class DeltaTableFormat:
    """One lake table as a Delta table on a local (or mounted) file system."""

    def __init__(
        self,
        lake: str | Path,
        name: str,
        schema: pa.Schema,
        *,
        retention: int | None = None,
    ) -> None:
        self.name = name
        self.root = Path(lake) / name
        self.schema = schema
        self.retention = retention_hours() if retention is None else retention

    # -- reading -----------------------------------------------------------------
    def _table(self, version: int | None = None) -> Any:
        from deltalake import DeltaTable

        return DeltaTable(str(self.root), version=version)

    def exists(self) -> bool:
        return is_delta_table(self.root)

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
        return all(Path(self.uri(f)).exists() for f in self.snapshot(version).files)

    def uri(self, file: DataFile) -> str:
        return str(self.root / file.path)

    def uris(self, snap: Snapshot) -> list[str]:
        return [self.uri(f) for f in snap.files]

    # -- writing -----------------------------------------------------------------
    def new_file(self, bucket: int) -> tuple[str, str]:
        rel = f"{bucket_dir(bucket)}/{uuid.uuid4().hex}.parquet"
        (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        return rel, str(self.root / rel)

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
                str(self.root),
                schema=self.schema,
                mode="error",
                name=self.name,
                configuration=dict(TABLE_CONFIGURATION),
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
        from deltalake.exceptions import CommitFailedError
        from deltalake.transaction import AddAction, CommitProperties, RemoveAction

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
        now_ms = int(time.time() * 1000)
        actions: list[Any] = []
        for f in add:
            stat = os.stat(self.root / f.path)
            stats = json.dumps({"numRecords": f.rows})
            actions.append(AddAction(f.path, stat.st_size, {}, now_ms, True, stats))
        for f in remove:
            actions.append(RemoveAction(f.path, True, now_ms, None, {}))
        new_state = dict(state if state is not None else self._state(dt))
        meta = json.dumps({"note": note, "state": new_state, "purge": purge})
        if actions:
            try:
                dt.create_write_transaction(
                    actions,
                    "append",
                    self.schema,
                    commit_properties=CommitProperties(custom_metadata={META_KEY: meta}),
                )
            except CommitFailedError as error:
                raise CommitConflict(f"{self.name}: {error}") from None
        else:  # state only: an empty append records it
            dt.create_write_transaction(
                [],
                "append",
                self.schema,
                commit_properties=CommitProperties(custom_metadata={META_KEY: meta}),
            )
        # The committed version: what this table object now holds (delta-rs rebased it past
        # any non-conflicting concurrent commit), without reloading the log.
        dt.update_incremental()
        snap = Snapshot(int(dt.version()), self._files(dt), new_state)
        if purge:
            self._expunge({f.bucket for f in remove}, {f.path for f in snap.files})
        return snap

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
        for path in self._listed_in(buckets) - live:
            (self.root / path).unlink(missing_ok=True)

    def _log(self) -> list[tuple[int, list[str], list[str], dict[str, Any]]]:
        """(version, added paths, removed paths, our commit metadata) per JSON log entry."""
        out = []
        for entry in sorted((self.root / LOG_DIR).glob("*.json")):
            adds, removes, meta = [], [], {}
            for line in entry.read_text().splitlines():
                action = json.loads(line)
                if "add" in action:
                    adds.append(action["add"]["path"])
                elif "remove" in action:
                    removes.append(action["remove"]["path"])
                elif "commitInfo" in action:
                    meta = json.loads(action["commitInfo"].get(META_KEY) or "{}")
            out.append((int(entry.stem), adds, removes, meta))
        return out

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
        if staging.exists():
            for path in sorted(staging.rglob("*"), reverse=True):
                if path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
        return [str(p) for p in deleted]

    def retained_files(self) -> list[str]:
        """Every data file of the table on disk: those any retained version can reach, and
        any a crashed writer left unreferenced. ``verify_absent`` reads all of them."""
        if not self.root.exists():
            return []
        return sorted(
            str(p)
            for p in self.root.rglob("*.parquet")
            if LOG_DIR not in p.relative_to(self.root).parts
        )

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
                left |= {p for p in stale if (self.root / p).exists()}
        return sorted(left)
