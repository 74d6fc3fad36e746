# size: the one relational schema, every table in one place beside the migrations
"""The relational schema (SQLAlchemy Core). Alembic migrations create it; keep them in step.

Indexes are chosen so that run creation and the sweeper are set-based queries whose
cost follows the rows they touch (R17, R20).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python; naive UTC on SQLite, timestamptz on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(40)
TS = UTCDateTime()

accounts = Table(
    "accounts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("plan", String(16), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("token_hash", String(64), nullable=True, unique=True),
    Column("training", String(16), nullable=False),
    Column("terms_accepted", String(64), nullable=True),
    Column("choice_at", TS, nullable=True),
    Column("deleted_at", TS, nullable=True),
    # Issue 23 (migration 0011): the ISO 3166 region given at sign-up (P14) and the
    # auto-delete period in months (P12; 0: until the user deletes it; NULL: never chosen).
    Column("region", String(8), nullable=True),
    Column("auto_delete_months", Integer, nullable=True),
)

consent_events = Table(
    "consent_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("event_id", ID, nullable=False, unique=True),
    Column("account_id", ID, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("type", String(16), nullable=False),
    Column("value", String(16), nullable=True),
    Column("source", String(32), nullable=True),
    Column("terms_version", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # Issue 23 (migration 0011): canonical-entry members present only on newer events
    # (domain/ledger.py EXTRA_MEMBERS, P16).
    Column("auto_delete", String(8), nullable=True),
    Column("region", String(8), nullable=True),
    Column("rule_set", String(32), nullable=True),
    # P22 (migration 0014): the retention days the event's receipt promises, as text
    Column("retention_days", String(8), nullable=True),
)

ledger_head = Table(
    "ledger_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    # The Merkle tree over the first `tree_size` events (issue 21): its compact range,
    # hex digests concatenated, largest subtree first. Updated with `seq` on each append.
    Column("tree_size", Integer, nullable=False, server_default=text("0")),
    Column("tree_range", Text, nullable=False, server_default=text("''")),
)

# Every perfect subtree of the ledger's Merkle tree above its leaves: (level, index)
# covers the leaves [index * 2^level, (index + 1) * 2^level). Leaf hashes (level 0) are
# recomputed from the events.
ledger_tree_nodes = Table(
    "ledger_tree_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

# Signed checkpoints (C2SP tlog-checkpoint notes) the server has issued, oldest first.
ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tree_size", Integer, nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("origin", String(255), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", TS, nullable=False),
    # The run whose manifest root the checkpoint carries as an extension line, if any.
    Column("run_id", ID, ForeignKey("runs.id"), nullable=True, index=True),
)

# Account-less `run_manifest` ledger events (issue 21 item 4, revision 0010): a run's
# manifest root, appended in the run's transaction. They share the ledger's sequence and
# hash chain with `consent_events` (so its `seq` has gaps) and are append-only (R27).
ledger_run_events = Table(
    "ledger_run_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("event_id", ID, nullable=False, unique=True),
    Column("run_id", ID, ForeignKey("runs.id"), nullable=False, unique=True),
    Column("at", TS, nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("cutoff", TS, nullable=False),
    Column("manifest_size", Integer, nullable=False),
    Column("manifest_root", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("account_id", ID, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),
    Column("surface", String(16), nullable=False),
    Column("incognito", Boolean, nullable=False),
    Column("scope", String(16), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("last_activity_at", TS, nullable=False),
    Column("first_covered_at", TS, nullable=True, index=True),
    Column("retain_until", TS, nullable=False),
    Column("deleted_at", TS, nullable=True),
    Column("deleted_purge_at", TS, nullable=True),
    Column("legal_hold", Boolean, nullable=False, default=False),
    Column("hold_keep_until", TS, nullable=True),
    Column("purge_at", TS, nullable=True),
    Column("purged_at", TS, nullable=True),
    # Issue 26's key pool (migration 0015): the pool data key the session's first sealed
    # message claimed, in that message's transaction; NULL: scope ``session:<id>``.
    Column("key_id", String(64), nullable=True),
    Index("ux_sessions_key_id", "key_id", unique=True),
    Index(
        "ix_sessions_purge_due",
        "purge_at",
        postgresql_where=text("purged_at IS NULL"),
        sqlite_where=text("purged_at IS NULL"),
    ),
)

activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", ID, ForeignKey("sessions.id"), nullable=False, index=True),
    Column("at", TS, nullable=False),
    Column("covered", Boolean, nullable=False),
    Column("kind", String(16), nullable=False),
)
"""Every activity (R9) in one monotonic sequence, plus `delete` rows: a run records the
highest id it saw, so its audit can tell what happened before it at the same instant."""

messages = Table(
    "messages",
    metadata,
    Column("id", ID, primary_key=True),
    Column("session_id", ID, ForeignKey("sessions.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("at", TS, nullable=False),
    Column("covered", Boolean, nullable=False),
    # Which credential kind wrote it (issue 17 item 7): `account` or `service`.
    Column("author", String(16), nullable=False, server_default="account"),
    Index("ix_messages_session_at", "session_id", "at"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", ID, primary_key=True),
    Column("account_id", ID, ForeignKey("accounts.id"), nullable=False, index=True),
    Column("session_id", ID, ForeignKey("sessions.id"), nullable=False, index=True),
    Column("message_id", ID, nullable=False),
    Column("rating", String(8), nullable=False),
    Column("comment", Text, nullable=True),
    Column("at", TS, nullable=False),
    Column("choice_at_submission", String(16), nullable=False),
    Column("retain_until", TS, nullable=False),
    Column("deleted_at", TS, nullable=True),
    Column("purge_at", TS, nullable=False),
    Column("purged_at", TS, nullable=True),
    Index(
        "ix_feedback_purge_due",
        "purge_at",
        postgresql_where=text("purged_at IS NULL"),
        sqlite_where=text("purged_at IS NULL"),
    ),
)

holds = Table(
    "holds",
    metadata,
    Column("id", ID, primary_key=True),
    Column("session_id", ID, ForeignKey("sessions.id"), nullable=False, index=True),
    Column("kind", String(8), nullable=False),
    Column("placed_at", TS, nullable=False),
    Column("released_at", TS, nullable=True),
    # The id of the release (`domain.ids`): orders a release against runs made at the
    # same instant, as a hold's own id orders its placement (R22, R26).
    Column("release_id", ID, nullable=True),
    Column("scores", Text, nullable=True),
    Column("scores_retain_until", TS, nullable=True),
    Index(
        "ix_holds_scores_due",
        "scores_retain_until",
        postgresql_where=text("scores IS NOT NULL"),
        sqlite_where=text("scores IS NOT NULL"),
    ),
)

runs = Table(
    "runs",
    metadata,
    Column("id", ID, primary_key=True),
    Column("purpose", String(32), nullable=False),
    Column("cutoff", TS, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", TS, nullable=False),
    Column("started_at", TS, nullable=True),
    Column("policy_digest", String(64), nullable=False),
    Column("resume_scope", String(32), nullable=False),
    Column("ledger_head", String(64), nullable=False),
    Column("ledger_events", Integer, nullable=False),
    Column("activity_hwm", Integer, nullable=False),
    Column("sessions_count", Integer, nullable=False),
    Column("messages_count", Integer, nullable=False),
    Column("feedback_count", Integer, nullable=False),
    # Sealed under the service's secret key (config.sealing; revision 0006), never in clear.
    Column("pseudonym_secret", Text, nullable=False),
    # `export_assistant_messages_from` when the run was made: `service` exports only assistant
    # messages a service token wrote; NULL (runs made before it existed) means `any`.
    Column("assistant_from", String(16), nullable=True),
)

run_sessions = Table(
    "run_sessions",
    metadata,
    Column("run_id", ID, ForeignKey("runs.id"), primary_key=True),
    Column("session_id", ID, primary_key=True),
    Column("account_id", ID, nullable=False),
    Column("include_from", TS, nullable=True),
)

run_feedback = Table(
    "run_feedback",
    metadata,
    Column("run_id", ID, ForeignKey("runs.id"), primary_key=True),
    Column("feedback_id", ID, primary_key=True),
    Column("account_id", ID, nullable=False),
)

run_accounts = Table(
    "run_accounts",
    metadata,
    Column("run_id", ID, ForeignKey("runs.id"), primary_key=True),
    Column("account_id", ID, primary_key=True, index=True),
)

# A run's manifest tree, stored when the run is created (issue 21, revision 0008): its item
# ids in sorted order ("\n"-joined) and every perfect subtree hash, level by level
# (domain.run_manifest.pack_nodes), so a run proof reads instead of rebuilding.
run_manifest_trees = Table(
    "run_manifest_trees",
    metadata,
    Column("run_id", ID, ForeignKey("runs.id"), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("ids", Text, nullable=False),
    Column("nodes", LargeBinary, nullable=False),
)

tombstones = Table(
    "tombstones",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_type", String(16), nullable=False),
    Column("item_id", ID, nullable=False),
    Column("session_id", ID, nullable=True),
    Column("account_id", ID, nullable=True),
    Column("reason", String(32), nullable=False),
    Column("purged_at", TS, nullable=False),
    Column("sweep_id", ID, nullable=True),
    # Issue 26 (revision 0012): the item's data key was destroyed with the purge.
    Column("key_destroyed", Boolean, nullable=True),
    Index("ix_tombstones_item", "item_type", "item_id"),
)

sweeps = Table(
    "sweeps",
    metadata,
    Column("id", ID, primary_key=True),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS, nullable=True),
    Column("sessions", Integer, nullable=False, default=0),
    Column("messages", Integer, nullable=False, default=0),
    Column("feedback", Integer, nullable=False, default=0),
    Column("scores", Integer, nullable=False, default=0),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", ID, nullable=False, unique=True),
    Column("type", String(48), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", TS, nullable=False),
)

# -- outbox delivery (issue 7): webhook endpoints, deliveries, attempts, cursors --------

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", ID, primary_key=True),
    Column("url", Text, nullable=False),
    # Sealed under the service's secret key (config.sealing; revision 0006), never in clear.
    Column("secret", Text, nullable=False),
    Column("event_types", Text, nullable=True),
    Column("after_outbox_id", Integer, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("deleted_at", TS, nullable=True),
    # Revision 0009 (issue 24): `consentry` or `cloudevents`; the secret a rotation
    # replaced, sealed like `secret`, signs beside it until `previous_secret_until`.
    Column("format", String(16), nullable=False, server_default="consentry"),
    Column("previous_secret", Text, nullable=True),
    Column("previous_secret_until", TS, nullable=True),
)
"""Registered receivers. `event_types` is a JSON list (NULL: every type); an endpoint gets
the events committed after it was registered (`after_outbox_id`)."""

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("endpoint_id", ID, ForeignKey("webhook_endpoints.id"), nullable=False),
    Column("outbox_id", Integer, nullable=False),
    Column("event_id", ID, nullable=False),
    Column("event_type", String(48), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", TS, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("delivered_at", TS, nullable=True),
    Column("lease_token", String(32), nullable=True),
    Index("ix_webhook_deliveries_endpoint_id_event_id", "endpoint_id", "event_id", unique=True),
    Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
)
"""One event for one endpoint: `pending` until `delivered`, `dead` after the last failed
attempt, `cancelled` when its endpoint is removed. A claimed row's `next_attempt_at` is its
lease: a worker that dies mid-delivery leaves it due again when the lease ends.
`lease_token` names the current lease's holder, the only worker that may send or record it."""

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Integer, ForeignKey("webhook_deliveries.id"), nullable=False, index=True),
    Column("attempt", Integer, nullable=False),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
)

