"""Service tokens: the assistant's backend writes the assistant's messages (issue 17 item 7).

An admin makes one per backend (`create_service_token`); it is shown once and stored as
its SHA-256. A service token may write messages into any account's session through the
service route, and do nothing else: it reads no data and reaches no admin path.
Revoking it makes it answer 401 at once.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from consentry.domain.errors import InvalidInput, NotFound, Unauthenticated
from consentry.domain.ids import new_id
from consentry.service.accounts import hash_token
from consentry.service.context import Context
from consentry.service.records import ServiceTokenRecord

TOKEN_PREFIX = "cst_"  # noqa: S105 (a prefix, not a secret)
"""Service tokens start with this, so secret scanners and people can tell them apart."""
MAX_NAME_CHARS = 64


@dataclass(frozen=True)
class ServiceCredentials:
    token_id: str
    name: str
    token: str


def create_service_token(ctx: Context, *, name: str) -> ServiceCredentials:
    """A new service token named for the backend that will hold it (shown once)."""
    label = name.strip()
    if not label or len(label) > MAX_NAME_CHARS or not label.isprintable():
        raise InvalidInput(f"name must be 1 to {MAX_NAME_CHARS} printable characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ServiceTokenRecord(
        id=new_id("svc"), name=label, created_at=ctx.clock.now(), revoked_at=None
    )
    with ctx.uow() as uow:
        uow.store.insert_service_token(record, hash_token(token))
        uow.commit()
    return ServiceCredentials(record.id, record.name, token)


def list_service_tokens(ctx: Context) -> list[ServiceTokenRecord]:
    with ctx.uow(read_only=True) as uow:
        return uow.store.list_service_tokens()


def revoke_service_token(ctx: Context, *, token_id: str) -> None:
    """Revoked at once (idempotent); an unknown id is 404."""
    with ctx.uow() as uow:
        revoked = uow.store.revoke_service_token(token_id, ctx.clock.now())
        if not revoked and all(t.id != token_id for t in uow.store.list_service_tokens()):
            raise NotFound(f"no service token {token_id!r}")
        uow.commit()


def authenticate_service(ctx: Context, token: str) -> ServiceTokenRecord:
    """The live service token `token` is; revoked or unknown ones fail."""
    digest = hash_token(token)
    with ctx.uow(read_only=True) as uow:
        record = uow.store.service_token_by_hash(digest)
    if record is None or record.revoked_at is not None:
        raise Unauthenticated("missing, invalid or revoked service token")
    if not hmac.compare_digest(digest, hash_token(token)):
        raise Unauthenticated("missing, invalid or revoked service token")
    return record
