"""What a Spark run's audit reads: the table versions the run read, or what replaces them.

A run records the Delta version of every table it read (``run.json`` ``versions``) and,
for the tables whose rows a later commit rewrites in place (``accounts``, ``sessions``,
``feedback``, ``holds``), the keys of the rows it read at that version
(``_runs/<run_id>/read/<table>``, one ``id`` column). The audit time-travels to the
recorded versions. A version can stop being readable: a sweep's purge commit deletes the
older files of the buckets it rewrote (R17: no version may bring a purged row back), and
the retention of old versions ends for everything else. The audit then re-proves the
run as the embedded audit does after a sweep (``consentry.service.runs.audit_run``
reads today's store): it reads the table's current version, restricted to the keys the
run read. A purge, a release or a deletion after the cutoff changes those rows only by
columns the rules read *as at the cutoff* (``purged_at`` and the sweep's tombstones,
``released_at``, ``deleted_at`` are compared with the cutoff; purged content is not read
at all), so the recomputed manifest is the run's. A key the run read that is no longer in
the table is a finding: that row cannot be re-proven. The append-only tables
(``consent_events``, ``activities``, ``tombstones``) never lose a version's files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from consentry.lake.catalog import open_table
from consentry.spark import rules
from consentry.spark.lakeio import read_table

READ_KEYS = "read"
KEYED = ("accounts", "sessions", "feedback", "holds")
"""Tables whose rows later commits rewrite; the run records the keys it read in each."""
RULE_TABLES = ("accounts", "consent_events", "sessions", "activities", "feedback", "holds")


def keys_dir(run_root: Path, name: str) -> Path:
    return run_root / READ_KEYS / name


def record_read_keys(run_root: Path, frames: rules.Lake) -> None:
    """Write the keys of the rows a run read from each :data:`KEYED` table (the frames it
    computed the manifest from, at the versions ``run.json`` records)."""
    for name in KEYED:
        frame = getattr(frames, name)
        frame.select("id").write.mode("overwrite").parquet(str(keys_dir(run_root, name)))


def audit_frames(
    spark: Any, *, lake: str, run_root: Path, versions: dict[str, int]
) -> tuple[rules.Lake | None, list[str], list[str]]:
    """The tables the rules read, at the recorded `versions` where they are readable.

    Returns (frames or None, findings, notes): a table whose version is gone is read at
    its current version restricted to the keys the run recorded (a note says so); if the
    run recorded none, or some of those keys are gone, that is a finding and no frames.
    """
    findings: list[str] = []
    notes: list[str] = []
    frames: dict[str, Any] = {}
    for name in (*RULE_TABLES, "tombstones"):
        version = versions.get(name)
        table = open_table(lake, name)
        if version is None or table.readable(version):
            frames[name] = read_table(spark, lake, name, version=version)
            continue
        keys = keys_dir(run_root, name)
        if name not in KEYED or not keys.is_dir():
            findings.append(
                f"{name} version {version} is no longer readable (a purge or the retention"
                " deleted its files) and the run recorded no keys to re-prove it from"
            )
            continue
        frame, lost = _current_rows_read(spark, lake, name, keys)
        if lost:
            findings.append(
                f"{name}: {lost} rows the run read at version {version} are no longer in"
                " the table (version gone, rows removed since): they cannot be re-proven"
            )
            continue
        current = table.snapshot().version
        notes.append(
            f"{name} version {version} is no longer readable (a purge or the retention"
            f" deleted its files): re-proven from version {current}, restricted to the"
            " rows the run read"
        )
        frames[name] = frame
    if findings:
        return None, findings, notes
    return rules.Lake(**frames), findings, notes


def _current_rows_read(spark: Any, lake: str, name: str, keys: Path) -> tuple[Any, int]:
    """(the current rows of `name` whose id the run read, how many of those ids are gone)."""
    read = spark.read.parquet(str(keys)).select("id").distinct()
    current = read_table(spark, lake, name)
    rows = current.join(read, "id", "left_semi")
    lost = read.join(current.select("id"), "id", "left_anti").count()
    return rows, int(lost)
