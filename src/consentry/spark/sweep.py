"""``spark sweep``: retention and deletion applied to the lake (R14, R16, R17), provably.

1. The due sets are computed with :func:`consentry.spark.rules.sessions_due` and
   :func:`~consentry.spark.rules.feedback_due` (the domain's ``purge_due``) and frozen
   (checkpointed) before anything changes.
2. Tombstones (ids, reason, time, sweep id; no content) are committed first, so a
   crash after them leaves a record of intent that the rerun completes.
3. Each affected table is rewritten bucket by bucket and swapped in one Delta commit.
   Those of messages, feedback and holds are *purge* commits: the removed files are
   deleted at once, whatever the retention of old versions, so a purged message is in
   no file that any version of the table lists. Sessions only gain ``purged_at``.
4. :func:`prove_purged` (``verify_absent``) reads every data file still on disk, the
   current version's and every retained older version's, and checks that none holds
   tombstoned content, and that every file a purge commit removed is gone.

A rerun is idempotent: purged sessions are not due again, and a commit that already
happened is not repeated.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consentry.domain.clock import as_utc
from consentry.domain.policy import Policy
from consentry.lake import schema as ls
from consentry.lake.catalog import open_table
from consentry.spark import rules
from consentry.spark.lakeio import (
    append_rows,
    bucket_col,
    buckets_of,
    read_table,
    rewrite_buckets,
    spark_schema,
)
from consentry.spark.runs import load_lake

DataFrame = Any


@dataclass
class LakeSweep:
    sweep_id: str
    sessions: int = 0
    messages: int = 0
    feedback: int = 0
    scores: int = 0
    files_removed: int = 0
    proof: list[str] = field(default_factory=list)


def _buckets(frame: DataFrame, column: str, buckets: int) -> list[int]:
    rows = frame.select(bucket_col(column, buckets).alias("b")).distinct().collect()
    return sorted(int(r["b"]) for r in rows)


@dataclass(frozen=True)
class _Due:
    """What one sweep purges, frozen (checkpointed) before anything changes."""

    sessions: DataFrame  # session_id, account_id, reason
    messages: DataFrame  # id, session_id, account_id, reason
    feedback: DataFrame  # id, session_id, account_id
    scores: DataFrame  # id (of the hold), session_id


def sweep_lake(spark: Any, *, lake: str, now: datetime, policy: Policy) -> LakeSweep:
    """Purge every item of the lake whose retention ended at `now` and no hold protects."""
    at = as_utc(now)
    report = LakeSweep(f"swp_{uuid.uuid4().hex}")
    due = _due(spark, lake, at, policy)
    report.sessions, report.messages = due.sessions.count(), due.messages.count()
    report.feedback, report.scores = due.feedback.count(), due.scores.count()
    if report.sessions or report.feedback or report.scores:
        tombs = _tombstones(lake, due, at, report.sweep_id)
        append_rows(spark, lake, "tombstones", tombs, note=f"sweep {report.sweep_id}: tombstones")
        report.files_removed = _purge(spark, lake, due, at, report.sweep_id)
    report.proof = prove_purged(spark, lake=lake)
    return report


def _due(spark: Any, lake: str, at: datetime, policy: Policy) -> _Due:
    from pyspark.sql import functions as F

    frames = load_lake(spark, lake)
    due_s = rules.sessions_due(frames, now=at, policy=policy).localCheckpoint(eager=True)
    due_f = rules.feedback_due(frames, now=at, policy=policy).localCheckpoint(eager=True)
    due_h = (
        frames.holds.where(
            F.col("scores").isNotNull() & (F.col("scores_retain_until") <= F.lit(at))
        )
        .select("id", "session_id")
        .localCheckpoint(eager=True)
    )
    messages = read_table(spark, lake, "messages")
    due_m = (
        messages.join(due_s, "session_id")
        .select(F.col("id"), "session_id", "account_id", "reason")
        .localCheckpoint(eager=True)
    )
    return _Due(due_s, due_m, due_f, due_h)


def _tombstones(lake: str, due: _Due, at: datetime, sweep_id: str) -> DataFrame:
    """One tombstone per purged item (ids, reason, time, sweep id; no content), R17."""
    from pyspark.sql import functions as F

    def tomb(frame: DataFrame, item_type: str, item: str, reason: Any) -> DataFrame:
        return frame.select(
            F.lit(None).cast("long").alias("id"),
            F.lit(item_type).alias("item_type"),
            F.col(item).alias("item_id"),
            F.col("session_id"),
            F.col("account_id") if "account_id" in frame.columns else F.lit(None).cast("string"),
            reason.alias("reason"),
            F.lit(at).alias("purged_at"),
            F.lit(sweep_id).alias("sweep_id"),
            F.lit("lake").alias("origin"),
        )

    return (
        tomb(due.messages, "message", "id", F.col("reason"))
        .unionByName(tomb(due.sessions, "session", "session_id", F.col("reason")))
        .unionByName(tomb(due.feedback, "feedback", "id", F.lit("retention_ended")))
        .unionByName(
            tomb(
                due.scores.withColumn("account_id", F.lit(None).cast("string")),
                "scores",
                "id",
                F.lit("retention_ended"),
            )
        )
        .withColumn("bucket", bucket_col("item_id", buckets_of(lake, "tombstones")))
    )


def _purge(spark: Any, lake: str, due: _Due, at: datetime, sweep_id: str) -> int:
    """Rewrite the due buckets of messages, sessions, feedback and holds; files removed."""
    from pyspark.sql import functions as F

    n = buckets_of(lake, "sessions")
    s_buckets = _buckets(due.sessions, "session_id", n)
    gone = due.sessions.select("session_id", F.lit(True).alias("_due"))
    removed = 0
    _, k = rewrite_buckets(
        spark,
        lake,
        "messages",
        s_buckets,
        lambda cur: cur.join(gone, "session_id", "left_anti"),
        note=f"sweep {sweep_id}: purge messages",
    )
    removed += k
    _, k = rewrite_buckets(
        spark,
        lake,
        "sessions",
        s_buckets,
        lambda cur: (
            cur.join(gone.withColumnRenamed("session_id", "id"), "id", "left")
            .withColumn("purged_at", F.when(F.col("_due"), F.lit(at)).otherwise(F.col("purged_at")))
            .drop("_due")
        ),
        note=f"sweep {sweep_id}: mark sessions purged",
        # Session rows hold no content (ids and instants, kept in the system of record
        # too): the old files stay for time travel until the retention ends.
        purge=False,
    )
    removed += k
    return removed + _purge_feedback_and_scores(spark, lake, due, at, sweep_id)


def _purge_feedback_and_scores(
    spark: Any, lake: str, due: _Due, at: datetime, sweep_id: str
) -> int:
    from pyspark.sql import functions as F

    n = buckets_of(lake, "sessions")
    fb = due.feedback.select("id", F.lit(True).alias("_due"))
    _, removed = rewrite_buckets(
        spark,
        lake,
        "feedback",
        _buckets(due.feedback, "session_id", n),
        lambda cur: (
            cur.join(fb, "id", "left")
            .withColumn("purged_at", F.when(F.col("_due"), F.lit(at)).otherwise(F.col("purged_at")))
            .withColumn("comment", F.when(F.col("_due"), F.lit(None)).otherwise(F.col("comment")))
            .withColumn("rating", F.when(F.col("_due"), F.lit("")).otherwise(F.col("rating")))
            .drop("_due")
        ),
        note=f"sweep {sweep_id}: purge feedback",
    )
    sc = due.scores.select("id", F.lit(True).alias("_due"))
    _, k = rewrite_buckets(
        spark,
        lake,
        "holds",
        _buckets(due.scores, "session_id", n),
        lambda cur: (
            cur.join(sc, "id", "left")
            .withColumn("scores", F.when(F.col("_due"), F.lit(None)).otherwise(F.col("scores")))
            .drop("_due")
        ),
        note=f"sweep {sweep_id}: purge classifier scores",
    )
    return removed + k


def retained_rows(spark: Any, lake: str, name: str) -> DataFrame:
    """Every row of every data file of a table on disk: all retained versions at once."""
    table = ls.BY_NAME[name]
    files = open_table(lake, name).retained_files()
    if not files:
        return spark.createDataFrame([], spark_schema(table))
    return spark.read.schema(spark_schema(table)).parquet(*files)


def prove_purged(spark: Any, *, lake: str) -> list[str]:
    """Every problem with the lake's purges (``verify_absent``); empty when complete.

    Reads every data file on disk (a superset of the files any retained version of the
    table reaches: time travel cannot bring a purged row back) and checks that none
    holds a message of a tombstoned session or message, the comment of purged feedback
    or purged classifier scores, and that every file a purge commit removed is gone.
    """
    from pyspark.sql import functions as F

    problems = []
    tomb = read_table(spark, lake, "tombstones")

    def purged(item_type: str, alias: str) -> DataFrame:
        return (
            tomb.where(F.col("item_type") == item_type)
            .select(F.col("item_id").alias(alias))
            .distinct()
        )

    messages = retained_rows(spark, lake, "messages")
    left = messages.join(purged("session", "session_id"), "session_id").count()
    left += messages.join(purged("message", "id"), "id").count()
    if left:
        problems.append(f"messages: {left} rows of purged sessions are still in retained files")
    fb = retained_rows(spark, lake, "feedback")
    kept = fb.join(purged("feedback", "id"), "id").where(F.col("comment").isNotNull()).count()
    if kept:
        problems.append(f"feedback: {kept} purged items still hold their comment in a file")
    holds = retained_rows(spark, lake, "holds")
    scored = holds.join(purged("scores", "id"), "id").where(F.col("scores").isNotNull()).count()
    if scored:
        problems.append(f"holds: {scored} purged classifier scores are still in a file")
    for table in ls.TABLES:
        for rel in open_table(lake, table.name).leftovers():
            problems.append(f"{table.name}: file {rel} removed by a purge is still on disk")
    return problems
