"""``spark sweep``: retention and deletion applied to the lake (R14, R16, R17), provably.

1. The due sets are computed with :func:`consentry.spark.rules.sessions_due` and
   :func:`~consentry.spark.rules.feedback_due` (the domain's ``purge_due``) and frozen
   (checkpointed) before anything changes.
2. Tombstones (ids, reason, time, sweep id; no content) are committed first, so a
   crash after them leaves a record of intent that the rerun completes.
3. Each affected table is rewritten bucket by bucket and swapped in one commit; the
   removed files are deleted at once, so a purged message is gone from every file.
4. :func:`prove_purged` re-reads the lake and checks that no tombstoned content is left
   in any live file and that every file a commit removed is gone from disk.

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
from consentry.spark.lakeio import append_rows, bucket_col, buckets_of, read_table, rewrite_buckets
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


def sweep_lake(spark: Any, *, lake: str, now: datetime, policy: Policy) -> LakeSweep:
    """Purge every item of the lake whose retention ended at `now` and no hold protects."""
    from pyspark.sql import functions as F

    at = as_utc(now)
    report = LakeSweep(f"swp_{uuid.uuid4().hex}")
    frames = load_lake(spark, lake)
    n = buckets_of(lake, "sessions")
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
    report.sessions, report.messages = due_s.count(), due_m.count()
    report.feedback, report.scores = due_f.count(), due_h.count()
    if not (report.sessions or report.feedback or report.scores):
        report.proof = prove_purged(spark, lake=lake)
        return report

    def tomb(frame: DataFrame, item_type: str, item: str, reason: Any) -> DataFrame:
        return frame.select(
            F.lit(None).cast("long").alias("id"),
            F.lit(item_type).alias("item_type"),
            F.col(item).alias("item_id"),
            F.col("session_id"),
            F.col("account_id") if "account_id" in frame.columns else F.lit(None).cast("string"),
            reason.alias("reason"),
            F.lit(at).alias("purged_at"),
            F.lit(report.sweep_id).alias("sweep_id"),
            F.lit("lake").alias("origin"),
        )

    tombs = (
        tomb(due_m, "message", "id", F.col("reason"))
        .unionByName(tomb(due_s, "session", "session_id", F.col("reason")))
        .unionByName(tomb(due_f, "feedback", "id", F.lit("retention_ended")))
        .unionByName(
            tomb(
                due_h.withColumn("account_id", F.lit(None).cast("string")),
                "scores",
                "id",
                F.lit("retention_ended"),
            )
        )
        .withColumn("bucket", bucket_col("item_id", buckets_of(lake, "tombstones")))
    )
    append_rows(spark, lake, "tombstones", tombs, note=f"sweep {report.sweep_id}: tombstones")

    s_buckets = _buckets(due_s, "session_id", n)
    gone = due_s.select("session_id", F.lit(True).alias("_due"))
    removed = 0
    _, k = rewrite_buckets(
        spark,
        lake,
        "messages",
        s_buckets,
        lambda cur: cur.join(gone, "session_id", "left_anti"),
        note=f"sweep {report.sweep_id}: purge messages",
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
        note=f"sweep {report.sweep_id}: mark sessions purged",
    )
    removed += k
    fb = due_f.select("id", F.lit(True).alias("_due"))
    _, k = rewrite_buckets(
        spark,
        lake,
        "feedback",
        _buckets(due_f, "session_id", n),
        lambda cur: (
            cur.join(fb, "id", "left")
            .withColumn("purged_at", F.when(F.col("_due"), F.lit(at)).otherwise(F.col("purged_at")))
            .withColumn("comment", F.when(F.col("_due"), F.lit(None)).otherwise(F.col("comment")))
            .withColumn("rating", F.when(F.col("_due"), F.lit("")).otherwise(F.col("rating")))
            .drop("_due")
        ),
        note=f"sweep {report.sweep_id}: purge feedback",
    )
    removed += k
    sc = due_h.select("id", F.lit(True).alias("_due"))
    _, k = rewrite_buckets(
        spark,
        lake,
        "holds",
        _buckets(due_h, "session_id", n),
        lambda cur: (
            cur.join(sc, "id", "left")
            .withColumn("scores", F.when(F.col("_due"), F.lit(None)).otherwise(F.col("scores")))
            .drop("_due")
        ),
        note=f"sweep {report.sweep_id}: purge classifier scores",
    )
    report.files_removed = removed + k
    report.proof = prove_purged(spark, lake=lake)
    return report


def prove_purged(spark: Any, *, lake: str) -> list[str]:
    """Every problem with the lake's purges; empty when every purge is complete.

    Checks that no live file holds a message of a tombstoned session or message, or the
    comment of purged feedback, and that every file any commit removed is gone from disk.
    """
    from pyspark.sql import functions as F

    problems = []
    tomb = read_table(spark, lake, "tombstones")
    messages = read_table(spark, lake, "messages")
    purged_sessions = tomb.where(F.col("item_type") == "session").select(
        F.col("item_id").alias("session_id")
    )
    purged_messages = tomb.where(F.col("item_type") == "message").select(
        F.col("item_id").alias("id")
    )
    left = messages.join(purged_sessions.distinct(), "session_id").count()
    left += messages.join(purged_messages.distinct(), "id").count()
    if left:
        problems.append(f"messages: {left} rows of purged sessions are still in live files")
    fb = read_table(spark, lake, "feedback")
    purged_fb = tomb.where(F.col("item_type") == "feedback").select(F.col("item_id").alias("id"))
    kept = fb.join(purged_fb.distinct(), "id").where(F.col("comment").isNotNull()).count()
    if kept:
        problems.append(f"feedback: {kept} purged items still hold their comment")
    for table in ls.TABLES:
        for rel in open_table(lake, table.name).leftovers():
            problems.append(f"{table.name}: removed file {rel} is still on disk")
    return problems
