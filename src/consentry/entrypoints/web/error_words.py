"""What a page says about an error, in the reader's language (issue 18).

The service raises errors with a stable ``code`` and an English ``message`` written for
API clients (SPEC §3: the JSON stays as it is). A page does not show that message: it
shows the sentence for people that the error's code maps to here, translated through the
gettext catalogue, so a German page never shows the API's English. The one exception is
a message the web layer wrote itself and marked for the catalogue (``N_``): it is more
precise than its code's sentence and is translated as it is.

Every code a page can render has a sentence (tests/unit/web/test_error_words.py walks
them all in German); an unknown code falls back to the generic sentence, never to the
English message.
"""

from __future__ import annotations

from consentry.entrypoints.web.i18n import gettext as _
from consentry.entrypoints.web.i18n import translations
from consentry.entrypoints.web.wording import N_

GENERIC = N_("Something went wrong on our side. Please try again in a moment.")

CODE_SENTENCES: dict[str, str] = {
    # domain errors (consentry.domain.errors)
    "internal_error": GENERIC,
    "validation_error": N_("Something in the form is not valid. Check it and try again."),
    "choice_required": N_("Please choose first whether your chats may be used for model training."),
    "purpose_not_permitted": N_("The policy does not allow training runs for that purpose."),
    "policy_invalid": N_("The policy file is not valid. An operator has to correct it."),
    "unauthenticated": N_("You are not signed in, or your sign-in has ended. Please sign in."),
    "forbidden": N_("You are not allowed to do this."),
    "assistant_requires_service": N_(
        "Only the assistant's service may write the assistant's replies."
    ),
    "not_found": N_("We could not find this. It may have been deleted, or the link is wrong."),
    "conflict": N_("This could not be done in the state things are in now."),
    "not_applicable": N_(
        "Commercial plans have no training choice: their data is never used for training."
    ),
    "deadline_passed": N_("The deadline for this has passed."),
    "clock_backwards": N_("The test clock cannot be moved backwards."),
    "invalid_state": N_("This cannot be done now: it was already done, or it has ended."),
    "too_large": N_("This is too large. Please make it shorter."),
    "not_exported": N_("This run has not been exported yet. Export it first."),
    "export_invalid": N_("This run's export does not verify. Export it again."),
    "summary_unavailable": N_(
        "This run was exported before its summary could be counted. Export it again."
    ),
    "rate_limited": N_("Too many attempts from your network. Please wait a little and retry."),
    "busy": N_("We are busy right now. Please try again in a moment."),
    "ledger_corrupt": N_(
        "The consent ledger did not pass its check. An operator has been told; nothing was changed."
    ),
    "secret_unreadable": N_("A stored secret could not be opened. An operator has to check it."),
    "extra_missing": N_("This feature is not installed on this server."),
    "lake_format": N_("The data lake is in a format this server cannot use."),
    "lake_needs_migration": N_("The data lake needs an upgrade. An operator has to run it."),
    "lake_mixed_formats": N_("The data lake holds mixed formats. An operator has to fix it."),
    "webhook_target_refused": N_("That webhook address is not allowed."),
    "ner_model_missing": N_("A filter model is not installed on this server."),
    # the pages' own refusals (web.render, web.admin_pages) and HTTP errors
    "csrf_failed": N_(
        "This form did not carry a valid security token, so nothing was changed. "
        "Go back, reload the page and try again."
    ),
    "admin_disabled": N_("The admin pages are off: no admin token is configured."),
    "method_not_allowed": N_(
        "This page can't be opened that way. Use the links and buttons on the pages."
    ),
}
"""Every code a page can render, with its sentence for people (English msgids)."""


def page_message(code: str, message: str) -> str:
    """The sentence a page shows for error `code` whose API message is `message`, in the
    current language: `message` itself where the catalogue knows it (the web layer's own
    wording), else the code's sentence."""
    if _known(message):
        return _(message)
    return _(CODE_SENTENCES.get(code, GENERIC))


def _known(message: str) -> bool:
    """A msgid of the German catalogue: the English source of a sentence we translate."""
    catalogue = translations("de")
    return bool(message) and catalogue.gettext(message) != message
