"""``spark export``: a run's filtered, pseudonymised shards and manifest, in the embedded format.

The contract (docs/export.md) is the embedded exporter's,
:func:`consentry.service.training_export.export_run`: the same schemas, row order,
shard and record-batch boundaries, Parquet encoder and manifest, so the same run
gives the same rows (and, with the same pyarrow, the same bytes).

How it stays distributed:

1. the filter and the pseudonyms run inside the executors (``mapInArrow``), one
   :class:`~consentry.redaction.Redactor` per task;
2. rows are range-partitioned and sorted by the export order, then numbered without
   moving data: the driver collects one (count, first id) pair per partition and
   broadcasts the offsets back;
3. each shard (``row // shard_rows``) is written by one executor task, with a temporary
   name, fsync and rename; only (name, sha256, rows) come back to the driver, which
   writes ``manifest.json`` last through the embedded exporter's sink.

Executors must see `out_dir` (a shared or local file system in local mode).
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from consentry.adapters.files import open_private
from consentry.domain.clock import parse_iso
from consentry.domain.policy import NerPolicy
from consentry.domain.types import Purpose
from consentry.export.content import content_of_shards
from consentry.export.formats import FEEDBACK_SCHEMA, MESSAGE_SCHEMA, encoder_for
from consentry.export.manifest import MANIFEST_NAME, canonical_json, shard_name
from consentry.export.sink import DirectorySink, StoredFile
from consentry.spark.lakeio import read_table
from consentry.spark.runs import SparkRun, read_run, run_dir, trainable_messages

DataFrame = Any
MESSAGE_ROWS = (
    "session_id string, message_id string, session string, account string, kind string,"
    " surface string, seq int, role string, text string, at timestamp"
)
FEEDBACK_ROWS = "feedback_id string, feedback string, rating string, comment string, at timestamp"
SHARD_ROWS = "kind string, shard long, name string, sha256 string, rows long"


def filter_messages(
    secret_hex: str, ner: NerPolicy | None = None
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The executor-side filter for messages: pseudonyms for ids, the §4 filter for text."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from consentry.export.pseudonyms import Pseudonymizer
        from consentry.redaction import build_redactor

        pseudonym = Pseudonymizer(secret_hex)
        # The policy's NER settings travel in the closure; the model loads once per process.
        redactor = build_redactor(ner, pseudonym.key)
        for batch in batches:
            cols = batch.to_pydict()
            yield pa.RecordBatch.from_pydict(
                {
                    "session_id": cols["session_id"],
                    "message_id": cols["id"],
                    "session": [pseudonym("session", v) for v in cols["session_id"]],
                    "account": [pseudonym("account", v) for v in cols["account_id"]],
                    "kind": cols["kind"],
                    "surface": cols["surface"],
                    "seq": pa.array(cols["seq"], pa.int32()),
                    "role": cols["role"],
                    "text": [r.text for r in redactor.redact_many(cols["content"])],
                    "at": batch.column(batch.schema.get_field_index("at")),
                }
            )

    return run


def filter_feedback(
    secret_hex: str, ner: NerPolicy | None = None
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The executor-side filter for feedback: a pseudonym for its id, the filter for comments."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from consentry.export.pseudonyms import Pseudonymizer
        from consentry.redaction import build_redactor

        pseudonym = Pseudonymizer(secret_hex)
        # The policy's NER settings travel in the closure; the model loads once per process.
        redactor = build_redactor(ner, pseudonym.key)
        for batch in batches:
            cols = batch.to_pydict()
            redactor.prefetch(v for v in cols["comment"] if v is not None)
            yield pa.RecordBatch.from_pydict(
                {
                    "feedback_id": cols["id"],
                    "feedback": [pseudonym("feedback", v) for v in cols["id"]],
                    "rating": cols["rating"],
                    "comment": [
                        None if v is None else redactor.redact(v).text for v in cols["comment"]
                    ],
                    "at": batch.column(batch.schema.get_field_index("at")),
                }
            )

    return run


def write_shard_tasks(
    directory: str, kind: str, schema: pa.Schema, batch_rows: int
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Executor side: write each shard of the partition (rows sorted by shard, index)."""

    def flush(shard: int, parts: list[pa.RecordBatch]) -> pa.RecordBatch:
        table = pa.Table.from_batches(parts).select(schema.names).cast(schema)
        batches = [
            table.slice(i, batch_rows).combine_chunks().to_batches()[0]
            for i in range(0, table.num_rows, batch_rows)
        ]
        name = shard_name(kind, shard, encoder_for("parquet").extension)
        final = Path(directory) / name
        temporary = Path(directory) / f".{name}.partial"
        with open_private(temporary) as stream:  # 0600, like DirectorySink (issue 17)
            rows = encoder_for("parquet").encode(stream, schema, iter(batches))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, final)
        digest = hashlib.sha256(final.read_bytes()).hexdigest()
        return pa.RecordBatch.from_pydict(
            {"kind": [kind], "shard": [shard], "name": [name], "sha256": [digest], "rows": [rows]}
        )

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        current: int | None = None
        parts: list[pa.RecordBatch] = []
        for batch in batches:
            shards = batch.column(batch.schema.get_field_index("_shard")).to_pylist()
            start = 0
            for i in range(1, len(shards) + 1):
                if i == len(shards) or shards[i] != shards[start]:
                    if current is not None and shards[start] != current:
                        yield flush(current, parts)
                        parts = []
                    current = shards[start]
                    parts.append(batch.slice(start, i - start))
                    start = i
        if current is not None:
            yield flush(current, parts)

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
        .select(*schema.names, "_shard")
        .mapInArrow(write_shard_tasks(directory, kind, schema, batch_rows), SHARD_ROWS)
        .collect()
    )
    return [
        StoredFile(r["name"], str(Path(directory) / r["name"]), r["sha256"], int(r["rows"]))
        for r in sorted(written, key=lambda r: r["shard"])
    ]


