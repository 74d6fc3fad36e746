"""/docs in real Chromium (issue 24 item 4): Swagger UI renders every route from the
vendored assets and not one request leaves 127.0.0.1. Without Chromium this test fails
in CI and skips elsewhere (``require_or_skip``)."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator

import pytest
from playwright.sync_api import Route, sync_playwright
from starlette.exceptions import StarletteDeprecationWarning

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import Policy
from consentry.entrypoints.api.app import create_app
from tests.conftest import require_or_skip
from tests.e2e.web.conftest import CHROMIUM_ARGS, serve

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient


@pytest.fixture
def site(sqlite_url: str, clock: TestClock, policy: Policy) -> Iterator[str]:
    core = build(Settings(database_url=sqlite_url), migrate=False, clock=clock, policy=policy)
    with serve(core) as url:
        yield url
    core.engine.dispose()


def test_docs_render_every_route_with_no_request_leaving_the_machine(site: str) -> None:
    executable = shutil.which("chromium")
    require_or_skip(executable is not None, "Chromium")
    outside: list[str] = []
    local: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith((site + "/", "data:")):
            local.append(url)
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=site)
            context.set_default_timeout(15000)
            context.route("**/*", guard)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto("/docs")
            page.locator(".opblock").first.wait_for()
            assert page.locator(".info .title").inner_text().startswith("consentry")
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            assert "/v1/accounts" in [p.replace("\u200b", "") for p in paths]
            assert page.locator(".opblock").count() >= 40
            # Sign-up opened: the recorded request and answer examples are shown.
            signup = page.locator(".opblock-post", has=page.locator("[data-path='/v1/accounts']"))
            signup.locator(".opblock-summary").click()
            body = signup.locator(".opblock-body")
            body.wait_for()
            shown = body.inner_text()
            assert '"training": "on"' in shown and '"account_id"' in shown
        finally:
            browser.close()
    assert outside == [], f"/docs fetched outside the machine: {outside}"
    assert errors == []
    assert any(u.endswith("/openapi.json") for u in local)
    assert any(u.endswith("/docs/assets/swagger-ui-bundle.js") for u in local)


def test_docs_page_and_assets_over_http(sqlite_url: str, clock: TestClock, policy: Policy) -> None:
    core = build(Settings(database_url=sqlite_url), migrate=False, clock=clock, policy=policy)
    try:
        with TestClient(create_app(core)) as client:
            page = client.get("/docs")
            assert page.status_code == 200
            assert "connect-src 'self'" in page.headers["content-security-policy"]
            assert "//" not in page.text.replace("<!doctype html>", "")
            bundle = client.get("/docs/assets/swagger-ui-bundle.js")
            assert bundle.status_code == 200
            assert bundle.headers["content-type"].startswith("text/javascript")
            for name in ("README.md", "SHA256SUMS", "../docs.py", "..%2Fdocs.py"):
                assert client.get(f"/docs/assets/{name}").status_code == 404, name
    finally:
        core.engine.dispose()
