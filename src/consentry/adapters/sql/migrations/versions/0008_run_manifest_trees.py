"""stored manifest trees of training runs

Issue 21: a run's manifest tree (its sorted item ids and every perfect subtree hash, level
by level) is stored when the run is created, in the same transaction, so a run proof
reads it instead of rebuilding the tree from the manifest on every request. Runs created
before this revision have no row; their proofs rebuild the tree as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_manifest_trees",
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("ids", sa.Text(), nullable=False),
        sa.Column("nodes", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_manifest_trees_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_manifest_trees")),
    )


def downgrade() -> None:
    op.drop_table("run_manifest_trees")