def _empty_shard(sink: DirectorySink, kind: str, schema: pa.Schema) -> StoredFile:
    encoder = encoder_for("parquet")
    return sink.put(
        shard_name(kind, 0, encoder.extension),
        lambda stream: encoder.encode(stream, schema, iter(())),
    )


def export_run(
    spark: Any,
    *,
    lake: str,
    run_id: str,
    out_dir: str,
    shard_rows: int = 50_000,
    batch_rows: int = 5_000,
    ner: NerPolicy | None = None,
) -> dict[str, Any]:
    """Write run `run_id` (created by ``spark run-create``) to ``<out_dir>/<run_id>/``.

    ``ner``: the policy's NER settings (default: the built-in policy's)."""
    from pyspark.sql import functions as F

    run = read_run(lake, run_id)
    manifest_dir = run_dir(lake, run_id)
    m_sessions = spark.read.parquet(str(manifest_dir / "sessions"))
    m_feedback = spark.read.parquet(str(manifest_dir / "feedback"))
    sessions = read_table(spark, lake, "sessions").select(
        F.col("id").alias("session_id"), "kind", "surface", "purged_at"
    )
    tomb = read_table(spark, lake, "tombstones")
    ner = ner or NerPolicy()
    messages = _run_messages(spark, lake, run, m_sessions, sessions)
    feedback = _run_feedback(spark, lake, m_feedback, tomb)
    filtered_m = messages.mapInArrow(filter_messages(run.pseudonym_secret, ner), MESSAGE_ROWS)
    filtered_f = feedback.mapInArrow(filter_feedback(run.pseudonym_secret, ner), FEEDBACK_ROWS)
    directory = Path(out_dir) / run.id
    with DirectorySink(directory) as sink:
        sink.begin()
        stored: list[StoredFile] = []
        for kind, frame, order, schema in (
            ("messages", filtered_m, ["session_id", "at", "message_id"], MESSAGE_SCHEMA),
            ("feedback", filtered_f, ["feedback_id"], FEEDBACK_SCHEMA),
        ):
            files = write_shards(
                spark,
                frame,
                order=order,
                kind=kind,
                schema=schema,
                directory=str(directory),
                shard_rows=shard_rows,
                batch_rows=batch_rows,
            )
            stored += files or [_empty_shard(sink, kind, schema)]
        purged = _purged_sessions(m_sessions, sessions, tomb)
        manifest = _manifest(run, stored, directory, purged, ner)
        sink.seal()
        sink.put(MANIFEST_NAME, lambda stream: _write(stream, canonical_json(manifest)))
        sink.seal()
    return manifest


