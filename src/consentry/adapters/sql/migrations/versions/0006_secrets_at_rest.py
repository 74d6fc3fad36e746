"""secrets at rest (security)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Issue 17, item 5: the runs' pseudonym keys (R24) and the webhook endpoints' signing
secrets are stored sealed (AES-256-GCM under a sub-key of the service's secret key, which
the database does not hold; see :mod:`consentry.config.sealing`). The columns become TEXT
to hold the sealed form, and every value stored in clear before this revision is sealed
in place, so a copy of the database no longer reverses a run's exported pseudonyms or
lets anyone sign webhook deliveries. The master key comes from where
the service takes it (``CONSENTRY_SECRET_KEY``, ``CONSENTRY_SECRET_KEY_FILE``, or the key
file beside the SQLite database, created here when there is something to seal).

Downgrade opens the sealed values again (with the same key) and narrows the column.
Offline (``--sql``) upgrades change the column only; rows left in clear stay readable
and are sealed by the next online upgrade.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, key column, secret column, its width before this revision, how it is bound)
_SEALED = (
    ("runs", "id", "pseudonym_secret", 64, "runs.pseudonym_secret"),
    ("webhook_endpoints", "id", "secret", 128, "webhook_endpoints.secret"),
)


def _box() -> object:
    from consentry.config.sealing import SecretBox
    from consentry.config.settings import Settings

    url = context.config.get_main_option("sqlalchemy.url") or ""
    return SecretBox.from_settings(Settings.from_env(database_url=url))


def _rewrite(table: str, key: str, column: str, seal: bool, bound: str) -> None:
    from consentry.config.sealing import SecretBox, is_sealed

    conn = op.get_bind()
    rows_of = sa.table(table, sa.column(key), sa.column(column))
    keyed, secret = rows_of.c[key], rows_of.c[column]
    rows = conn.execute(sa.select(keyed, secret)).all()
    pending = [(k, v) for k, v in rows if is_sealed(v) != seal]
    if not pending:
        return
    box = _box()
    assert isinstance(box, SecretBox)
    for row_key, value in pending:
        where = f"{bound}:{row_key}"
        new = box.seal(value, context=where) if seal else box.open(value, context=where)
        conn.execute(sa.update(rows_of).where(keyed == row_key).values({column: new}))


def upgrade() -> None:
    for table, key, column, width, bound in _SEALED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.Text(), existing_type=sa.String(width), existing_nullable=False
            )
        if not context.is_offline_mode():
            _rewrite(table, key, column, True, bound)


def downgrade() -> None:
    for table, key, column, width, bound in _SEALED:
        if not context.is_offline_mode():
            _rewrite(table, key, column, False, bound)
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.String(width), existing_type=sa.Text(), existing_nullable=False
            )
