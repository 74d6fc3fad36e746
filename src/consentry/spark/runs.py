"""``spark run-create``: a run's manifest at a cutoff, computed over the lake (R20–R23).

The run's record (``run.json``) and its manifest tables live in the lake under
``_runs/<run_id>/``: ``sessions`` (session_id, account_id, include_from), ``feedback``
(feedback_id, account_id) and ``accounts`` (R21: which runs used an account's data).
Only counts and the ledger head reach the driver.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from consentry.domain.clock import as_utc, iso, parse_iso
from consentry.domain.eligibility import parse_purpose
from consentry.domain.ids import new_id
from consentry.domain.ledger import GENESIS
from consentry.domain.policy import Policy
from consentry.lake.hive import _write_durable
from consentry.spark import rules
from consentry.spark.lakeio import read_table

RUNS_DIR = "_runs"


@dataclass(frozen=True)
class SparkRun:
    """The record of a run built on Spark; the same fields as the embedded ``RunRecord``."""

    id: str
    purpose: str
    cutoff: str
    policy_digest: str
    resume_scope: str
    ledger_head: str
    ledger_events: int
    sessions: int
    messages: int
    feedback: int
    pseudonym_secret: str

    @property
    def cutoff_at(self) -> datetime:
        return parse_iso(self.cutoff)


def run_dir(lake: str, run_id: str) -> Path:
    return Path(lake) / RUNS_DIR / run_id


def load_lake(spark: Any, lake: str) -> rules.Lake:
    """DataFrames over the current snapshot of every table the rules read."""
    names = ("accounts", "consent_events", "sessions", "activities", "feedback", "holds")
    frames = {n: read_table(spark, lake, n) for n in names}
    return rules.Lake(tombstones=read_table(spark, lake, "tombstones"), **frames)


def read_run(lake: str, run_id: str) -> SparkRun:
    data = json.loads((run_dir(lake, run_id) / "run.json").read_text())
    return SparkRun(**data)


def create_run(
    spark: Any,
    *,
    lake: str,
    purpose: str,
    cutoff: datetime,
    policy: Policy,
    run_id: str | None = None,
    secret: str | None = None,
) -> SparkRun:
    """Compute and store the manifest of a run at `cutoff` (R20), with the domain rules.

    `run_id` and `secret` default to fresh values; passing the embedded run's lets the
    equivalence tests compare exports byte for byte.
    """
    from pyspark.sql import functions as F

    purpose_value = parse_purpose(purpose, policy)
    at = as_utc(cutoff)
    run_id = run_id or new_id("run")
    secret = secret or secrets.token_hex(32)
    lake_frames = load_lake(spark, lake)
    sessions = rules.eligible_sessions(lake_frames, purpose=purpose_value, at=at, policy=policy)
    feedback = rules.eligible_feedback(lake_frames, at=at, policy=policy)
    out = run_dir(lake, run_id)
    sessions.write.mode("overwrite").parquet(str(out / "sessions"))
    feedback.write.mode("overwrite").parquet(str(out / "feedback"))
    sessions_m = spark.read.parquet(str(out / "sessions"))
    feedback_m = spark.read.parquet(str(out / "feedback"))
    (
        sessions_m.select("account_id")
        .unionByName(feedback_m.select("account_id"))
        .distinct()
        .write.mode("overwrite")
        .parquet(str(out / "accounts"))
    )
    messages = read_table(spark, lake, "messages")
    n_messages = (
        messages.join(sessions_m, "session_id")
        .where(
            (F.col("at") <= F.lit(at))
            & (F.col("include_from").isNull() | (F.col("at") >= F.col("include_from")))
        )
        .count()
    )
    head = (
        lake_frames.consent_events.where(F.col("at") <= F.lit(at))
        .orderBy(F.col("seq").desc())
        .select("seq", "hash")
        .limit(1)
        .collect()
    )
    run = SparkRun(
        id=run_id,
        purpose=purpose_value.value,
        cutoff=iso(at),
        policy_digest=policy.digest,
        resume_scope=policy.resume_scope.value,
        ledger_head=head[0]["hash"] if head else GENESIS,
        ledger_events=int(head[0]["seq"]) if head else 0,
        sessions=sessions_m.count(),
        messages=int(n_messages),
        feedback=feedback_m.count(),
        pseudonym_secret=secret,
    )
    _write_durable(out / "run.json", json.dumps(asdict(run), indent=2).encode(), replace=True)
    return run
