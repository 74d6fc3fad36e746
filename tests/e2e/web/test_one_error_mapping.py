"""One error mapping, two faces (issue 20): an error gets the same status and code from
`entrypoints/errors.py` whether an API route or a page raised it; the API answers JSON,
a page answers an HTML page. The pages' frame used to know only ConsentryError, so a
filter failure on a page fell through to the API's JSON."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from consentry.bootstrap import App
from consentry.domain.errors import NotFound
from consentry.entrypoints.api.app import create_app
from consentry.redaction.errors import RedactionError

FAILURES: dict[str, Exception] = {
    "redaction": RedactionError("the compiled scan could not run"),
    "not_found": NotFound("no session 'x'"),
}


@pytest.fixture
def client(app: App) -> Iterator[TestClient]:
    """The application with one page and one API route that raise the given failure,
    mounted the way the real ones are (the pages' route class, a plain API router)."""
    web_app = create_app(app)
    pages = APIRouter(route_class=web_app.state.pages.route_class())
    api = APIRouter()

    @pages.get("/failing-page/{kind}")
    def failing_page(kind: str) -> None:
        raise FAILURES[kind]

    @api.get("/v1/failing/{kind}")
    def failing_route(kind: str) -> None:
        raise FAILURES[kind]

    web_app.include_router(pages)
    web_app.include_router(api)
    with TestClient(web_app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [("redaction", 500, "redaction_failed"), ("not_found", 404, "not_found")],
)
def test_an_error_is_a_page_for_browsers_and_json_for_the_api_R24(
    client: TestClient, kind: str, status: int, code: str
) -> None:
    """R24 (the filter fails closed): `redaction_failed` on a page is an HTML page with
    the API's status, not the API's JSON; on an API route it stays JSON."""
    page = client.get(f"/failing-page/{kind}", headers={"Accept": "text/html"})
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text.lower()
    assert "the compiled scan could not run" not in page.text  # no internals on the page
    answer = client.get(f"/v1/failing/{kind}", headers={"Accept": "application/json"})
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
