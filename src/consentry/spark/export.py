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

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from consentry.domain.clock import parse_iso
from consentry.domain.policy import NerPolicy
from consentry.domain.types import Purpose
from consentry.export.content import content_of_shards
from consentry.export.formats import FEEDBACK_SCHEMA, MESSAGE_SCHEMA
from consentry.export.manifest import MANIFEST_NAME, canonical_json
from consentry.export.sealed import SealingSink, encryption_entry
from consentry.export.sink import DirectorySink, ExportSink, StoredFile
from consentry.service.keys import run_scope
from consentry.spark.decrypt import JobKeys, content_of_sealed, handed_out, opener
from consentry.spark.lakeio import read_table
from consentry.spark.runs import SparkRun, read_run, run_dir, trainable_messages
from consentry.spark.shards import empty_shard, write_shards
from consentry.spark.shredded import ContentKeys, needed_keys, refuse_encrypted_lake

DataFrame = Any
MESSAGE_ROWS = (
    "session_id string, message_id string, session string, account string, kind string,"
    " surface string, seq int, role string, text string, at timestamp"
)
FEEDBACK_ROWS = "feedback_id string, feedback string, rating string, comment string, at timestamp"
AAD_IDS = {"messages": ("session_id", "message_id"), "feedback": ("feedback_id",)}
"""The ids a sealed row's associated data names, kept until its shard's task opens it."""


