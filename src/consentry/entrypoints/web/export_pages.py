"""The ZIP download on the privacy page (issue 23 item 6, P17): the same archive as
``GET /v1/me/export?format=zip``, posted with the page's CSRF token."""

from fastapi import APIRouter, Depends, Response
from fastapi.responses import StreamingResponse

from consentry.entrypoints.web.render import Posted, Web
from consentry.service import export_archive


def add_export_pages(router: APIRouter, web: Web) -> None:
    ctx = web.ctx

    @router.post("/privacy/export.zip")
    def export_zip(posted: Posted = Depends(web.posted)) -> Response:
        """P17: never blocked by a pending notice (R7), like the JSON download."""
        account = posted.visit.require_account()
        archive = export_archive.export_archive(ctx, account_id=account.id)
        return StreamingResponse(
            archive.chunks(),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{archive.filename}"',
                "Content-Length": str(archive.size),
            },
        )
