"""Reading lake tables into DataFrames and rewriting their buckets, through the port.

The driver resolves a table's current snapshot (a list of files) and hands Spark
exactly those files, so a job never reads a half-committed version. Rewrites write new
files into the table's staging directory, then commit add/remove in one atomic step
and vacuum the removed files (see :mod:`consentry.lake.port`).
"""

from __future__ import annotations

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


def read_table(spark: Any, lake: str, name: str, snap: Snapshot | None = None) -> DataFrame:
    """The current snapshot of a lake table (or the given one) as a DataFrame."""
    table = ls.BY_NAME[name]
    lt = open_table(lake, name)
    files = (snap or lt.snapshot()).files
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
) -> tuple[int, int]:
    """Replace every file of `buckets` by `transform(rows of those files)`; atomic.

    Returns (new version, files removed). Removed files are deleted from disk at once
    (vacuum), so rows the transform dropped are gone from every file of the table.
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
    add = []
    for path in sorted(Path(staging).rglob("*.parquet")):
        bucket = int(path.parent.name.split("=", 1)[1])
        rows = pq.read_metadata(path).num_rows
        add.append(DataFile(lt.relative(str(path)), bucket, rows))
    lt.commit(expected_version=snap.version, add=add, remove=old, note=note)
    lt.vacuum()
    return lt.snapshot().version, len(old)


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
    add = []
    for path in sorted(Path(staging).rglob("*.parquet")):
        bucket = int(path.parent.name.split("=", 1)[1])
        add.append(DataFile(lt.relative(str(path)), bucket, pq.read_metadata(path).num_rows))
    if not add:
        return snap.version
    return lt.commit(expected_version=snap.version, add=add, remove=[], note=note).version


def bucket_col(column: str, buckets: int) -> Any:
    """Spark's twin of :func:`consentry.lake.schema.bucket_of`."""
    from pyspark.sql import functions as F

    return (F.crc32(F.col(column).cast("binary")) % F.lit(buckets)).cast("int")


def buckets_of(lake: str, name: str) -> int:
    return int(open_table(lake, name).snapshot().state.get("buckets", ls.DEFAULT_BUCKETS))