def _manifest(
    run: SparkRun, stored: list[StoredFile], directory: Path, purged: int, ner: NerPolicy
) -> dict[str, Any]:
    """The export's manifest, with the content counts of the shards just written."""
    exported = {
        k: sum(f.rows for f in stored if f.name.startswith(k)) for k in ("messages", "feedback")
    }
    manifest = build_manifest(run, stored, exported, purged, ner)
    # The AI Act summary's counts (docs/rules.md P7), from the shards just written:
    # the embedded exporter counts the same rows as it writes them.
    manifest["content"] = content_of_shards(directory, [f.name for f in stored], manifest["format"])
    return manifest


def _run_messages(
    spark: Any, lake: str, run: SparkRun, m_sessions: DataFrame, sessions: DataFrame
) -> DataFrame:
    """The run's messages in its scope (cutoff, ``include_from``), numbered per session."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    cutoff = parse_iso(run.cutoff)
    seq = F.row_number().over(Window.partitionBy("session_id").orderBy("at", "id")) - 1
    return (
        trainable_messages(read_table(spark, lake, "messages"), run.assistant_from)
        .join(m_sessions, "session_id")
        .join(sessions.select("session_id", "kind", "surface"), "session_id")
        .where(
            (F.col("at") <= F.lit(cutoff))
            & (F.col("include_from").isNull() | (F.col("at") >= F.col("include_from")))
        )
        .withColumn("seq", seq.cast("int"))
        .select("session_id", "account_id", "kind", "surface", "id", "role", "content", "at", "seq")
    )


def _run_feedback(spark: Any, lake: str, m_feedback: DataFrame, tomb: DataFrame) -> DataFrame:
    """The manifest's feedback that no purge (row or tombstone) has reached since."""
    from pyspark.sql import functions as F

    purged_fb = tomb.where(F.col("item_type") == "feedback").select(F.col("item_id").alias("id"))
    return (
        read_table(spark, lake, "feedback")
        .join(m_feedback.select(F.col("feedback_id").alias("id")), "id")
        .where(F.col("purged_at").isNull())
        .join(purged_fb, "id", "left_anti")
        .select("id", "rating", "comment", "at")
    )


def _purged_sessions(m_sessions: DataFrame, sessions: DataFrame, tomb: DataFrame) -> int:
    """How many of the manifest's sessions are gone or purged since (unavailable, R25)."""
    from pyspark.sql import functions as F

    tombstoned = (
        tomb.where(F.col("item_type") == "session")
        .select(F.col("item_id").alias("session_id"), F.lit(True).alias("tomb"))
        .distinct()
    )
    return int(
        m_sessions.join(sessions, "session_id", "left")
        .join(tombstoned, "session_id", "left")
        .where(F.col("kind").isNull() | F.col("purged_at").isNotNull() | F.col("tomb").isNotNull())
        .count()
    )


def _write(stream: Any, data: bytes) -> int:
    stream.write(data)
    return 0


def build_manifest(
    run: SparkRun,
    shards: list[StoredFile],
    exported: dict[str, int],
    purged_sessions: int,
    ner: NerPolicy | None = None,
) -> dict[str, Any]:
    """The manifest, built by the embedded exporter's own ``build_manifest``."""
    from consentry.diagnostics import filter_profile
    from consentry.domain.types import RunStatus
    from consentry.redaction import build_redactor
    from consentry.service.records import RunRecord
    from consentry.service.training_export import ExportCounts
    from consentry.service.training_export import build_manifest as embedded_manifest

    cutoff = parse_iso(run.cutoff)
    record = RunRecord(
        id=run.id,
        purpose=Purpose(run.purpose),
        cutoff=cutoff,
        status=RunStatus.CREATED,
        created_at=cutoff,
        started_at=None,
        policy_digest=run.policy_digest,
        resume_scope=run.resume_scope,
        ledger_head=run.ledger_head,
        ledger_events=run.ledger_events,
        activity_hwm=0,
        sessions=run.sessions,
        messages=run.messages,
        feedback=run.feedback,
        pseudonym_secret=run.pseudonym_secret,
    )
    counts = ExportCounts(run.sessions, run.messages, run.feedback)
    unavailable = ExportCounts(
        purged_sessions, run.messages - exported["messages"], run.feedback - exported["feedback"]
    )
    # The driver's filter: the executors run the same package, so the same scan.
    filtered_by = filter_profile(build_redactor(ner))
    return embedded_manifest(record, "parquet", counts, unavailable, shards, filtered_by)
