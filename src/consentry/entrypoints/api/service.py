"""Service tokens and the route the assistant's backend writes with (issue 17 item 7).

An admin makes a service token for the assistant's backend (``POST
/v1/admin/service-tokens``); with it the backend writes messages, the assistant's
replies among them, into any account's session::

    POST /v1/service/accounts/{account_id}/sessions/{session_id}/messages

The account in the path must own the session (404 otherwise, as for another account's
session), and R7 applies as on the account's own route: a blocked account takes no new
messages (403 ``choice_required``). A service token reads nothing and reaches no other
path. Every message records which credential kind wrote it (``author``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from consentry.domain.clock import iso
from consentry.domain.errors import NotFound, Unauthenticated
from consentry.domain.types import Author
from consentry.entrypoints.api import schemas as s
from consentry.entrypoints.api.deps import Admin, Core, ServiceCaller
from consentry.entrypoints.api.errors import ERROR_RESPONSES
from consentry.service import service_tokens, sessions

router = APIRouter(responses=ERROR_RESPONSES)


class ServiceTokenIn(s.Body):
    name: str = Field(min_length=1, max_length=64, description="Which backend holds it.")


class ServiceTokenCreated(BaseModel):
    token_id: str
    name: str
    token: str = Field(description="Shown once; only its hash is stored.")


class ServiceTokenOut(BaseModel):
    token_id: str
    name: str
    created_at: str
    revoked_at: str | None


@router.post(
    "/v1/admin/service-tokens",
    status_code=201,
    response_model=ServiceTokenCreated,
    tags=["service tokens"],
)
def create_service_token(body: ServiceTokenIn, core: Core, _: Admin) -> dict[str, Any]:
    """A service token for the assistant's backend: it may write messages, nothing else."""
    made = service_tokens.create_service_token(core.ctx, name=body.name)
    return {"token_id": made.token_id, "name": made.name, "token": made.token}


@router.get(
    "/v1/admin/service-tokens", response_model=list[ServiceTokenOut], tags=["service tokens"]
)
def list_service_tokens(core: Core, _: Admin) -> list[dict[str, Any]]:
    return [
        {
            "token_id": r.id,
            "name": r.name,
            "created_at": iso(r.created_at),
            "revoked_at": iso(r.revoked_at) if r.revoked_at else None,
        }
        for r in service_tokens.list_service_tokens(core.ctx)
    ]


@router.delete("/v1/admin/service-tokens/{token_id}", status_code=204, tags=["service tokens"])
def revoke_service_token(token_id: str, core: Core, _: Admin) -> Response:
    """Revoked at once: the token answers 401 from now on."""
    service_tokens.revoke_service_token(core.ctx, token_id=token_id)
    return Response(status_code=204)


@router.post(
    "/v1/service/accounts/{account_id}/sessions/{session_id}/messages",
    status_code=201,
    response_model=s.MessageCreated,
    tags=["service tokens"],
)
def add_message_as_service(
    account_id: str, session_id: str, body: s.MessageIn, core: Core, _: ServiceCaller
) -> dict[str, Any]:
    """R9/R10 as on the account's route; the message records `author: service`."""
    try:
        message = sessions.add_message(
            core.ctx,
            account_id=account_id,
            session_id=session_id,
            role=body.role,
            content=body.content,
            author=Author.SERVICE,
        )
    except Unauthenticated:  # the account is unknown or deleted; the caller is fine
        raise NotFound(f"no account {account_id!r}") from None
    return {"message_id": message.id, "at": iso(message.at), "covered": message.covered}
