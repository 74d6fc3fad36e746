"""``spark run-create``: a run's manifest at a cutoff, computed over the lake (R20–R23).

The run's record (``run.json``) and its manifest tables live in the lake under
``_runs/<run_id>/``: ``sessions`` (session_id, account_id, include_from), ``feedback``
(feedback_id, account_id) and ``accounts`` (R21: which runs used an account's data).
Only counts and the ledger head reach the driver.

``run.json`` records the Delta version of every table the run read (``versions``), so
:func:`audit_run` can time-travel to exactly those versions and recompute the manifest.
The run's pseudonym secret is not in the lake in clear: ``run.json`` holds it sealed
(AES-256-GCM, the run id as associated data) under a sub-key of the service's secret key
(``CONSENTRY_SECRET_KEY`` or its key file, :mod:`consentry.config.secret_key`), so
reading the lake does not reverse the exported pseudonyms.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from consentry.domain.clock import as_utc, iso, parse_iso
from consentry.domain.eligibility import parse_purpose
from consentry.domain.errors import ConsentryError
from consentry.domain.ids import new_id
from consentry.domain.ledger import GENESIS
from consentry.domain.policy import AssistantFrom, Policy
from consentry.domain.types import Author, EventType, Role
from consentry.lake.catalog import check_lake, open_table
from consentry.lake.hive import _write_durable
from consentry.spark import rules
from consentry.spark.audit import audit_frames, record_read_keys
from consentry.spark.lakeio import read_table

RUNS_DIR = "_runs"
SEAL_PURPOSE = "lake-run-pseudonym-secrets"
READ_TABLES = (
    "accounts",
    "consent_events",
    "sessions",
    "activities",
    "feedback",
    "holds",
    "tombstones",
    "messages",
)
"""The tables run-create reads; their versions go into ``run.json``."""


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
    pseudonym_secret: str = field(repr=False)
    versions: dict[str, int] = field(default_factory=dict)
    """The Delta version of each table the run read (time travel for the audit)."""
    assistant_from: str = AssistantFrom.ANY.value
    """The policy's `export_assistant_messages_from` when the run was made (issue 17): under
    `service` only assistant messages a service token wrote are counted and exported.
    Runs recorded before the field existed keep every message, as the embedded ones."""

    @property
    def cutoff_at(self) -> datetime:
        return parse_iso(self.cutoff)

    def public(self) -> dict[str, Any]:
        """The record without its secret (what the CLI prints)."""
        out = asdict(self)
        out.pop("pseudonym_secret")
        return out


class RunSecretUnreadable(ConsentryError):
    """A run's sealed secret does not open: another secret key than the one that made it."""

    code = "secret_unreadable"


class AutoDeleteNotInLake(ConsentryError):
    """The lake's ledger holds auto-delete choices (docs/rules.md P12) without their period:
    its ``consent_events`` were exported before the lake carried ``auto_delete``. A
    manifest or sweep computed over them would keep sessions past the period the user
    chose, so the job is refused; the next ``consentry lake export`` rewrites the table
    with the column (:data:`consentry.lake.schema.CONSENT_EVENTS_SCHEMA`)."""

    code = "auto_delete_not_in_lake"


def refuse_unreadable_auto_delete(lake: rules.Lake, at: datetime | None = None) -> None:
    """Raise :class:`AutoDeleteNotInLake` when an auto-delete event at or before `at` (any,
    with None) has no period in the lake: every such event has one in the ledger."""
    from pyspark.sql import functions as F

    blind = lake.consent_events.where(
        (F.col("type") == EventType.AUTO_DELETE.value) & F.col("auto_delete").isNull()
    )
    if at is not None:
        blind = blind.where(F.col("at") <= F.lit(at))
    if blind.limit(1).count():
        raise AutoDeleteNotInLake(
            "the lake's consent_events were exported before they carried the auto-delete"
            " period (docs/rules.md P12): run `consentry lake export` once, which rewrites"
            " the table with it, then run this again"
        )


def lake_key() -> bytes:
    """The sub-key that seals run secrets in the lake, from the service's secret key."""
    from consentry.config.secret_key import derive_key, load_secret_key
    from consentry.config.settings import Settings

    return derive_key(load_secret_key(Settings.from_env()), SEAL_PURPOSE)


def seal_secret(secret: str, run_id: str, key: bytes) -> str:
    """AES-256-GCM of the run secret under `key`, bound to the run id; base64 text."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, secret.encode(), run_id.encode())
    return base64.b64encode(nonce + sealed).decode()


def open_secret(sealed: str, run_id: str, key: bytes) -> str:
    """The run secret :func:`seal_secret` sealed; raises ``InvalidTag`` for another key."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = base64.b64decode(sealed)
    return AESGCM(key).decrypt(raw[:12], raw[12:], run_id.encode()).decode()