outbox_cursors = Table(
    "outbox_cursors",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("updated_at", TS, nullable=False),
)
"""How far each consumer of the outbox (webhook fan-out, Redis stream) has read."""

# -- web sessions and service tokens (issue 17 items 3 and 7) ----------------------------

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account_id", ID, ForeignKey("accounts.id"), nullable=True, index=True),
    Column("admin_key", String(64), nullable=True),
    Column("created_at", TS, nullable=False),
    Column("last_seen_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False, index=True),
    Column("idle_timeout_s", Integer, nullable=False),
)
"""Signed-in browsers. The cookie holds a random id; only its SHA-256 is stored. A row
is an account's session (`account_id`), an operator's (`admin_key`: a keyed fingerprint
of the admin token it was opened with), or both. Signing out deletes the row; so do
account deletion and token rotation for every row of the account."""

service_tokens = Table(
    "service_tokens",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", TS, nullable=False),
    Column("revoked_at", TS, nullable=True),
)
"""Credentials of the assistant's backend, made by an admin: they may write messages
(`role: assistant` among them) into any account's session, and nothing else."""

# -- stored audit results (issue 18) -------------------------------------------------

audit_results = Table(
    "audit_results",
    metadata,
    Column("id", ID, primary_key=True),
    Column("run_id", ID, ForeignKey("runs.id"), nullable=True),
    Column("audited_at", TS, nullable=False),
    Column("ledger_head", String(64), nullable=False),
    Column("ledger_events", Integer, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("checked_sessions", Integer, nullable=False),
    Column("checked_feedback", Integer, nullable=False),
    Column("findings", Text, nullable=False),
    Index("ix_audit_results_run_id_audited_at", "run_id", "audited_at"),
)
"""Each audit of a run (R26) and each verification of the whole ledger (R27, `run_id`
NULL), with the instant it ran and the ledger head it saw, so pages show the latest
result without recomputing it. `findings` is a JSON list of {kind, item_id, problem,
detail}."""
