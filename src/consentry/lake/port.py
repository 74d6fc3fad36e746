"""The table-format port: how the lake commits, reads and proves changes to a table.

A table is a set of immutable Parquet data files plus a *log* that says which files make
up each version. Engines (pyarrow in ``lake export``, Spark in the job) write new data
files beside the live ones, then call :meth:`TableFormat.commit`, which swaps the table
to a new version in one atomic step: a reader that resolved version *n* reads exactly
the files of version *n*, never a half-rewritten partition. Files a commit removes are
physically deleted by :meth:`TableFormat.vacuum`, which is what makes a purge provable:
after it, no file of the table holds the purged rows (``verify_absent`` checks).

Implementations: :class:`consentry.lake.hive.PointerTable` (Hive-style bucket
directories, a ``_CURRENT`` pointer swapped by rename). A Delta Lake or Iceberg
deployment plugs in by mapping ``commit`` to add/remove actions of its log.
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
    """One table in the lake. Paths it returns are absolute (local path or URI)."""

    name: str

    def snapshot(self) -> Snapshot:
        """The current version (version 0 with no files for a new table)."""
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

    def relative(self, absolute: str) -> str:
        """The table-relative path of a file an engine wrote into :meth:`staging_dir`."""
        ...

    def commit(
        self,
        *,
        expected_version: int,
        add: Sequence[DataFile],
        remove: Sequence[DataFile],
        state: Mapping[str, Any] | None = None,
        note: str = "",
    ) -> Snapshot:
        """Atomically make a new version: previous files minus `remove` plus `add`.

        Raises :class:`CommitConflict` if the table is no longer at `expected_version`.
        """
        ...

    def vacuum(self) -> list[str]:
        """Delete every data file no longer in the current version; returns what it deleted."""
        ...

    def leftovers(self) -> list[str]:
        """Files a commit removed that are still on disk: empty once vacuumed (the proof)."""
        ...
