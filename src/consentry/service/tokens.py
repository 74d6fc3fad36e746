"""Account tokens: their at-rest form and their lookup (R15: a deleted account's is dead)."""

from __future__ import annotations

import hashlib
import hmac

from consentry.domain.errors import Unauthenticated
from consentry.service.context import Context, UnitOfWork
from consentry.service.records import AccountRecord


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so one SHA-256 is a safe at-rest form."""
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(ctx: Context, token: str) -> AccountRecord:
    """The live account a token belongs to; dead tokens (deleted accounts) fail (R15)."""
    with ctx.uow(single_read=True) as uow:  # one statement: no transaction around it
        return account_by_token(uow, token)


def account_by_token(uow: UnitOfWork, token: str) -> AccountRecord:
    """:func:`authenticate` inside a unit of work the caller goes on using, so that one
    transaction looks the token up and does the work (issue 22)."""
    digest = hash_token(token)
    account = uow.store.account_by_token_hash(digest)
    if account is None or account.deleted_at is not None:
        raise Unauthenticated("missing, invalid or revoked token")
    # The lookup is by hash; compare again in constant time as defence in depth.
    if not hmac.compare_digest(digest, hash_token(token)):
        raise Unauthenticated("missing, invalid or revoked token")
    return account
