"""webhook endpoints: delivery format and secret rotation

Issue 24:

* ``webhook_endpoints.format``: ``consentry`` (the envelope every endpoint received so
  far; the default) or ``cloudevents`` (CloudEvents 1.0, structured mode).
* ``webhook_endpoints.previous_secret`` / ``previous_secret_until``: after a rotation the
  old signing secret (sealed like ``secret``, bound to ``webhook_endpoints.previous_secret``)
  still signs every delivery beside the new one until ``previous_secret_until``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(
            sa.Column("format", sa.String(length=16), nullable=False, server_default="consentry")
        )
        batch.add_column(sa.Column("previous_secret", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("previous_secret_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("previous_secret_until")
        batch.drop_column("previous_secret")
        batch.drop_column("format")
