"""sessions: key_id (a claimed pool data key, issue 26)

Issue 26 (crypto-shredding, docs/retention.md "Key pool"): a session whose first sealed
message claimed a pool data key records the key's vault scope id in ``sessions.key_id``,
set in the same transaction as that message's insert. Unique, so two sessions never share
a key. NULL on every older session and when shredding is off: such a session's key, if
any, is the old per-session scope ``session:<id>``.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("key_id", sa.String(length=64), nullable=True))
        batch.create_index("ux_sessions_key_id", ["key_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_index("ux_sessions_key_id")
        batch.drop_column("key_id")
