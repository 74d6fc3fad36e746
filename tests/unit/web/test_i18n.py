"""Issue 18: the German catalogue is complete, compiled from its source, and the
language of a request follows Accept-Language."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from consentry.domain.policy import DEFAULT_TERMS
from consentry.entrypoints.web import i18n, wording

DE_PO = i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po"
DE_MO = i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.mo"
POT = i18n.LOCALE_DIR / "messages.pot"


def test_every_message_has_a_german_translation() -> None:
    template = read_po(POT.open("rb"))
    german = read_po(DE_PO.open("rb"))
    missing = [m.id for m in template if m.id and not german.get(m.id)]
    untranslated = [m.id for m in german if m.id and not all(_strings(m.string))]
    assert missing == [] and untranslated == []
    assert not [m.id for m in german if m.id and m.fuzzy]


def test_the_compiled_catalogue_matches_its_source() -> None:
    source = {_key(m.id): _key(m.string) for m in read_po(DE_PO.open("rb")) if m.id}
    compiled = {_key(m.id): _key(m.string) for m in read_mo(io.BytesIO(DE_MO.read_bytes())) if m.id}
    assert compiled == source, "run: pybabel compile -d src/consentry/entrypoints/web/locale"


def test_the_notice_text_is_translated_R5() -> None:
    """The built-in terms summary is the notice's text; its catalogue copy must match."""
    assert DEFAULT_TERMS.summary == wording.DEFAULT_SUMMARY
    i18n.use("de")
    try:
        assert i18n.gettext(DEFAULT_TERMS.summary).startswith("Wir haben")
    finally:
        i18n.use("en")


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("de-AT", "de"),
        ("en-GB,en;q=0.9,de;q=0.8", "en"),
        ("fr-FR, de;q=0.5", "de"),
        ("fr-FR", "en"),
        ("de;q=0, en", "en"),
        ("", "en"),
        ("garbage;q=x", "en"),
    ],
)
def test_accept_language_picks_the_default(header: str, language: str) -> None:
    assert i18n.negotiate(header) == language


def test_dates_follow_the_language() -> None:
    instant = datetime(2025, 10, 8, 13, 5, tzinfo=UTC)
    i18n.use("de")
    try:
        assert i18n.when(instant) == "8. Okt. 2025, 13:05 UTC"
        assert wording.span(1825) == "5 Jahre"
        assert wording.span(1) == "1 Tag"
    finally:
        i18n.use("en")
    assert i18n.when(instant) == "8 Oct 2025, 13:05 UTC"
    assert wording.span(30) == "30 days"


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value
