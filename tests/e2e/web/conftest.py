"""A live server on 127.0.0.1 (uvicorn in a thread) with a movable test clock, and
Debian's Chromium driven by Playwright. Without Chromium these tests fail in CI and
skip elsewhere (``require_or_skip``)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import Policy
from consentry.entrypoints.api.app import create_app
from consentry.service import accounts
from tests.conftest import require_or_skip

ADMIN_TOKEN = "web-test-admin-token-0123456789abcdef"
DOCS_SCREENSHOTS = Path(__file__).parents[3] / "docs" / "screenshots"


_scratch_screenshots: Path | None = None


@pytest.fixture(scope="session", autouse=True)
def _screenshot_scratch(tmp_path_factory: pytest.TempPathFactory) -> None:
    global _scratch_screenshots
    _scratch_screenshots = tmp_path_factory.mktemp("screenshots")


def screenshot_dir() -> Path:
    """docs/screenshots with CONSENTRY_SCREENSHOTS=1 (to refresh the README's pictures);
    otherwise this run's pytest temporary folder, so the screenshots are still taken but
    a test run does not rewrite tracked files."""
    if os.environ.get("CONSENTRY_SCREENSHOTS") == "1":
        return DOCS_SCREENSHOTS
    assert _scratch_screenshots is not None, "the session fixture sets the scratch folder"
    return _scratch_screenshots


BROWSER_TIMEOUT_MS = 15_000
"""How long a page, a navigation or a locator may take before a browser test fails. The
pages answer in milliseconds; the budget is for the shared 2-core CI machine, where a
first page load waited over 5 s for a core while Spark jobs ran beside the suite
(CI, 2026-12-06: six `Page.goto` timeouts at 5 s, all passing on their own). The same
budget for `expect(...)` assertions, whose own default is 5 s."""
expect.set_options(timeout=BROWSER_TIMEOUT_MS)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Site:
    url: str
    core: App
    clock: TestClock

    def import_user(self, plan: str = "free") -> str:
        """An existing user brought in with choice `unset` (R5); returns the token."""
        return accounts.import_account(self.core.ctx, plan=plan).token


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # running in a thread
        pass


@pytest.fixture
def site(sqlite_url: str, clock: TestClock, policy: Policy) -> Iterator[Site]:
    core = build(
        Settings(database_url=sqlite_url, admin_token=ADMIN_TOKEN),
        migrate=False,
        clock=clock,
        policy=policy,
    )
    with serve(core) as url:
        yield Site(url, core, clock)
    core.engine.dispose()


@contextmanager
def serve(core: App) -> Iterator[str]:
    """`core`'s app on a free port of 127.0.0.1 (uvicorn in a thread); yields its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(core), log_level="warning", lifespan="off", ws="none", access_log=False
    )
    server = _Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    require_or_skip(executable is not None, "Chromium")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    context = browser.new_context(
        viewport=DESKTOP, accept_downloads=True, base_url=site.url, locale="en-GB"
    )
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    # No request may leave 127.0.0.1: every asset is shipped with the package.
    outside: list[str] = []

    def guard(route: Route) -> None:
        url = route.request.url
        if url.startswith((site.url, "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    yield tab
    context.close()
    assert outside == [], f"pages fetched outside assets: {outside}"


def sign_in(page: Page, token: str) -> None:
    page.goto("/signin")
    page.get_by_label("Account token").fill(token)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/sessions")


UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button'))
  .filter(el => {
    const named = el.getAttribute('aria-label');
    if (el.tagName === 'BUTTON') { return !(el.innerText || '').trim() && !named; }
    return el.labels.length === 0 && !named;
  })
  .map(el => el.outerHTML)"""


def shoot(page: Page, name: str) -> None:
    """Screenshots at desktop and phone widths (PNG, see `screenshot_dir`); on the way,
    every control on the page must have a label (or a button its text)."""
    assert page.evaluate(UNLABELLED_CONTROLS) == [], f"unlabelled controls on {name}"
    assert axe_violations(page) == [], f"axe violations on {name}"
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    modal = page.get_by_role("dialog").is_visible()
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(
            path=str(folder / f"{name}-{label}.png"),
            full_page=not modal,  # a fixed backdrop covers only the viewport
            animations="disabled",
        )
    page.set_viewport_size(DESKTOP)


AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def axe_violations(page: Page) -> list[str]:
    """axe-core (vendored, no network) on the page as it stands: every violation of the
    WCAG 2.x A/AA rules and axe's best practices, one line each (empty when clean).

    The script is evaluated through the DevTools protocol, which the pages' CSP does not
    govern, so the pages need no exception for it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;undefined")
    found: list[dict[str, object]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
            }));
        }"""
    )
    return [f"{v['id']}: {v['help']} at {v['targets']}" for v in found]
