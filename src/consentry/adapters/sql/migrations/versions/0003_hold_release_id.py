"""holds.release_id: the order of a release against runs at the same instant

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

A hold released at a run's cutoff instant, after the run, was read by the audit as
released before it (R22, R26). The release now records an id made like every other id
(`domain.ids`: ids sort in the order they were made), so the audit can order it against
the run's. Releases made before this revision keep a NULL and are ordered by time alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("holds") as batch:
        batch.add_column(sa.Column("release_id", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("holds") as batch:
        batch.drop_column("release_id")
