"""accounts: region and auto-delete; consent events: auto-delete, region, rule set

Issue 23 items 1 and 8 (docs/rules.md P12-P16):

* ``accounts.region``: the ISO 3166 code given at sign-up (NULL: none given).
* ``accounts.auto_delete_months``: the user's auto-delete period in calendar months
  (0: "until I delete it"; NULL: never chosen; both keep the retention of R12 alone).
* ``consent_events.auto_delete`` / ``region`` / ``rule_set``: the members an event's
  canonical entry carries when present (domain/ledger.py ``EXTRA_MEMBERS``); NULL on
  every older event, whose hash is unchanged.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("region", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("auto_delete_months", sa.Integer(), nullable=True))
    with op.batch_alter_table("consent_events") as batch:
        batch.add_column(sa.Column("auto_delete", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("region", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("rule_set", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consent_events") as batch:
        batch.drop_column("rule_set")
        batch.drop_column("region")
        batch.drop_column("auto_delete")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("auto_delete_months")
        batch.drop_column("region")
