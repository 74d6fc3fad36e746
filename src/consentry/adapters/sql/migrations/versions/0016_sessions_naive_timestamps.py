"""sessions: retain_until and purge_at stored in the format of every other timestamp

On SQLite every timestamp is stored naive UTC, '%Y-%m-%d %H:%M:%S.%f'. The append's
prebuilt session update (issue 22) bound the new retention end without a type, so the
sqlite3 module's own adapter wrote it, and the purge instant computed from it, as
'… .ffffff+00:00' (or '…:SS+00:00' without a fraction). Read back they were the same
instants, but as strings an instant compared unequal to itself in the other format, so
a session could be due a sweep later than it should at an exact tie. The statement now
binds the column's type; this rewrites the rows already written. PostgreSQL stores
timestamptz and is not touched.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REWRITE = """
UPDATE sessions SET
  retain_until = CASE
    WHEN retain_until LIKE '%+00:00' AND length(retain_until) = 32
      THEN substr(retain_until, 1, 26)
    WHEN retain_until LIKE '%+00:00' AND length(retain_until) = 25
      THEN substr(retain_until, 1, 19) || '.000000'
    ELSE retain_until END,
  purge_at = CASE
    WHEN purge_at LIKE '%+00:00' AND length(purge_at) = 32 THEN substr(purge_at, 1, 26)
    WHEN purge_at LIKE '%+00:00' AND length(purge_at) = 25
      THEN substr(purge_at, 1, 19) || '.000000'
    ELSE purge_at END
WHERE retain_until LIKE '%+00:00' OR purge_at LIKE '%+00:00'
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_REWRITE)


def downgrade() -> None:
    """Nothing to undo: the rewritten values are the same instants."""
