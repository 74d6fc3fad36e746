"""The table-format port: how the lake commits, reads and proves changes to a table.

A table is a set of immutable Parquet data files plus a *log* that says which files make
up each version. Engines (pyarrow in ``lake export``, Spark in the job) write new data
files beside the live ones, then call :meth:`TableFormat.commit`, which swaps the table
to a new version in one atomic step: a reader that resolved version *n* reads exactly
the files of version *n*, never a half-rewritten partition. Files a commit removes are
physically deleted by :meth:`TableFormat.vacuum`, which is what makes a purge provable:
after it, no file of the table holds the purged rows (``verify_absent`` checks).

Implementation: :class:`consentry.lake.delta.DeltaTableFormat` (Delta Lake through
delta-rs; the choice is explained in docs/spark.md). :class:`consentry.lake.hive.PointerTable`,
the earlier format of our own, is kept only as the source of ``consentry lake migrate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class DataFile:
    """One immutable Parquet file of a table, relative to the table's root."""

    path: str
    bucket: int
    rows: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One committed version of a table: its files and the export state it reflects."""

    version: int
    files: tuple[DataFile, ...] = ()
    state: Mapping[str, Any] = field(default_factory=dict)
    """Watermarks and other bookkeeping committed atomically with the data."""

    def files_in(self, buckets: Sequence[int] | None = None) -> list[DataFile]:
        if buckets is None:
            return list(self.files)
        wanted = set(buckets)
        return [f for f in self.files if f.bucket in wanted]


class CommitConflict(RuntimeError):
    """Raised when another writer committed first; re-read the snapshot and retry."""


class TableFormat(Protocol):
    """One table in the lake. Paths it returns are paths in :attr:`filesystem` (for a
    local lake, absolute local paths; for ``s3://``, ``bucket/key``)."""

    name: str
    filesystem: Any
    """The ``pyarrow.fs.FileSystem`` the table's files are in: pass it to pyarrow."""

    def snapshot(self, version: int | None = None) -> Snapshot:
        """The current version, or `version` (time travel); version 0 for a new table."""
        ...

    def readable(self, version: int) -> bool:
        """Whether every data file of `version` is still on disk."""
        ...

    def uri(self, file: DataFile) -> str:
        """Where an engine reads `file`."""
        ...

    def new_file(self, bucket: int) -> tuple[str, str]:
        """A fresh (relative path, absolute path) for a data file of `bucket`."""
        ...

    def staging_dir(self) -> str:
        """A fresh directory inside the table where an engine may write files to add."""
        ...

    def adopt(self, absolute: str, bucket: int) -> str:
        """Move a file an engine wrote into :meth:`staging_dir` into the table; its path."""
        ...

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
        """Atomically make a new version: previous files minus `remove` plus `add`.

        With `purge`, the removed files hold rows a purge deleted: they are deleted from
        storage at once, whatever the retention of old versions.
        Raises :class:`CommitConflict` if the table is no longer at `expected_version`.
        """
        ...

    def vacuum(self) -> list[str]:
        """Delete removed files older than the retention of old versions; what it deleted."""
        ...

    def leftovers(self) -> list[str]:
        """Files a purge commit removed that are still on disk: empty is the proof."""
        ...

    def retained_files(self) -> list[str]:
        """Every data file on storage: a superset of what any retained version can reach."""
        ...
