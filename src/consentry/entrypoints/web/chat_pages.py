"""Chats and coding sessions: list, start, open (resume), add messages, delete (R7, R9–R14)."""

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from consentry.entrypoints.web import wording
from consentry.entrypoints.web.i18n import gettext as _
from consentry.entrypoints.web.i18n import ngettext, when
from consentry.entrypoints.web.render import Posted, Redirect, Visit, Web
from consentry.service import data_use, sessions


def add_chat_pages(router: APIRouter, web: Web) -> None:
    """Every chat page, in the order they are routed."""
    _add_session_list(router, web)
    _add_session_page(router, web)
    _add_session_deletion(router, web)


def _add_session_list(router: APIRouter, web: Web) -> None:
    """The list of chats and coding sessions, and starting one."""
    ctx = web.ctx

    @router.get("/sessions")
    def session_list(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        account = visit.require_account()
        listed = sessions.list_sessions(ctx, account_id=account.id, limit=100)
        return web.page(
            request,
            "sessions.html",
            title=_("Your chats"),
            sessions=listed,
            titles={
                sid: wording.chat_title(text, "")
                for sid, text in data_use.first_words(
                    ctx, account_id=account.id, session_ids=[s.id for s in listed]
                ).items()
            },
            uses=data_use.session_uses(
                ctx, account_id=account.id, session_ids=[s.id for s in listed]
            ),
        )

    @router.post("/sessions")
    def start(posted: Posted = Depends(web.posted)) -> Response:
        account = posted.visit.require_account()
        view = sessions.start_session(
            ctx,
            account_id=account.id,
            kind=posted.field("kind") or "chat",
            incognito=posted.field("incognito") == "on",
        )
        raise Redirect(f"/sessions/{view.session.id}")


def _add_session_page(router: APIRouter, web: Web) -> None:
    """One session: open it (resume) and add a message."""
    ctx = web.ctx

    @router.get("/sessions/{session_id}")
    def session_page(
        request: Request, session_id: str, visit: Visit = Depends(web.visit)
    ) -> Response:
        account = visit.require_account()
        return _show_session(web, request, account.id, session_id)

    @router.post("/sessions/{session_id}/messages")
    def add_message(
        request: Request, session_id: str, posted: Posted = Depends(web.posted)
    ) -> Response:
        account = posted.visit.require_account()
        content = posted.field("content").strip()
        if not content:  # shown beside the message box, where the user is looking
            return _show_session(
                web,
                request,
                account.id,
                session_id,
                status=422,
                compose_error=_("Write a message first: it is empty."),
            )
        sessions.add_message(
            ctx,
            account_id=account.id,
            session_id=session_id,
            role="user",  # the assistant's replies come from its backend (issue 17 item 7)
            content=content,
        )
        raise Redirect(f"/sessions/{session_id}#compose")


def _add_session_deletion(router: APIRouter, web: Web) -> None:
    """Deleting a session: what will happen, then the deletion (R14)."""
    ctx = web.ctx

    @router.get("/sessions/{session_id}/delete")
    def confirm_delete(
        request: Request, session_id: str, visit: Visit = Depends(web.visit)
    ) -> Response:
        account = visit.require_account()
        view = sessions.get_session(ctx, account_id=account.id, session_id=session_id)
        outlook = data_use.deletion_outlook(ctx, account_id=account.id, session_id=session_id)
        first = data_use.first_words(ctx, account_id=account.id, session_ids=[session_id])
        return web.page(
            request,
            "delete_session.html",
            title=_("Delete session"),
            view=view,
            outlook=outlook,
            title_words=wording.chat_title(first.get(session_id), ""),
        )

    @router.post("/sessions/{session_id}/delete")
    def delete(session_id: str, posted: Posted = Depends(web.posted)) -> Response:
        account = posted.visit.require_account()
        outlook = data_use.deletion_outlook(ctx, account_id=account.id, session_id=session_id)
        sessions.delete_session(ctx, account_id=account.id, session_id=session_id)
        posted.visit.browser.say(deleted_message(outlook))
        raise Redirect("/sessions")


def _show_session(
    web: Web, request: Request, account_id: str, session_id: str, *, status: int = 200, **extra: Any
) -> Response:
    """A session's page; `status` and `extra` say why it is shown again (an empty message)."""
    ctx = web.ctx
    view = sessions.get_session(ctx, account_id=account_id, session_id=session_id)
    uses = data_use.session_uses_by_facts(ctx, account_id=account_id, session_ids=[session_id])
    first = data_use.first_words(ctx, account_id=account_id, session_ids=[session_id])
    return web.page(
        request,
        "session.html",
        status=status,
        title=wording.chat_title(first.get(session_id), _("Empty session")),
        title_words=wording.chat_title(first.get(session_id), ""),
        view=view,
        use=uses[session_id],
        **extra,
    )


def deleted_message(outlook: data_use.DeletionOutlook) -> str:
    """What is true after the deletion (R14, R16, R21), in one sentence or three."""
    parts = [
        _("The session was deleted: it is gone from your history and from future training runs.")
    ]
    if outlook.purge_by is None:
        parts.append(_("A legal hold keeps its content until the hold is released."))
    elif outlook.reason == "safety hold ended":
        parts.append(
            _("A safety hold keeps its content until %(until)s.")
            % {"until": when(outlook.purge_by)}
        )
    else:
        parts.append(_("Its content is purged by %(until)s.") % {"until": when(outlook.purge_by)})
    if outlook.runs:
        named = ", ".join(r.id for r in outlook.runs)
        parts.append(
            ngettext(
                "It stays in run %(runs)s, created before now.",
                "It stays in runs %(runs)s, created before now.",
                len(outlook.runs),
            )
            % {"runs": named}
        )
    return " ".join(parts)
