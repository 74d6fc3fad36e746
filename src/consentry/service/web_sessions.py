"""Server-side browser sessions (issue 17 item 3).

A signed-in browser holds a random session id in its cookie; the store keeps only the
id's SHA-256, with who it belongs to (an account, an operator, or both), when it was
made and last seen, and when it ends. A session ends at its absolute expiry, after
`idle` without a request, when its owner signs out, and for every session of an
account when the account is deleted (R15) or its token rotated: a copied cookie then
opens nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from consentry.domain.clock import Clock
from consentry.domain.errors import InvalidInput
from consentry.service.accounts import load_account
from consentry.service.context import Context
from consentry.service.records import AccountRecord, WebSessionRecord

TOUCH_EVERY = timedelta(seconds=60)
"""`last_seen_at` is written at most this often per session, not on every page view."""
EXPIRED_PER_SIGN_IN = 100
"""Expired rows removed on the way whenever a session is opened (bounded work)."""
SESSIONS_PER_ACCOUNT = 50
"""An account keeps at most this many browser sessions; signing in again ends the oldest
(so a valid token cannot fill the table, and old devices fall off)."""


@dataclass(frozen=True)
class WebSessionLimits:
    """How long a browser session lives: `lifetime` from sign-in, `idle` between requests."""

    lifetime: timedelta = timedelta(hours=12)
    idle: timedelta = timedelta(minutes=30)

    def __post_init__(self) -> None:
        if self.lifetime <= timedelta(0) or self.idle <= timedelta(0):
            raise InvalidInput("web session lifetime and idle timeout must be positive")


def hash_session_id(raw_id: str) -> str:
    """Session ids carry 256 random bits, so one SHA-256 is a safe at-rest form."""
    return hashlib.sha256(raw_id.encode()).hexdigest()


def open_web_session(
    ctx: Context,
    *,
    account_id: str | None,
    admin_key: str | None,
    limits: WebSessionLimits,
    clock: Clock,
    replacing: str | None = None,
) -> str:
    """A new session id for this browser; the one it `replaces` ends (no fixation).

    The raw id is returned once and only its digest is stored.
    """
    if account_id is None and admin_key is None:
        raise InvalidInput("a web session belongs to an account, an operator or both")
    raw_id = secrets.token_urlsafe(32)
    with ctx.uow() as uow:
        now = clock.now()
        if account_id is not None:
            load_account(uow, account_id)  # a deleted account opens nothing (R15)
        if replacing:
            uow.store.delete_web_session(hash_session_id(replacing))
        uow.store.delete_expired_web_sessions(now, limit=EXPIRED_PER_SIGN_IN)
        uow.store.insert_web_session(
            WebSessionRecord(
                id_hash=hash_session_id(raw_id),
                account_id=account_id,
                admin_key=admin_key,
                created_at=now,
                last_seen_at=now,
                expires_at=now + limits.lifetime,
                idle_timeout_s=int(limits.idle.total_seconds()),
            )
        )
        if account_id is not None:
            uow.store.trim_account_web_sessions(account_id, keep=SESSIONS_PER_ACCOUNT)
        uow.commit()
    return raw_id


def resume_web_session(ctx: Context, raw_id: str, *, clock: Clock) -> WebSessionRecord | None:
    """The live session behind a cookie id, or None (unknown, revoked, expired or idle).

    An expired or idle session is deleted on the way; a live one has its `last_seen_at`
    moved forward (at most once per :data:`TOUCH_EVERY`).
    """
    id_hash = hash_session_id(raw_id)
    with ctx.uow(read_only=True) as uow:
        record = uow.store.web_session(id_hash)
    if record is None or not hmac.compare_digest(record.id_hash, id_hash):
        return None
    now = clock.now()
    idle = timedelta(seconds=record.idle_timeout_s)
    if now >= record.expires_at or now - record.last_seen_at >= idle:
        end_web_session(ctx, raw_id)
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        with ctx.uow() as uow:
            uow.store.touch_web_session(id_hash, now)
            uow.commit()
    return record


def end_web_session(ctx: Context, raw_id: str) -> None:
    """Sign-out: the session row goes, so the cookie (and every copy of it) is dead."""
    with ctx.uow() as uow:
        uow.store.delete_web_session(hash_session_id(raw_id))
        uow.commit()


def session_account(ctx: Context, record: WebSessionRecord) -> AccountRecord | None:
    """The live account a session belongs to (None for an operator-only session);
    Unauthenticated when the account was deleted meanwhile (R15)."""
    if record.account_id is None:
        return None
    with ctx.uow(read_only=True) as uow:
        return load_account(uow, record.account_id)
