"""What an export holds, counted for the public training-content summary (docs/rules.md P7, P8).

The EU AI Act's Article 53(1)(d) summary of a run (:mod:`consentry.export.ai_act`) states
where the content came from, its time span, its size and its languages. Those numbers
are counted here, from the rows the export writes, into the ``content`` entry of
``manifest.json``:

* ``sources``: per (surface, kind), the sessions, messages and characters exported;
* ``sessions``, ``messages``, ``characters``: the totals (characters are Unicode code
  points of the filtered text, as written to the shards);
* ``earliest`` and ``latest``: the first and last message instant exported (the run's
  cutoff is the manifest's own ``cutoff``);
* ``languages``: per language, the sessions and characters of a uniform sample of at
  most :data:`LANGUAGE_SESSIONS` sessions (all of them when fewer): those whose SHA-256
  of the session pseudonym is smallest (a bottom-k sample, the same for every reader of
  the same rows). A session's language is the one ``py3langid`` (bundled model, nothing
  downloaded) identifies in its first :data:`SAMPLE_CHARS` characters, or ``und`` when
  the sample has fewer than :data:`MIN_LETTERS` letters. ``language_sample`` says how
  many sessions were identified and how many characters they hold;
* ``identifier``: the library, its version and the two constants above, so a reader
  (and the audit) knows how the languages were counted.

:class:`ContentTally` is fed rows in export order (a session's messages together); the
exporter feeds it as it writes, the audit and the Spark job feed it from the shards
they read back, and the same rows give the same dict.
"""

from __future__ import annotations

import hashlib
import heapq
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from consentry.export.formats import iso_utc, shard_columns

SAMPLE_CHARS = 500
"""A session's language is identified from its first 500 characters (all roles): enough
for the model, and the cost per session stays near its fixed part
(benchmarks/export/content_tally.py, docs/ai_act.md)."""
LANGUAGE_SESSIONS = 10_000
"""At most this many sessions are identified (about 7 s of CPU at 0.67 ms each), so the
count's cost does not grow with the export; shares from 10,000 sessions are within about
one percentage point."""
MIN_LETTERS = 20
"""Fewer letters than this in the sample: language ``und`` (undetermined, ISO 639-2)."""
UNDETERMINED = "und"
CONTENT_VERSION = 1


def _py3langid() -> Callable[[str], str]:
    import py3langid  # loads its bundled model on first use

    return lambda text: str(py3langid.classify(text)[0])


@dataclass
class _Source:
    sessions: int = 0
    messages: int = 0
    characters: int = 0


@dataclass
class ContentTally:
    """Counts exported message rows; :meth:`result` is the manifest's ``content``."""

    identify: Callable[[str], str] = field(default_factory=_py3langid)
    language_sessions: int = LANGUAGE_SESSIONS
    _sources: dict[tuple[str, str], _Source] = field(default_factory=dict)
    _kept: list[tuple[int, str, str, int]] = field(default_factory=list)
    _earliest: Any = None
    _latest: Any = None
    _session: str | None = None
    _sample: list[str] = field(default_factory=list)
    _sample_len: int = 0
    _session_chars: int = 0

    def add(self, *, session: str, kind: str, surface: str, text: str, at: datetime | str) -> None:
        """One exported message; rows of one session must arrive together.

        ``at`` is a datetime (store, Parquet) or its :func:`iso_utc` text (JSON Lines),
        the same kind for every row of one tally: that fixed-width text orders like the
        instants, and :meth:`result` writes both in that form.
        """
        source = self._sources.setdefault((surface, kind), _Source())
        if session != self._session:
            self._close_session()
            self._session = session
            source.sessions += 1
        source.messages += 1
        source.characters += len(text)
        self._session_chars += len(text)
        if self._sample_len < SAMPLE_CHARS:
            piece = text[: SAMPLE_CHARS - self._sample_len]
            self._sample.append(piece)
            self._sample_len += len(piece) + 1
        if self._earliest is None or at < self._earliest:
            self._earliest = at
        if self._latest is None or at > self._latest:
            self._latest = at

    def _close_session(self) -> None:
        """Keep the session's sample if its rank is among the smallest seen (bottom-k)."""
        if self._session is None:
            return
        digest = hashlib.sha256(self._session.encode()).digest()
        rank = -int.from_bytes(digest[:8], "big")  # a max-heap of the smallest ranks
        item = (rank, self._session, "\n".join(self._sample), self._session_chars)
        if len(self._kept) < self.language_sessions:
            heapq.heappush(self._kept, item)
        elif item > self._kept[0]:
            heapq.heapreplace(self._kept, item)
        self._session, self._sample, self._sample_len, self._session_chars = None, [], 0, 0

    def _languages(self) -> dict[str, _Source]:
        languages: dict[str, _Source] = {}
        for _, _, sample, characters in sorted(self._kept):
            letters = sum(1 for ch in sample if ch.isalpha())
            language = self.identify(sample) if letters >= MIN_LETTERS else UNDETERMINED
            entry = languages.setdefault(language, _Source())
            entry.sessions += 1
            entry.characters += characters
        return languages

    def result(self) -> dict[str, Any]:
        """The ``content`` entry (call once, after the last row)."""
        self._close_session()
        sources = [
            {"surface": surface, "kind": kind, **_numbers(s)}
            for (surface, kind), s in sorted(self._sources.items())
        ]
        languages = [
            {"language": code, "sessions": s.sessions, "characters": s.characters}
            for code, s in sorted(
                self._languages().items(), key=lambda kv: (-kv[1].characters, kv[0])
            )
        ]
        return {
            "version": CONTENT_VERSION,
            "sources": sources,
            "sessions": sum(s.sessions for s in self._sources.values()),
            "messages": sum(s.messages for s in self._sources.values()),
            "characters": sum(s.characters for s in self._sources.values()),
            "earliest": _stamp(self._earliest),
            "latest": _stamp(self._latest),
            "languages": languages,
            "language_sample": {
                "sessions": len(self._kept),
                "characters": sum(item[3] for item in self._kept),
            },
            "identifier": identifier(self.language_sessions),
        }


def identifier(max_sessions: int = LANGUAGE_SESSIONS) -> dict[str, Any]:
    """How languages are counted: library and version, sample size, minimum letters."""
    return {
        "library": "py3langid",
        "version": importlib.metadata.version("py3langid"),
        "unit": "session",
        "sample_chars": SAMPLE_CHARS,
        "min_letters": MIN_LETTERS,
        "max_sessions": max_sessions,
        "sample": "bottom-k by SHA-256 of the session pseudonym",
    }


def _stamp(instant: datetime | str | None) -> str | None:
    """A datetime (store, Parquet) in the :func:`iso_utc` form; JSON Lines already is."""
    return instant if instant is None or isinstance(instant, str) else iso_utc(instant)


def _numbers(source: _Source) -> dict[str, int]:
    return {
        "sessions": source.sessions,
        "messages": source.messages,
        "characters": source.characters,
    }


def content_of_shards(root: Path, shards: list[str], fmt: str) -> dict[str, Any]:
    """The ``content`` entry recounted from the message shards an export wrote, in their
    listed order (the audit's re-proof, and the Spark job's count)."""
    tally = ContentTally()
    for name in shards:
        if not name.startswith("messages-"):
            continue
        for session, kind, surface, text, at in shard_columns(root / name, fmt, _COLUMNS):
            tally.add(session=session, kind=kind, surface=surface, text=text, at=at)
    return tally.result()


_COLUMNS = ("session", "kind", "surface", "text", "at")
