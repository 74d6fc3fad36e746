"""Writing a Spark export's shards: sorted, numbered without moving data, one task a shard.

Split from :mod:`consentry.spark.export` (module size); the steps are that module's 2 and 3.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from consentry.adapters.files import open_private
from consentry.export.formats import encoder_for
from consentry.export.manifest import shard_name
from consentry.export.sink import ExportSink, StoredFile

DataFrame = Any
SHARD_ROWS = "kind string, shard long, name string, sha256 string, rows long"


def write_shard_tasks(
    directory: str, kind: str, schema: pa.Schema, batch_rows: int, finish: Any = None
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Executor side: write each shard of the partition (rows sorted by shard, index).

    ``finish`` (issue 26, :func:`consentry.spark.decrypt.opener`): built once per task, it
    opens and filters the shard's rows, and the shard is encoded in memory and stored sealed."""

    def flush(shard: int, parts: list[pa.RecordBatch], opened: Any) -> pa.RecordBatch:
        table = pa.Table.from_batches(parts)
        if opened is not None:  # the rows' ids are still there: the associated data
            table = opened[0](table)
        table = table.select(schema.names).cast(schema)
        batches = [
            table.slice(i, batch_rows).combine_chunks().to_batches()[0]
            for i in range(0, table.num_rows, batch_rows)
        ]
        name = shard_name(kind, shard, encoder_for("parquet").extension)
        final = Path(directory) / name
        temporary = Path(directory) / f".{name}.partial"
        with open_private(temporary) as stream:  # 0600, like DirectorySink (issue 17)
            plain = io.BytesIO()
            target = stream if opened is None else plain
            rows = encoder_for("parquet").encode(target, schema, iter(batches))
            if opened is not None:
                stream.write(opened[1](name, plain.getvalue()))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, final)
        digest = hashlib.sha256(final.read_bytes()).hexdigest()
        return pa.RecordBatch.from_pydict(
            {"kind": [kind], "shard": [shard], "name": [name], "sha256": [digest], "rows": [rows]}
        )

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        opened = finish() if finish is not None else None  # once per task
        current: int | None = None
        parts: list[pa.RecordBatch] = []
        for batch in batches:
            shards = batch.column(batch.schema.get_field_index("_shard")).to_pylist()
            start = 0
            for i in range(1, len(shards) + 1):
                if i == len(shards) or shards[i] != shards[start]:
                    if current is not None and shards[start] != current:
                        yield flush(current, parts, opened)
                        parts = []
                    current = shards[start]
                    parts.append(batch.slice(start, i - start))
                    start = i
        if current is not None:
            yield flush(current, parts, opened)

    return run


def write_shards(
    spark: Any,
    rows: DataFrame,
    *,
    order: list[str],
    kind: str,
    schema: pa.Schema,
    directory: str,
    shard_rows: int,
    batch_rows: int,
    finish: Any = None,
    keep: tuple[str, ...] = (),
) -> list[StoredFile]:
    """Sort `rows` by `order` across the cluster, number them, write `kind` shards."""
    from pyspark.sql import functions as F

    parts = max(1, int(spark.conf.get("spark.sql.shuffle.partitions")))
    ranged = (
        rows.repartitionByRange(parts, *order)
        .sortWithinPartitions(*order)
        .withColumn("_pid", F.spark_partition_id())
        .withColumn("_mid", F.monotonically_increasing_id())
        .localCheckpoint(eager=True)
    )
    stats = sorted(
        (r["_pid"], r["n"], r["m0"])
        for r in ranged.groupBy("_pid")
        .agg(F.count("*").alias("n"), F.min("_mid").alias("m0"))
        .collect()
    )
    offsets, total = [], 0
    for pid, n, first in stats:
        offsets.append((pid, total - first))
        total += n
    if total == 0:
        return []
    deltas = spark.createDataFrame(offsets, "_pid int, _delta long")
    indexed = (
        ranged.join(F.broadcast(deltas), "_pid")
        .withColumn("_idx", F.col("_mid") + F.col("_delta"))
        .withColumn("_shard", F.floor(F.col("_idx") / F.lit(shard_rows)).cast("long"))
    )
    shards = math.ceil(total / shard_rows)
    written = (
        indexed.repartition(shards, "_shard")
        .sortWithinPartitions("_shard", "_idx")
        .select(*dict.fromkeys([*schema.names, *keep]), "_shard")
        .mapInArrow(write_shard_tasks(directory, kind, schema, batch_rows, finish), SHARD_ROWS)
        .collect()
    )
    return [
        StoredFile(r["name"], str(Path(directory) / r["name"]), r["sha256"], int(r["rows"]))
        for r in sorted(written, key=lambda r: r["shard"])
    ]


def empty_shard(sink: ExportSink, kind: str, schema: pa.Schema) -> StoredFile:
    encoder = encoder_for("parquet")
    return sink.put(
        shard_name(kind, 0, encoder.extension),
        lambda stream: encoder.encode(stream, schema, iter(())),
    )
