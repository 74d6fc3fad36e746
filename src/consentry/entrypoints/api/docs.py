"""Interactive API documentation at ``/docs`` with no CDN (issue 24 item 4).

FastAPI's own ``/docs`` loads Swagger UI from a CDN, so it stays off (``docs_url=None``).
This router serves the same UI from files vendored from the npm package
``swagger-ui-dist`` (``swagger_ui/README.md``: version, licence, checksums):

    GET /docs                     the page
    GET /docs/assets/{name}       one of the vendored files (a fixed list, nothing else)

The page's Content-Security-Policy allows only this server (``connect-src 'self'``), so
the browser itself refuses any request elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

ASSETS = Path(__file__).parent / "swagger_ui"
SERVED = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "consentry-docs.js": "text/javascript; charset=utf-8",
    "LICENSE": "text/plain; charset=utf-8",
    "NOTICE": "text/plain; charset=utf-8",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>consentry API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/consentry-docs.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def docs_page() -> HTMLResponse:
    return HTMLResponse(
        PAGE, headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}
    )


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> Response:
    media_type = SERVED.get(name)
    if media_type is None:
        return Response(status_code=404)
    return FileResponse(
        ASSETS / name,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
