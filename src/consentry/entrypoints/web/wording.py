"""Words for people on the pages (issue 18): instants as ``<time>`` elements, consent
history in sentences, chats titled by their first words, rule ids left to the API."""

from __future__ import annotations

import re
from datetime import datetime

from markupsafe import Markup

from consentry.domain.clock import as_utc, iso

TITLE_WORDS = 8
TITLE_CHARS = 60

_RULE_ID = re.compile(r"\bR\d{1,2}(?:/R\d{1,2})*: ?")

_CHOICE_WORDS = {
    "on": "Allowed model training",
    "off": "Did not allow model training",
}
_SOURCE_WORDS = {
    "signup": "at sign-up",
    "notice": "in the notice",
    "settings": "in privacy settings",
    "admin_import": "imported by an operator",
    "account_deleted": "when the account was deleted",
}


def when(instant: datetime | None) -> str:
    """An instant for people: "1 Sep 2025, 00:00 UTC"."""
    if instant is None:
        return "—"
    return as_utc(instant).strftime("%-d %b %Y, %H:%M UTC")


def time_tag(instant: datetime | None) -> Markup:
    """``<time datetime="ISO">for people</time>``: machines read the attribute."""
    if instant is None:
        return Markup("—")
    return Markup('<time datetime="{}">{}</time>').format(iso(instant), when(instant))


def history_event(event_type: str, value: str | None) -> str:
    """A consent-history row in words: `choice`/`on` → "Allowed model training"."""
    if event_type == "choice" and value in _CHOICE_WORDS:
        return _CHOICE_WORDS[value]
    if event_type == "deferral":
        return "Said “Not now”"
    return event_type.replace("_", " ")


def history_source(source: str | None) -> str:
    if source is None:
        return "—"
    return _SOURCE_WORDS.get(source, source.replace("_", " "))


def chat_title(first_message: str | None, fallback: str) -> str:
    """A chat's title: the first words of its first message, or `fallback` when empty."""
    if not first_message or not first_message.strip():
        return fallback
    words = first_message.split()
    title = " ".join(words[:TITLE_WORDS])
    if len(title) > TITLE_CHARS:
        title = title[:TITLE_CHARS].rsplit(" ", 1)[0] or title[:TITLE_CHARS]
        return title + "…"
    return title + ("…" if len(words) > TITLE_WORDS else "")


def without_rule_ids(text: str) -> str:
    """Audit details for operators without the spec's rule numbers ("R20: choice …")."""
    return _RULE_ID.sub("", text)
