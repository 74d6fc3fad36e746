"""ledger Merkle tree and checkpoints

The consent ledger gains an RFC 9162 Merkle tree (issue 21): the head row keeps the tree's
size and compact range beside the chain head, ``ledger_tree_nodes`` keeps every perfect
subtree above the leaves for proofs, and ``ledger_checkpoints`` the signed checkpoints the
server issued. A checkpoint signed after a run is created carries the root of the run's
manifest tree (``run_id`` names it). The upgrade builds the tree over the events already
there, in the same transaction.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from consentry.adapters.sql.ledger_tree import SqlLedgerTree

    with op.batch_alter_table("ledger_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tree_size", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("tree_range", sa.Text(), server_default=sa.text("''"), nullable=False)
        )
    op.create_table(
        "ledger_tree_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_ledger_tree_nodes")),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_ledger_checkpoints_run_id_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_checkpoints")),
    )
    with op.batch_alter_table("ledger_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_checkpoints_run_id"), ["run_id"], unique=False)
    SqlLedgerTree(op.get_bind(), run_events=False).tree_head(catch_up=True)


def downgrade() -> None:
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_tree_nodes")
    with op.batch_alter_table("ledger_head", schema=None) as batch_op:
        batch_op.drop_column("tree_range")
        batch_op.drop_column("tree_size")
