"""The optional NER stage port, and a gazetteer implementation of it.

The core filter finds structured identifiers; names and street addresses need
a model or a list. A :class:`NerStage` is anything with ``find(text)`` returning
:class:`Finding` objects in str offsets of ``text``. consentry ships no model and
downloads nothing; plug one in with ``Redactor(ner=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

import re2

from .model import PERSON, Finding


@runtime_checkable
class NerStage(Protocol):
    """Finds free-text entities (names, street addresses) the patterns cannot."""

    def find(self, text: str) -> list[Finding]:
        """Findings in ``text``; offsets are str indices into ``text``."""
        ...


class GazetteerNer:
    """Finds whole-word occurrences of a given list of names (or addresses).

    Matching is one RE2 alternation (longest entry first), so it is linear in the
    text; a hit counts only when the characters on both sides are not letters or
    digits (Unicode-aware, so ``José`` and ``Zoë`` work).
    """

    def __init__(
        self,
        entries: Iterable[str],
        entity_type: str = PERSON,
        *,
        case_sensitive: bool = False,
    ) -> None:
        unique = sorted({e.strip() for e in entries if e.strip()}, key=lambda e: (-len(e), e))
        if not unique:
            raise ValueError("a gazetteer needs at least one entry")
        options = re2.Options()
        options.case_sensitive = case_sensitive
        options.max_mem = 256 << 20
        self._regex = re2.compile("|".join(re2.escape(e) for e in unique), options)
        self._type = entity_type

    def find(self, text: str) -> list[Finding]:
        """Whole-word gazetteer hits in ``text``."""
        found = []
        for match in self._regex.finditer(text):
            start, end = match.span()
            if start > 0 and text[start - 1].isalnum():
                continue
            if end < len(text) and text[end].isalnum():
                continue
            found.append(Finding(self._type, start, end))
        return found