def run_dir(lake: str, run_id: str) -> Path:
    return Path(lake) / RUNS_DIR / run_id


def table_versions(lake: str) -> dict[str, int]:
    """The current version of every table a run reads."""
    return {name: open_table(lake, name).snapshot().version for name in READ_TABLES}


def load_lake(spark: Any, lake: str, versions: dict[str, int] | None = None) -> rules.Lake:
    """DataFrames over every table the rules read: current, or at the given versions.

    The current lake (the sweep's) is refused while its ledger lacks auto-delete periods
    (:func:`refuse_unreadable_auto_delete`); callers at recorded versions check at their
    cutoff themselves."""
    names = ("accounts", "consent_events", "sessions", "activities", "feedback", "holds")
    v = versions or {}
    frames = {n: read_table(spark, lake, n, version=v.get(n)) for n in names}
    tombstones = read_table(spark, lake, "tombstones", version=v.get("tombstones"))
    loaded = rules.Lake(tombstones=tombstones, **frames)
    if versions is None:
        refuse_unreadable_auto_delete(loaded)
    return loaded


def read_run(lake: str, run_id: str, *, key: bytes | None = None) -> SparkRun:
    """The run's record, its secret opened with `key` (default: :func:`lake_key`)."""
    from cryptography.exceptions import InvalidTag

    data = json.loads((run_dir(lake, run_id) / "run.json").read_text())
    sealed = data.pop("pseudonym_secret_sealed")
    try:
        secret = open_secret(sealed, run_id, key if key is not None else lake_key())
    except InvalidTag:
        raise RunSecretUnreadable(
            f"the pseudonym secret of run {run_id} does not open with this secret key"
            " (CONSENTRY_SECRET_KEY or its key file): use the key the run was created with"
        ) from None
    return SparkRun(pseudonym_secret=secret, **data)


def write_run(lake: str, run: SparkRun, *, key: bytes | None = None) -> None:
    """Write ``run.json``: the record, its secret sealed, never in clear."""
    data = run.public()
    data["pseudonym_secret_sealed"] = seal_secret(
        run.pseudonym_secret, run.id, key if key is not None else lake_key()
    )
    out = run_dir(lake, run.id)
    out.mkdir(parents=True, exist_ok=True)
    _write_durable(out / "run.json", json.dumps(data, indent=2).encode(), replace=True)


def trainable_messages(messages: Any, assistant_from: str) -> Any:
    """The messages a run may count and export (issue 17 item 7), as the embedded store
    decides: under `service`, an assistant message only when a service token wrote it;
    under `any`, all. A lake row from before the ``author`` column reads as `account`,
    the database's default for messages written before authorship was recorded."""
    from pyspark.sql import functions as F

    if assistant_from != AssistantFrom.SERVICE.value:
        return messages
    author = F.coalesce(F.col("author"), F.lit(Author.ACCOUNT.value))
    return messages.where(
        (F.col("role") != Role.ASSISTANT.value) | (author == Author.SERVICE.value)
    )


def create_run(
    spark: Any,
    *,
    lake: str,
    purpose: str,
    cutoff: datetime,
    policy: Policy,
    run_id: str | None = None,
    secret: str | None = None,
    key: bytes | None = None,
) -> SparkRun:
    """Compute and store the manifest of a run at `cutoff` (R20), with the domain rules.

    `run_id` and `secret` default to fresh values; passing the embedded run's lets the
    equivalence tests compare exports byte for byte. The versions of the tables read
    are resolved once, first, and recorded in ``run.json``.
    """
    check_lake(lake)
    purpose_value = parse_purpose(purpose, policy)
    at = as_utc(cutoff)
    run_id = run_id or new_id("run")
    secret = secret or secrets.token_hex(32)
    key = key if key is not None else lake_key()  # fail before the work, not after
    versions = table_versions(lake)
    lake_frames = load_lake(spark, lake, versions)
    refuse_unreadable_auto_delete(lake_frames, at)
    sessions = rules.eligible_sessions(lake_frames, purpose=purpose_value, at=at, policy=policy)
    feedback = rules.eligible_feedback(lake_frames, at=at, policy=policy)
    out = run_dir(lake, run_id)
    record_read_keys(out, lake_frames)  # what the audit re-proves from after a purge
    sessions_m, feedback_m = _write_manifest(spark, out, sessions, feedback)
    messages = trainable_messages(
        read_table(spark, lake, "messages", version=versions["messages"]),
        policy.export_assistant_messages_from.value,
    )
    n_messages = _count_messages(messages, sessions_m, at)
    head_hash, head_seq = _ledger_head(lake_frames, at)
    run = SparkRun(
        id=run_id,
        purpose=purpose_value.value,
        cutoff=iso(at),
        policy_digest=policy.digest,
        resume_scope=policy.resume_scope.value,
        ledger_head=head_hash,
        ledger_events=head_seq,
        sessions=sessions_m.count(),
        messages=n_messages,
        feedback=feedback_m.count(),
        pseudonym_secret=secret,
        versions=versions,
        assistant_from=policy.export_assistant_messages_from.value,
    )
    write_run(lake, run, key=key)
    return run


