"""tombstones: key_destroyed

Issue 26 (crypto-shredding, docs/retention.md): a tombstone records that the purged
item's data key was destroyed, so no copy of the database taken before the purge can
yield the content. NULL on every older tombstone and when shredding is off.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tombstones") as batch:
        batch.add_column(sa.Column("key_destroyed", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tombstones") as batch:
        batch.drop_column("key_destroyed")
