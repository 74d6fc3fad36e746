"""``consentry lake migrate``: convert a pointer-format lake to Delta Lake, in place.

Per table in the old format (``_log/`` and ``_CURRENT``, :mod:`consentry.lake.hive`):

1. vacuum it in its own format: files its older versions removed may hold purged rows,
   and the Delta table must not inherit them;
2. commit its current files, unchanged where they lie, and its export state (watermarks)
   as the Delta table's first data version: that commit is the conversion's commit point;
3. delete ``_CURRENT`` and ``_log/``.

A crash anywhere is finished by running the command again: a table with both a Delta log
and pointer files is checked (same files) and its pointer files removed. Runs created
before the conversion keep their manifests; their ``run.json`` had the pseudonym secret
in clear, which is sealed now (:func:`consentry.spark.runs.seal_secret`). They record no
table versions, so ``spark audit`` says it cannot time-travel for them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from consentry.lake import schema as ls
from consentry.lake.catalog import POINTER_MARKERS, LakeFormatError, open_table, table_formats
from consentry.lake.hive import PointerTable, _write_durable


@dataclass
class MigrationReport:
    """What the conversion did, per table, and the runs whose secret it sealed."""

    tables: dict[str, int] = field(default_factory=dict)
    """Delta version of each converted table."""
    skipped: list[str] = field(default_factory=list)
    vacuumed: int = 0
    runs_sealed: list[str] = field(default_factory=list)


def migrate_lake(lake: str, *, key: bytes | None = None) -> MigrationReport:
    """Convert every pointer-format table of `lake` to Delta; idempotent."""
    report = MigrationReport()
    formats = table_formats(lake)
    for table in ls.TABLES:
        kind = formats.get(table.name)
        if kind not in ("pointer", "both"):
            report.skipped.append(table.name)
            continue
        pointer = PointerTable(lake, table.name)
        snap = pointer.snapshot()
        report.vacuumed += len(pointer.vacuum())
        delta = open_table(lake, table.name)
        current = delta.snapshot()
        if current.version == 0:
            delta.commit(
                expected_version=current.version,
                add=list(snap.files),
                remove=[],
                state=dict(snap.state),
                note=f"lake migrate: pointer-format version {snap.version}",
            )
        elif {f.path for f in current.files} != {f.path for f in snap.files}:
            raise LakeFormatError(
                f"{table.name}: the Delta table and the pointer format list different files;"
                " it was written after a partial conversion, compare them by hand"
            )
        root = Path(lake) / table.name
        for marker in reversed(POINTER_MARKERS):  # _CURRENT first, then the log
            path = root / marker
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        report.tables[table.name] = delta.snapshot().version
    report.runs_sealed = _seal_runs(lake, key)
    return report


def _seal_runs(lake: str, key: bytes | None) -> list[str]:
    """Replace the clear pseudonym secret of older runs' ``run.json`` by a sealed one."""
    from consentry.spark.runs import RUNS_DIR, lake_key, seal_secret

    sealed = []
    for path in sorted((Path(lake) / RUNS_DIR).glob("*/run.json")):
        data = json.loads(path.read_text())
        secret = data.pop("pseudonym_secret", None)
        if secret is None:
            continue
        key = key if key is not None else lake_key()
        data["pseudonym_secret_sealed"] = seal_secret(secret, data["id"], key)
        data.setdefault("versions", {})
        _write_durable(path, json.dumps(data, indent=2).encode(), replace=True)
        sealed.append(data["id"])
    return sealed
