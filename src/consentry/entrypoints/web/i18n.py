"""The pages' languages: English and German, from gettext catalogues (Babel).

The language of a request is the one the user chose (the ``consentry_lang`` cookie,
set by the chooser on every page), else the best match of ``Accept-Language``, else
English. :func:`use` makes it current for the request; templates (Jinja's i18n
extension), flash messages and :func:`when` read it from there. Catalogues live in
``locale/<lang>/LC_MESSAGES/messages.po`` with the compiled ``.mo`` beside them; see
``docs/web.md`` for extracting and compiling them.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from datetime import datetime
from functools import cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.dates import format_datetime
from babel.support import NullTranslations, Translations
from fastapi import Request

from consentry.domain.clock import as_utc

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"en": "English", "de": "Deutsch"}
DEFAULT = "en"
COOKIE = "consentry_lang"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60

# A day, a short month, the year and the time, always in UTC: "1 Sep 2025, 00:00 UTC".
_PATTERNS = {"en": "d MMM y, HH:mm 'UTC'", "de": "d. MMM y, HH:mm 'UTC'"}

_current: ContextVar[str] = ContextVar("consentry_web_language", default=DEFAULT)


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of `language` (English is the source: no catalogue)."""
    if language == DEFAULT:
        return NullTranslations()
    return Translations.load(str(LOCALE_DIR), [language], domain="messages")


def choose(request: Request) -> str:
    """The chooser's cookie when it names a language we have, else Accept-Language."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language", ""))


def negotiate(header: str) -> str:
    """The best of our languages for an Accept-Language header (q-values honoured)."""
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((-quality, position, tag.strip().replace("-", "_")))
    preferred = [tag for _, _, tag in sorted(wanted)]
    return negotiate_locale(preferred, list(LANGUAGES), sep="_") or DEFAULT


def use(language: str) -> Token[str]:
    """Make `language` the current one (for this request's context)."""
    return _current.set(language if language in LANGUAGES else DEFAULT)


def current() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current()).ngettext(singular, plural, n)


def when(instant: datetime | None) -> str:
    """An instant for people in the current language: "1 Sep 2025, 00:00 UTC",
    "1. Sept. 2025, 00:00 UTC"."""
    if instant is None:
        return "—"
    language = current()
    return format_datetime(
        as_utc(instant), _PATTERNS[language], tzinfo=None, locale=Locale.parse(language)
    )
