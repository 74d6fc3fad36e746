"""web sessions, service tokens and message authorship (security)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

Issue 17, items 3 and 7:

* ``web_sessions``: server-side browser sessions. The cookie carries a random id and the
  row its SHA-256, so signing out, deleting the account or rotating its token ends the
  session wherever the cookie was copied.
* ``service_tokens``: credentials of the assistant's backend, made by an admin.
* ``messages.author``: which credential kind wrote a message (``account`` or
  ``service``). Every message written before this revision was written with an account
  token, so existing rows get ``account``.
* ``runs.assistant_from``: the ``assistant_messages_from`` policy a run was made under;
  NULL for earlier runs, which counted every message (``any``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=True),
        sa.Column("admin_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idle_timeout_s", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_web_sessions_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_account_id"), "web_sessions", ["account_id"])
    op.create_index(op.f("ix_web_sessions_expires_at"), "web_sessions", ["expires_at"])
    op.create_table(
        "service_tokens",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_service_tokens_token_hash")),
    )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(
            sa.Column("author", sa.String(length=16), nullable=False, server_default="account")
        )
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("assistant_from", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("assistant_from")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("author")
    op.drop_table("service_tokens")
    op.drop_index(op.f("ix_web_sessions_expires_at"), table_name="web_sessions")
    op.drop_index(op.f("ix_web_sessions_account_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
