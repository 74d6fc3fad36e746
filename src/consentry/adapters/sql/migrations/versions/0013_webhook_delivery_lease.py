"""webhook_deliveries: lease_token

The outbox lease bug (a delivery's lease counted from the start of a worker's pass, so a
delivery still being sent when it ran out could be claimed and sent by a second worker):
each claim now writes a fresh random token beside its lease (``next_attempt_at``); only
the holder of the current token renews the lease, sends, and records the outcome.
NULL on a delivery never claimed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.add_column(sa.Column("lease_token", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_column("lease_token")
