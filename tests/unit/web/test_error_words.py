"""Issue 18: every error message a page can show is in the reader's language.

The API's JSON keeps its English messages (SPEC §3); the pages show the sentence their
error code maps to (web.error_words), through the gettext catalogue."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

import consentry.config.sealing
import consentry.extras
import consentry.lake.catalog
import consentry.outbox.targets
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.errors import ConsentryError
from consentry.entrypoints.api.app import create_app
from consentry.entrypoints.web import error_words, i18n
from consentry.entrypoints.web.http_errors import MESSAGES as HTTP_MESSAGES
from consentry.service import accounts, sessions

# The modules above define the ConsentryError subclasses outside domain.errors.
assert consentry.config.sealing and consentry.extras and consentry.lake.catalog
assert consentry.outbox.targets

DE_PO = i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po"

# The codes the pages raise themselves (web.render, web.admin_pages, web.http_errors).
WEB_CODES = {"csrf_failed", "admin_disabled", "not_found", "method_not_allowed", "validation_error"}


def _codes(cls: type[ConsentryError]) -> Iterator[str]:
    yield cls.code
    for sub in cls.__subclasses__():
        yield from _codes(sub)


def page_codes() -> set[str]:
    """Every code a page can render: any ConsentryError defined anywhere (the page frame
    shows them all) and the pages' own refusals."""
    return set(_codes(ConsentryError)) | WEB_CODES


@pytest.fixture
def german() -> Iterator[None]:
    i18n.use("de")
    try:
        yield
    finally:
        i18n.use("en")


def _domain_codes(cls: type[ConsentryError]) -> Iterator[str]:
    if cls.__module__ == "consentry.domain.errors":
        yield cls.code
    for sub in cls.__subclasses__():
        yield from _domain_codes(sub)


def test_every_code_the_pages_raise_has_its_own_sentence() -> None:
    """The domain's codes and the pages' own; codes from elsewhere (operator tooling)
    may use the generic sentence, still translated (below)."""
    missing = sorted(
        (set(_domain_codes(ConsentryError)) | WEB_CODES) - set(error_words.CODE_SENTENCES)
    )
    assert missing == [], f"codes without a sentence for people: {missing}"


@pytest.mark.parametrize("code", sorted(page_codes()))
def test_a_german_page_shows_no_english_message(code: str, german: None) -> None:
    """The API's English message is replaced by the code's sentence, translated."""
    api_message = f"no session 'abc' ({code})"
    shown = error_words.page_message(code, api_message)
    english = error_words.CODE_SENTENCES.get(code, error_words.GENERIC)
    assert api_message not in shown
    assert shown != english, f"{code}: {english!r} has no German translation"
    assert shown == i18n.translations("de").gettext(english)


def test_the_web_layers_own_wording_is_translated_as_it_is(german: None) -> None:
    """A message the web layer marked for the catalogue is more precise than its code."""
    for message in HTTP_MESSAGES.values():
        assert error_words.page_message("not_found", message) == i18n.gettext(message)
        assert error_words.page_message("not_found", message) != message


def test_english_pages_say_the_sentence_not_the_api_message() -> None:
    shown = error_words.page_message("validation_error", "unknown plan 'x'; expected one of …")
    assert shown == error_words.CODE_SENTENCES["validation_error"]


def test_the_catalogue_compiles_without_format_errors() -> None:
    """pybabel's checks: placeholders match between each message and its translation."""
    catalogue = read_po(DE_PO.open("rb"))
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()]
    assert problems == []


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page carries a CSRF token"
    return found.group(1)


def test_german_pages_show_domain_errors_in_german_while_the_api_stays_english(
    sqlite_url: str,
) -> None:
    """Real pages in German: the sign-up refusal (R4), another account's chat (not
    found), a form without its token, and the API's unchanged English for the same
    refusal."""
    core = build(Settings(database_url=sqlite_url), migrate=False)
    german = {"Accept-Language": "de-DE,de;q=0.9", "Accept": "text/html"}
    try:
        with TestClient(create_app(core)) as client:
            token = _csrf(client.get("/signup", headers=german).text)
            refused = client.post(
                "/signup", data={"csrf_token": token, "plan": "free"}, headers=german
            )
            assert refused.status_code == 422
            assert "Bitte wählen Sie zuerst" in refused.text
            shown = _form_error(refused.text)

            api = client.post("/v1/accounts", json={"plan": "free"})
            assert api.status_code == 422
            assert api.json()["error"]["code"] == "choice_required"
            assert api.json()["error"]["message"] not in shown
            assert "Bitte wählen Sie zuerst" not in api.text

            no_token = client.post("/signout", data={}, headers=german)
            assert no_token.status_code == 403
            assert "Sicherheits-Token" in no_token.text
            assert "security token" not in no_token.text

            ctx = core.ctx
            other = accounts.sign_up(ctx, plan="free", training="on").account_id
            chat = sessions.start_session(ctx, account_id=other, kind="chat").session.id
            mine = accounts.sign_up(ctx, plan="free", training="off").token
            token = _csrf(client.get("/signin", headers=german).text)
            client.post("/signin", data={"csrf_token": token, "token": mine}, headers=german)
            missing = client.get(f"/sessions/{chat}", headers=german)
            assert missing.status_code == 404
            assert "Das haben wir nicht gefunden" in missing.text
            assert chat not in _error_message(missing.text)
    finally:
        core.engine.dispose()


def _form_error(html: str) -> str:
    found = re.search(r'id="form-error">(.*?)</div>', html, re.S)
    assert found, "the sign-up form shows its error"
    return found.group(1)


def _error_message(html: str) -> str:
    found = re.search(r'id="error-message">(.*?)</p>', html, re.S)
    assert found, "the error page shows a message"
    return found.group(1)
