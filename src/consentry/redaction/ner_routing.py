"""Which NER model sees a text when the policy names several (SPEC §4, issue 19).

With one model every text goes to it. With several, each text goes only to the models
of its language, as ``py3langid`` (a core dependency; its model ships in the wheel, nothing
is downloaded) tells among the languages of the configured models; a model whose language
the identifier does not know (spaCy's multi-language ``xx``) sees every text.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

_LOCK = threading.Lock()
_IDENTIFIERS: dict[frozenset[str], Any] = {}


def _identifier(languages: frozenset[str]) -> Any | None:
    """A language identifier restricted to ``languages`` (the ones it knows), or None."""
    from py3langid import langid

    with _LOCK:
        if languages not in _IDENTIFIERS:
            # 0.4 loads its bundled model with from_model_file, 0.3 with from_pickled_model
            load = (
                getattr(langid.LanguageIdentifier, "from_model_file", None)
                or langid.LanguageIdentifier.from_pickled_model
            )
            ident = load(langid.MODEL_FILE, norm_probs=False)
            known = sorted(languages & set(ident.labels))
            ident.set_languages(known)
            _IDENTIFIERS[languages] = ident if len(known) > 1 else None
        return _IDENTIFIERS[languages]


class Router:
    """For each text, the indexes of the models (by their languages) that should see it."""

    def __init__(self, languages: Sequence[str]) -> None:
        self._languages = tuple(languages)
        distinct = frozenset(languages)
        self._ident = _identifier(distinct) if len(distinct) > 1 else None
        known = set(self._ident.labels) if self._ident is not None else set()
        self._everywhere = tuple(i for i, lang in enumerate(languages) if lang not in known)

    @property
    def routes(self) -> bool:
        """Whether texts are routed at all (several languages that the identifier knows)."""
        return self._ident is not None

    def models_for(self, text: str) -> tuple[int, ...]:
        """Indexes of the models that see ``text``: its language's, and the unrouted ones."""
        if self._ident is None:
            return tuple(range(len(self._languages)))
        language = self._ident.classify(text)[0]
        return tuple(
            i for i, lang in enumerate(self._languages) if lang == language or i in self._everywhere
        )
