"""consent events: retention_days (the period a receipt promises, recorded when appended)

Issue 23 (docs/rules.md P22): ``consent_events.retention_days`` holds, as text, the
retention period in days that applied to the event when it was appended (its rule set's
or the policy's R12 period, P21), so its receipt states what the user was promised even
after the operator changes retention or the region table. It is a member of the event's
canonical entry when present (domain/ledger.py ``EXTRA_MEMBERS``); NULL on every older
event, whose hash is unchanged and whose receipt keeps today's computation.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("consent_events") as batch:
        batch.add_column(sa.Column("retention_days", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consent_events") as batch:
        batch.drop_column("retention_days")
