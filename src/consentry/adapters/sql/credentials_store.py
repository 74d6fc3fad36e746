"""The SQL side of :class:`~consentry.service.ports.CredentialStore`.

Account token digests, browser sessions and service tokens. :class:`SqlStore` inherits
these methods, so they run inside the caller's unit of work like every other write: an
account deletion and the end of its browser sessions commit together (R15).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.engine import Row

from consentry.adapters.sql import tables as t
from consentry.service.records import ServiceTokenRecord, WebSessionRecord


def _web_session(row: Row[Any]) -> WebSessionRecord:
    m = row._mapping
    return WebSessionRecord(
        id_hash=m["id_hash"],
        account_id=m["account_id"],
        admin_key=m["admin_key"],
        created_at=m["created_at"],
        last_seen_at=m["last_seen_at"],
        expires_at=m["expires_at"],
        idle_timeout_s=m["idle_timeout_s"],
    )


def _service_token(row: Row[Any]) -> ServiceTokenRecord:
    m = row._mapping
    return ServiceTokenRecord(
        id=m["id"], name=m["name"], created_at=m["created_at"], revoked_at=m["revoked_at"]
    )


class SqlCredentialStore:
    """Credential reads and writes over the unit of work's connection."""

    conn: Connection

    # -- account tokens -----------------------------------------------------------
    def set_token_hash(self, account_id: str, token_hash: str) -> None:
        self.conn.execute(
            update(t.accounts).where(t.accounts.c.id == account_id).values(token_hash=token_hash)
        )

    # -- browser sessions (issue 17 item 3) ---------------------------------------
    def insert_web_session(self, record: WebSessionRecord) -> None:
        self.conn.execute(
            insert(t.web_sessions).values(
                id_hash=record.id_hash,
                account_id=record.account_id,
                admin_key=record.admin_key,
                created_at=record.created_at,
                last_seen_at=record.last_seen_at,
                expires_at=record.expires_at,
                idle_timeout_s=record.idle_timeout_s,
            )
        )

    def web_session(self, id_hash: str) -> WebSessionRecord | None:
        row = self.conn.execute(
            select(t.web_sessions).where(t.web_sessions.c.id_hash == id_hash)
        ).first()
        return _web_session(row) if row else None

    def touch_web_session(self, id_hash: str, at: datetime) -> None:
        self.conn.execute(
            update(t.web_sessions)
            .where(t.web_sessions.c.id_hash == id_hash)
            .values(last_seen_at=at)
        )

    def delete_web_session(self, id_hash: str) -> None:
        self.conn.execute(delete(t.web_sessions).where(t.web_sessions.c.id_hash == id_hash))

    def delete_account_web_sessions(self, account_id: str) -> int:
        result = self.conn.execute(
            delete(t.web_sessions).where(t.web_sessions.c.account_id == account_id)
        )
        return int(result.rowcount or 0)

    def delete_expired_web_sessions(self, now: datetime, *, limit: int) -> int:
        """At most `limit` rows past their absolute expiry (idle ones go when next read)."""
        w = t.web_sessions.c
        due = select(w.id_hash).where(w.expires_at <= now).limit(limit).scalar_subquery()
        result = self.conn.execute(delete(t.web_sessions).where(w.id_hash.in_(due)))
        return int(result.rowcount or 0)

    def trim_account_web_sessions(self, account_id: str, *, keep: int) -> int:
        """Delete all but the `keep` newest sessions of an account (by creation)."""
        w = t.web_sessions.c
        newest = (
            select(w.id_hash)
            .where(w.account_id == account_id)
            .order_by(w.created_at.desc(), w.id_hash.desc())
            .limit(keep)
            .scalar_subquery()
        )
        result = self.conn.execute(
            delete(t.web_sessions).where(w.account_id == account_id, w.id_hash.not_in(newest))
        )
        return int(result.rowcount or 0)

    # -- service tokens (issue 17 item 7) -----------------------------------------
    def insert_service_token(self, record: ServiceTokenRecord, token_hash: str) -> None:
        self.conn.execute(
            insert(t.service_tokens).values(
                id=record.id,
                name=record.name,
                token_hash=token_hash,
                created_at=record.created_at,
                revoked_at=record.revoked_at,
            )
        )

    def service_token_by_hash(self, token_hash: str) -> ServiceTokenRecord | None:
        row = self.conn.execute(
            select(t.service_tokens).where(t.service_tokens.c.token_hash == token_hash)
        ).first()
        return _service_token(row) if row else None

    def list_service_tokens(self) -> list[ServiceTokenRecord]:
        rows = self.conn.execute(
            select(t.service_tokens).order_by(t.service_tokens.c.created_at, t.service_tokens.c.id)
        )
        return [_service_token(r) for r in rows]

    def revoke_service_token(self, token_id: str, at: datetime) -> bool:
        """True when a live token was revoked now; False when unknown or already revoked."""
        s = t.service_tokens.c
        result = self.conn.execute(
            update(t.service_tokens)
            .where(s.id == token_id, s.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(result.rowcount)
