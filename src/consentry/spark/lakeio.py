"""Reading lake tables into DataFrames and rewriting their buckets, through the port.

The driver resolves a table's snapshot (the current one, or a recorded version: time
travel) to the list of files the Delta log names for it and hands Spark exactly those
files, so a job never reads a half-committed version and needs no Delta jars. Rewrites
write new files into the table's staging directory, move them into their bucket
directories and commit add/remove as one Delta commit (see :mod:`consentry.lake.delta`);
a purge commit deletes the files it removed at once.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from consentry.lake import schema as ls
from consentry.lake.catalog import open_table
from consentry.lake.port import DataFile, Snapshot

DataFrame = Any  # pyspark.sql.DataFrame (pyspark is untyped)


def spark_schema(table: ls.LakeTable) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(table.schema)


def read_table(
    spark: Any, lake: str, name: str, snap: Snapshot | None = None, *, version: int | None = None
) -> DataFrame:
    """The current snapshot of a lake table (or `snap`, or `version`) as a DataFrame."""
    table = ls.BY_NAME[name]
    lt = open_table(lake, name)
    files = (snap or lt.snapshot(version)).files
    schema = spark_schema(table)
    if not files:
        return spark.createDataFrame([], schema)
    return spark.read.schema(schema).parquet(*[lt.uri(f) for f in files])


def rewrite_buckets(
    spark: Any,
    lake: str,
    name: str,
    buckets: list[int],
    transform: Callable[[DataFrame], DataFrame],
    *,
    note: str,
    purge: bool = True,
) -> tuple[int, int]:
    """Replace every file of `buckets` by `transform(rows of those files)`; atomic.

    Returns (new version, files removed). With `purge` (the sweep), the removed files
    are deleted from disk at once, so rows the transform dropped are in no file of any
    version of the table; otherwise they stay for the retention of old versions.
    """
    if not buckets:
        return open_table(lake, name).snapshot().version, 0
    from pyspark.sql import functions as F

    lt = open_table(lake, name)
    snap = lt.snapshot()
    old = snap.files_in(buckets)
    table = ls.BY_NAME[name]
    columns = table.schema.names
    if old:
        current = spark.read.schema(spark_schema(table)).parquet(*[lt.uri(f) for f in old])
    else:
        current = spark.createDataFrame([], spark_schema(table))
    new = transform(current).select(*columns)
    staging = lt.staging_dir()
    (
        new.withColumn("_b", F.col("bucket"))
        .repartition("_b")
        .write.partitionBy("_b")
        .parquet(staging)
    )
    add = _adopt(lt, staging)
    lt.commit(expected_version=snap.version, add=add, remove=old, note=note, purge=purge)
    lt.vacuum()
    return lt.snapshot().version, len(old)


def _adopt(lt: Any, staging: str) -> list[DataFile]:
    """The files Spark wrote under `staging` (``_b=<bucket>/``), moved into the table."""
    add = []
    for path in sorted(Path(staging).rglob("*.parquet")):
        bucket = int(path.parent.name.split("=", 1)[1])
        rows = pq.read_metadata(path).num_rows
        add.append(DataFile(lt.adopt(str(path), bucket), bucket, rows))
    shutil.rmtree(staging, ignore_errors=True)  # Spark's _SUCCESS and .crc files
    return add


def append_rows(spark: Any, lake: str, name: str, rows: DataFrame, *, note: str) -> int:
    """Append a DataFrame of rows to a lake table in one commit; returns the new version."""
    from pyspark.sql import functions as F

    lt = open_table(lake, name)
    snap = lt.snapshot()
    staging = lt.staging_dir()
    columns = ls.BY_NAME[name].schema.names
    (
        rows.select(*columns)
        .withColumn("_b", F.col("bucket"))
        .repartition("_b")
        .write.partitionBy("_b")
        .parquet(staging)
    )
    add = _adopt(lt, staging)
    if not add:
        return snap.version
    return lt.commit(expected_version=snap.version, add=add, remove=[], note=note).version


def bucket_col(column: str, buckets: int) -> Any:
    """Spark's twin of :func:`consentry.lake.schema.bucket_of`."""
    from pyspark.sql import functions as F

    return (F.crc32(F.col(column).cast("binary")) % F.lit(buckets)).cast("int")


def buckets_of(lake: str, name: str) -> int:
    return int(open_table(lake, name).snapshot().state.get("buckets", ls.DEFAULT_BUCKETS))