def _write_manifest(spark: Any, out: Path, sessions: Any, feedback: Any) -> tuple[Any, Any]:
    """Write the manifest's sessions and feedback under `out`, then its accounts (R21: the
    accounts either names); the written sessions and feedback, read back."""
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
    return sessions_m, feedback_m


def _count_messages(messages: Any, sessions_m: Any, at: datetime) -> int:
    """The run's messages: those of its sessions at or before `at`, from each session's
    ``include_from`` on."""
    from pyspark.sql import functions as F

    return int(
        messages.join(sessions_m, "session_id")
        .where(
            (F.col("at") <= F.lit(at))
            & (F.col("include_from").isNull() | (F.col("at") >= F.col("include_from")))
        )
        .count()
    )


def _ledger_head(lake: rules.Lake, at: datetime) -> tuple[str, int]:
    """The hash and sequence number of the last ledger event at or before `at`."""
    from pyspark.sql import functions as F

    head = (
        lake.consent_events.where(F.col("at") <= F.lit(at))
        .orderBy(F.col("seq").desc())
        .select("seq", "hash")
        .limit(1)
        .collect()
    )
    return (head[0]["hash"], int(head[0]["seq"])) if head else (GENESIS, 0)


@dataclass
class LakeAudit:
    """What :func:`audit_run` found: empty `findings` means the manifest is re-proven."""

    run_id: str
    versions: dict[str, int]
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Versions a purge or the retention deleted, and what re-proved them instead."""

    @property
    def ok(self) -> bool:
        return not self.findings


def audit_run(spark: Any, *, lake: str, run_id: str, policy: Policy) -> LakeAudit:
    """Re-prove a Spark run's manifest from the table versions it read (time travel).

    Recomputes eligible sessions (with ``include_from``) and feedback at the run's cutoff
    over the recorded versions and compares them, the counts, the ledger head and the
    policy digest with what the run stored. A version whose files a later purge (or the
    retention) deleted is re-proven from the table's current rows that the run read
    (:mod:`consentry.spark.audit`), and the report's `notes` say so.
    """
    from pyspark.sql import functions as F

    check_lake(lake)
    run = read_run(lake, run_id)
    report = LakeAudit(run_id, dict(run.versions))
    if not run.versions:
        report.findings.append("run.json records no table versions (created before 0.2)")
        return report
    if run.policy_digest != policy.digest:
        report.findings.append(
            f"policy digest {policy.digest} differs from the run's {run.policy_digest}"
        )
        return report
    frames, gone, report.notes = audit_frames(
        spark, lake=lake, run_root=run_dir(lake, run_id), versions=run.versions
    )
    report.findings += gone
    if frames is None:
        return report
    at = run.cutoff_at
    refuse_unreadable_auto_delete(frames, at)
    purpose = parse_purpose(run.purpose, policy)
    sessions = rules.eligible_sessions(frames, purpose=purpose, at=at, policy=policy)
    feedback = rules.eligible_feedback(frames, at=at, policy=policy)
    stored = run_dir(lake, run_id)
    m_sessions = spark.read.parquet(str(stored / "sessions"))
    m_feedback = spark.read.parquet(str(stored / "feedback"))
    cols = ["session_id", "include_from"]
    for label, got, want in (
        ("sessions", sessions.select(*cols), m_sessions.select(*cols)),
        ("feedback", feedback.select("feedback_id"), m_feedback.select("feedback_id")),
    ):
        extra = got.exceptAll(want).count()
        missing = want.exceptAll(got).count()
        if extra or missing:
            report.findings.append(
                f"{label}: {extra} eligible at the recorded versions but not in the manifest,"
                f" {missing} in the manifest but not eligible"
            )
    head = (
        frames.consent_events.where(F.col("at") <= F.lit(at))
        .orderBy(F.col("seq").desc())
        .select("hash")
        .limit(1)
        .collect()
    )
    ledger_head = head[0]["hash"] if head else GENESIS
    if ledger_head != run.ledger_head:
        report.findings.append(f"ledger head {ledger_head} differs from the run's")
    return report
