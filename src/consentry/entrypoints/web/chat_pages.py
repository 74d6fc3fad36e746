"""Chats and coding sessions: list, start, open (resume), add messages, delete (R7, R9–R14)."""

from fastapi import APIRouter, Depends, Request, Response

from consentry.entrypoints.web.render import Posted, Redirect, Visit, Web
from consentry.service import sessions


def add_chat_pages(router: APIRouter, web: Web) -> None:
    ctx = web.ctx

    @router.get("/sessions")
    def session_list(request: Request, visit: Visit = Depends(web.visit)) -> Response:
        account = visit.require_account()
        return web.page(
            request,
            "sessions.html",
            title="Your chats",
            sessions=sessions.list_sessions(ctx, account_id=account.id, limit=100),
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

    @router.get("/sessions/{session_id}")
    def session_page(
        request: Request, session_id: str, visit: Visit = Depends(web.visit)
    ) -> Response:
        account = visit.require_account()
        view = sessions.get_session(ctx, account_id=account.id, session_id=session_id)
        return web.page(
            request,
            "session.html",
            title=f"{view.session.kind.value.title()} session",
            view=view,
        )

    @router.post("/sessions/{session_id}/messages")
    def add_message(session_id: str, posted: Posted = Depends(web.posted)) -> Response:
        account = posted.visit.require_account()
        content = posted.field("content").strip()
        if content:
            sessions.add_message(
                ctx,
                account_id=account.id,
                session_id=session_id,
                role=posted.field("role") or "user",
                content=content,
            )
        else:
            posted.visit.browser.say("Write a message first.")
        raise Redirect(f"/sessions/{session_id}#compose")

    @router.get("/sessions/{session_id}/delete")
    def confirm_delete(
        request: Request, session_id: str, visit: Visit = Depends(web.visit)
    ) -> Response:
        account = visit.require_account()
        view = sessions.get_session(ctx, account_id=account.id, session_id=session_id)
        return web.page(request, "delete_session.html", title="Delete session", view=view)

    @router.post("/sessions/{session_id}/delete")
    def delete(session_id: str, posted: Posted = Depends(web.posted)) -> Response:
        account = posted.visit.require_account()
        sessions.delete_session(ctx, account_id=account.id, session_id=session_id)
        posted.visit.browser.say("The session was deleted. It no longer appears anywhere.")
        raise Redirect("/sessions")