def filter_messages(
    secret_hex: str, ner: NerPolicy | None = None, *, sealed: bool = False
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The executor-side filter for messages: pseudonyms for ids, the §4 filter for text.

    ``sealed`` (issue 26): the text passes through as ciphertext; the shard's write task
    opens and filters it (:mod:`consentry.spark.decrypt`), so no shuffle holds it in clear."""

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
                    "text": cols["content"]
                    if sealed
                    else [r.text for r in redactor.redact_many(cols["content"])],
                    "at": batch.column(batch.schema.get_field_index("at")),
                }
            )

    return run


def filter_feedback(
    secret_hex: str, ner: NerPolicy | None = None, *, sealed: bool = False
) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The executor-side filter for feedback: a pseudonym for its id, the filter for comments
    (``sealed``: passed through as ciphertext, as in :func:`filter_messages`)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from consentry.export.pseudonyms import Pseudonymizer
        from consentry.redaction import build_redactor

        pseudonym = Pseudonymizer(secret_hex)
        # The policy's NER settings travel in the closure; the model loads once per process.
        redactor = build_redactor(ner, pseudonym.key)
        for batch in batches:
            cols = batch.to_pydict()
            if not sealed:
                redactor.prefetch(v for v in cols["comment"] if v is not None)
            yield pa.RecordBatch.from_pydict(
                {
                    "feedback_id": cols["id"],
                    "feedback": [pseudonym("feedback", v) for v in cols["id"]],
                    "rating": cols["rating"],
                    "comment": cols["comment"]
                    if sealed
                    else [None if v is None else redactor.redact(v).text for v in cols["comment"]],
                    "at": batch.column(batch.schema.get_field_index("at")),
                }
            )

    return run


def export_run(
    spark: Any,
    *,
    lake: str,
    run_id: str,
    out_dir: str,
    shard_rows: int = 50_000,
    batch_rows: int = 5_000,
    ner: NerPolicy | None = None,
    keys: ContentKeys | None = None,
) -> dict[str, Any]:
    """Write run `run_id` (created by ``spark run-create``) to ``<out_dir>/<run_id>/``.

    ``ner``: the policy's NER settings (default: the built-in policy's). ``keys``: issue 26,
    :mod:`consentry.spark.decrypt`; without it a lake with ciphertext is ``lake_encrypted``."""
    from pyspark.sql import functions as F

    if keys is None:
        refuse_encrypted_lake(lake)
    run = read_run(lake, run_id)
    manifest_dir = run_dir(lake, run_id)
    m_sessions = spark.read.parquet(str(manifest_dir / "sessions"))
    m_feedback = spark.read.parquet(str(manifest_dir / "feedback"))
    sessions = read_table(spark, lake, "sessions").select(
        F.col("id").alias("session_id"), "kind", "surface", "purged_at", "key_id"
    )
    tomb = read_table(spark, lake, "tombstones")
    ner = ner or NerPolicy()
    messages = _run_messages(spark, lake, run, m_sessions, sessions)
    feedback = _run_feedback(spark, lake, m_feedback, tomb)
    found = None if keys is None else needed_keys(keys, run.id, messages, feedback, sessions)
    frames = _filtered(run.pseudonym_secret, ner, messages, feedback, sealed=found is not None)
    directory = Path(out_dir) / run.id
    out, job = _outputs(spark, directory, run.id, found)
    with out as sink, job as keyed:
        sink.begin()
        stored: list[StoredFile] = []
        for kind, order, schema in (
            ("messages", ["session_id", "at", "message_id"], MESSAGE_SCHEMA),
            ("feedback", ["feedback_id"], FEEDBACK_SCHEMA),
        ):
            files = write_shards(
                spark,
                frames[kind],
                order=order,
                kind=kind,
                schema=schema,
                directory=str(directory),
                shard_rows=shard_rows,
                batch_rows=batch_rows,
                **_opening(kind, run, ner, keyed),
            )
            stored += files or [empty_shard(sink, kind, schema)]
        purged = _purged_sessions(m_sessions, sessions, tomb)
        run_key = None if found is None else found[run_scope(run.id)]
        manifest = _manifest(run, stored, directory, purged, ner, run_key)
        sink.seal()
        sink.put(MANIFEST_NAME, lambda stream: _write(stream, canonical_json(manifest)))
        sink.seal()
    return manifest


def _filtered(
    secret: str, ner: NerPolicy, messages: DataFrame, feedback: DataFrame, *, sealed: bool
) -> dict[str, DataFrame]:
    """The rows to export, by kind, through the executor-side filters."""
    return {
        "messages": messages.mapInArrow(filter_messages(secret, ner, sealed=sealed), MESSAGE_ROWS),
        "feedback": feedback.mapInArrow(filter_feedback(secret, ner, sealed=sealed), FEEDBACK_ROWS),
    }


def _outputs(
    spark: Any, directory: Path, run_id: str, found: dict[str, bytes] | None
) -> tuple[ExportSink, Any]:
    """The export's sink and the keys' hand-out: with `found` (issue 26), shards sealed under
    the run's key (as the embedded export's) and the keys broadcast for the job only."""
    if found is None:
        return DirectorySink(directory), contextlib.nullcontext()
    sealing = SealingSink(DirectorySink(directory), found[run_scope(run_id)], run_id)
    return sealing, handed_out(spark, found)


def _opening(kind: str, run: SparkRun, ner: NerPolicy, keyed: JobKeys | None) -> dict[str, Any]:
    """``write_shards``' arguments that open sealed rows in the write tasks (issue 26)."""
    if keyed is None:
        return {}
    return {
        "finish": opener(kind, run.pseudonym_secret, ner, run.id, keyed),
        "keep": AAD_IDS[kind],
    }


def _manifest(
    run: SparkRun,
    stored: list[StoredFile],
    directory: Path,
    purged: int,
    ner: NerPolicy,
    run_key: bytes | None = None,
) -> dict[str, Any]:
    """The export's manifest, with the content counts of the shards just written (opened
    in memory with `run_key` when they are sealed, issue 26)."""
    exported = {
        k: sum(f.rows for f in stored if f.name.startswith(k)) for k in ("messages", "feedback")
    }
    manifest = build_manifest(run, stored, exported, purged, ner)
    # The AI Act summary's counts (docs/rules.md P7), from the shards just written:
    # the embedded exporter counts the same rows as it writes them.
    names = [f.name for f in stored]
    if run_key is None:
        manifest["content"] = content_of_shards(directory, names, manifest["format"])
    else:
        manifest["content"] = content_of_sealed(directory, names, run.id, run_key)
        manifest["encryption"] = encryption_entry(run.id)  # as the embedded SealingSink's
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
