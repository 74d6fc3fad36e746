"""Sessions, messages and feedback of the calling account (R7, R9–R14).

Another account's session answers 404, never 403. Starting a session, adding a
message and giving feedback answer 403 ``choice_required`` while the account is
blocked (R7); reading and deleting never are.

``GET /v1/me/sessions`` answers a plain JSON array of every live session (newest
first) when called without ``limit`` and ``cursor``, as the SPEC table shows; with
either it answers one page ``{items, next_cursor}`` (``next_cursor`` null on the last).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from consentry.bootstrap import App
from consentry.domain.clock import iso
from consentry.domain.errors import InvalidInput, Unauthenticated
from consentry.entrypoints.api import schemas as s
from consentry.entrypoints.api.deps import (
    BearerToken,
    Caller,
    Core,
    CurrentAccount,
    Guards,
    account_of,
    account_route,
    authenticates_itself,
)
from consentry.entrypoints.api.errors import ERROR_RESPONSES
from consentry.entrypoints.api.render import message_json, session_json
from consentry.entrypoints.ratelimit import AbuseGuards
from consentry.service import gpc, sessions
from consentry.service.records import MessageRecord

router = APIRouter(prefix="/v1/me/sessions", tags=["sessions"], responses=ERROR_RESPONSES)

_ALL_PAGE = 500


def _encode_cursor(session_id: str) -> str:
    return base64.urlsafe_b64encode(session_id.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("cursor is not one this API issued") from None
    if not text.startswith("ses_"):
        raise InvalidInput("cursor is not one this API issued")
    return text


@router.post("", status_code=201, response_model=s.SessionCreated)
@account_route
def start_session(body: s.SessionIn, core: Core, me: Caller) -> dict[str, Any]:
    options: dict[str, Any] = {
        "kind": body.kind,
        "surface": body.surface,
        "incognito": body.incognito,
    }
    view = me.acting(
        lambda token: sessions.start_session_with_token(core.ctx, token=token, **options),
        lambda account: sessions.start_session(core.ctx, account_id=account.id, **options),
    )
    return {
        "session_id": view.session.id,
        "covered": view.covered,
        "retain_until": iso(view.session.retain_until),
    }


@router.get("", response_model=list[s.SessionOut] | s.SessionPage)
@account_route
def list_sessions(
    core: Core,
    me: CurrentAccount,
    limit: Annotated[int | None, Query(ge=1, le=200)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    if limit is None and cursor is None:
        everything: list[dict[str, Any]] = []
        after = None
        while True:
            page = sessions.list_sessions(core.ctx, account_id=me.id, limit=_ALL_PAGE, after=after)
            everything.extend(session_json(x) for x in page)
            if len(page) < _ALL_PAGE:
                return everything
            after = page[-1].id
    size = limit or 50
    after = _decode_cursor(cursor) if cursor is not None else None
    page = sessions.list_sessions(core.ctx, account_id=me.id, limit=size + 1, after=after)
    more = len(page) > size
    page = page[:size]
    return {
        "items": [session_json(x) for x in page],
        "next_cursor": _encode_cursor(page[-1].id) if more and page else None,
    }


@router.get("/{session_id}", response_model=s.SessionDetail)
@account_route
def get_session(session_id: str, core: Core, me: CurrentAccount) -> dict[str, Any]:
    view = sessions.get_session(core.ctx, account_id=me.id, session_id=session_id)
    return {
        **session_json(view.session, view.covered),
        "messages": [message_json(m) for m in view.messages],
    }


@router.post("/{session_id}/messages", status_code=201, response_model=s.MessageCreated)
@authenticates_itself
async def add_message(
    session_id: str,
    body: s.MessageIn,
    core: Core,
    token: BearerToken,
    guards: Guards,
    request: Request,
) -> JSONResponse:
    """R10: a message while training is on covers (resumes) the session.

    Written with the account's token (`author: account`). SPEC §3 lets it write
    `role: assistant` (the default, `assistant_messages_from = "any"`), but training runs
    leave such messages out (`export_assistant_messages_from = "service"`, the default):
    the assistant's backend writes its replies with a service token on
    ``/v1/service/accounts/{account_id}/sessions/{session_id}/messages``. Under
    `assistant_messages_from = "service"`, `role: assistant` answers 403
    ``assistant_requires_service``."""
    message = await run_in_threadpool(
        append_blocking, core, guards, request, token, session_id, body.role, body.content
    )
    return message_created(message)


def append_blocking(
    core: App,
    guards: AbuseGuards,
    request: Request,
    token: str,
    session_id: str,
    role: str,
    content: str,
) -> MessageRecord:
    """The append behind `POST /v1/me/sessions/{id}/messages`, in one worker thread.

    The hottest route (issue 22): the token's account is looked up in the append's own
    transaction (one thread-pool hand-off and one transaction instead of two each). A
    `Sec-GPC: 1` request takes the general path: its opt-out (P5) commits first. Shared
    by the route above and its fast path (:mod:`~consentry.entrypoints.api.append_route`).
    """
    if gpc.signal(request.headers.get("sec-gpc")):
        me = account_of(core, token, guards, request)
        return sessions.add_message(
            core.ctx, account_id=me.id, session_id=session_id, role=role, content=content
        )
    guards.before_auth(request)
    try:
        return sessions.add_message_with_token(
            core.ctx, token=token, session_id=session_id, role=role, content=content
        )
    except Unauthenticated:
        guards.auth_failed(request)
        raise


def message_created(message: MessageRecord) -> JSONResponse:
    """201 with the answer's three fields, written here: the same bytes as dumping them
    through `response_model` (s.MessageCreated), which stays for the OpenAPI document."""
    answer = {"message_id": message.id, "at": iso(message.at), "covered": message.covered}
    return JSONResponse(answer, status_code=201)


@router.delete("/{session_id}", status_code=204)
@account_route
def delete_session(session_id: str, core: Core, me: CurrentAccount) -> None:
    """R14: gone from every read at once; purged within the grace period."""
    sessions.delete_session(core.ctx, account_id=me.id, session_id=session_id)


@router.post("/{session_id}/feedback", status_code=201, response_model=s.FeedbackCreated)
@account_route
def give_feedback(
    session_id: str, body: s.FeedbackIn, core: Core, me: CurrentAccount
) -> dict[str, Any]:
    record = sessions.give_feedback(
        core.ctx,
        account_id=me.id,
        session_id=session_id,
        message_id=body.message_id,
        rating=body.rating,
        comment=body.comment,
    )
    return {"feedback_id": record.id}
