"""run manifests as ledger events

Issue 21 item 4: a training run's manifest root is recorded in the ledger itself, as an
account-less `run_manifest` event appended in the run's transaction, so every checkpoint
that covers it commits to the manifest. The events share the ledger's sequence numbers
and hash chain with `consent_events` but live in a table of their own, so nothing that
reads an account's consent events (history, receipts, exports, eligibility) can see them.
Append-only like `consent_events` (R27). Existing ledgers need no rewrite: runs created
before this revision keep their checkpoint extension lines.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_run_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("manifest_size", sa.Integer(), nullable=False),
        sa.Column("manifest_root", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_ledger_run_events_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_run_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_ledger_run_events_event_id")),
        sa.UniqueConstraint("run_id", name=op.f("uq_ledger_run_events_run_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION ledger_run_events_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'ledger_run_events is append-only'; END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER ledger_run_events_append_only BEFORE UPDATE OR DELETE"
            " ON ledger_run_events FOR EACH ROW EXECUTE FUNCTION ledger_run_events_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER ledger_run_events_no_{verb.lower()} BEFORE {verb}"
                " ON ledger_run_events"
                " BEGIN SELECT RAISE(ABORT, 'ledger_run_events is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_run_events_append_only ON ledger_run_events")
        op.execute("DROP FUNCTION IF EXISTS ledger_run_events_append_only()")
    op.drop_table("ledger_run_events")
