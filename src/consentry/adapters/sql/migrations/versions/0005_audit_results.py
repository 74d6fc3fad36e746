"""stored audit results (pages)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Issue 18, polish: the admin pages show stored audits instead of recomputing them on
every load. ``audit_results`` keeps one row per audit of a run (R26) and per
verification of the whole consent ledger (R27, ``run_id`` NULL): when it ran, the
ledger head and event count it saw, whether it passed, what it checked, and its
findings as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_results",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("audited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_head", sa.String(length=64), nullable=False),
        sa.Column("ledger_events", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("checked_sessions", sa.Integer(), nullable=False),
        sa.Column("checked_feedback", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_audit_results_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_results")),
    )
    op.create_index(
        op.f("ix_audit_results_run_id_audited_at"), "audit_results", ["run_id", "audited_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_results_run_id_audited_at"), table_name="audit_results")
    op.drop_table("audit_results")
