"""The ZIP export (issue 23 item 6, docs/rules.md P17-P18) over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re
import zipfile
from html.parser import HTMLParser

from consentry.service.export_archive import ENTRIES
from tests.e2e.api.conftest import ADMIN, Api, expect

HOSTILE = '<script>alert("x")</script><img src="https://evil.example/p.png"> & </div>'


def _archive(api: Api, headers: dict[str, str]) -> zipfile.ZipFile:
    response = api.client.get("/v1/me/export?format=zip", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert re.fullmatch(
        r'attachment; filename="consentry-export-acc_[0-9a-f]+-\d{8}T\d{6}Z\.zip"',
        response.headers["content-disposition"],
    )
    assert response.headers["cache-control"].startswith("no-store")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None  # every entry's CRC checks out
    return archive


def test_zip_holds_the_json_document_receipts_page_and_readme_P7(api: Api) -> None:
    """P17: data.json equals the default JSON export; receipts.json equals
    GET /v1/me/consent-receipts; README.txt names every file; nothing filtered (R28)."""
    user = api.signup(training="on")
    first = api.start_session(user)
    api.message(user, first["session_id"], "my first question")
    api.message(user, first["session_id"], "an answer", role="assistant")
    code = api.start_session(user, kind="code", surface="code")
    api.message(user, code["session_id"], "password=hunter2 stays in my own export")
    api.choose(user, "off")
    run = api.create_run()
    assert run["counts"]["sessions"] == 0  # off at the cutoff, still exported to the user

    document = expect(api.client.get("/v1/me/export", headers=user.headers), 200)
    receipts = expect(api.client.get("/v1/me/consent-receipts", headers=user.headers), 200)
    archive = _archive(api, user.headers)

    assert archive.namelist() == list(ENTRIES)
    assert json.loads(archive.read("data.json")) == document
    assert json.loads(archive.read("receipts.json")) == receipts
    assert len(receipts) == len(document["consent_history"])
    readme = archive.read("README.txt").decode()
    for name in ENTRIES:
        assert name in readme
    assert user.account_id in readme
    page = archive.read("chats.html").decode()
    assert "password=hunter2 stays in my own export" in page  # R28: never filtered
    assert page.count('class="session"') == len(document["sessions"]) == 2


def test_default_export_is_still_the_json_document_R28(api: Api) -> None:
    """R28 / SPEC §3: without ?format, and with format=json, the answer is the JSON document."""
    user = api.signup(training="off")
    plain = api.client.get("/v1/me/export", headers=user.headers)
    assert plain.headers["content-type"].startswith("application/json")
    explicit = expect(api.client.get("/v1/me/export?format=json", headers=user.headers), 200)
    assert plain.json() == explicit
    assert set(explicit) == {
        "account",
        "privacy",
        "consent_history",
        "sessions",
        "feedback",
        "training_runs",
    }


def test_unknown_export_format_is_refused_P7(api: Api) -> None:
    """P17: only json and zip; anything else is a validation error, never a guess."""
    user = api.signup()
    response = api.client.get("/v1/me/export?format=pdf", headers=user.headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"]


def test_zip_export_needs_the_account_token_P7(api: Api) -> None:
    """P17: the archive is the user's own; no token is 401, the admin token is not a user."""
    assert api.client.get("/v1/me/export?format=zip").status_code == 401
    assert api.client.get("/v1/me/export?format=zip", headers=ADMIN).status_code == 401


class _Page(HTMLParser):
    """Collects what would make a browser fetch or run something."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.fetching: list[tuple[str, str]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name in {"src", "srcset", "data", "poster"} or (
                name == "href" and value and not value.startswith("#")
            ):
                self.fetching.append((tag, f"{name}={value}"))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def test_chats_page_escapes_content_and_references_nothing_outside_P8(api: Api) -> None:
    """P18: the page has no script and no outside reference; a message that looks like HTML
    is shown as text, not markup."""
    user = api.signup(training="on")
    session = api.start_session(user)
    api.message(user, session["session_id"], HOSTILE)
    page = _archive(api, user.headers).read("chats.html").decode()
    parsed = _Page()
    parsed.feed(page)
    assert parsed.scripts == 0
    assert parsed.fetching == []
    assert HOSTILE in "".join(parsed.texts)  # the text survives, as text
    assert "&lt;script&gt;" in page and "<script>" not in page


def test_zip_of_an_account_without_sessions_P7(api: Api) -> None:
    """P17: an imported account with nothing yet still gets all four files."""
    user = api.import_account()
    archive = _archive(api, user.headers)
    assert archive.namelist() == list(ENTRIES)
    assert json.loads(archive.read("receipts.json")) == []
    assert "You have no sessions." in archive.read("chats.html").decode()
