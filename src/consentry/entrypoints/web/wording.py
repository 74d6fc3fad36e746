"""Words for people on the pages (issue 18): instants as ``<time>`` elements, consent
history in sentences, chats titled by their first words, rule ids left to the API."""

from __future__ import annotations

import re
from datetime import datetime

from markupsafe import Markup

from consentry.domain.clock import iso
from consentry.entrypoints.web.i18n import gettext as _
from consentry.entrypoints.web.i18n import ngettext, when

TITLE_WORDS = 8
TITLE_CHARS = 60

_RULE_ID = re.compile(r"\bR\d{1,2}(?:/R\d{1,2})*: ?")


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


_CHOICE_WORDS = {
    "on": N_("Allowed model training"),
    "off": N_("Did not allow model training"),
}
_SOURCE_WORDS = {
    "signup": N_("at sign-up"),
    "notice": N_("in the notice"),
    "settings": N_("in privacy settings"),
    "admin_import": N_("imported by an operator"),
    "gpc": N_("by your browser's Global Privacy Control"),
    "account_deleted": N_("when the account was deleted"),
}


def span(days: int) -> str:
    """A retention period in words: 1825 → "5 years", 30 → "30 days"."""
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return ngettext("%(num)d year", "%(num)d years", years) % {"num": years}
    return ngettext("%(num)d day", "%(num)d days", days) % {"num": days}


def time_tag(instant: datetime | None) -> Markup:
    """``<time datetime="ISO">for people</time>``: machines read the attribute."""
    if instant is None:
        return Markup("—")
    return Markup('<time datetime="{}">{}</time>').format(iso(instant), when(instant))


def history_event(event_type: str, value: str | None) -> str:
    """A consent-history row in words: `choice`/`on` → N_("Allowed model training")."""
    if event_type == "choice" and value in _CHOICE_WORDS:
        return _(_CHOICE_WORDS[value])
    if event_type == "deferral":
        return _("Said “Not now”")
    if event_type == "auto_delete" and value is not None:  # docs/rules.md P12
        if value == "off":
            return _("Chose to keep history until I delete it")
        return _("Chose auto-delete after %(months)s months") % {"months": value.rstrip("m")}
    return event_type.replace("_", " ")


def history_source(source: str | None) -> str:
    if source is None:
        return "—"
    words = _SOURCE_WORDS.get(source)
    return _(words) if words else source.replace("_", " ")


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


# Shown through gettext where their text comes from data rather than a template:
# run purposes, and the built-in policy's terms summary (the notice's text; a test holds
# this copy to `DEFAULT_TERMS.summary`). Operators' own summaries are shown as written.
PURPOSE_WORDS = (N_("model training"), N_("safety classifiers"))
DEFAULT_SUMMARY = N_(
    "We updated the Consumer Terms and Privacy Policy. You can choose whether your chats "
    "and coding sessions may be used to improve our models. If you allow it, data from new "
    "or resumed sessions is kept for five years; otherwise it is kept for 30 days. You can "
    "change this at any time in Privacy settings."
)
