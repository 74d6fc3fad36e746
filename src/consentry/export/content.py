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
* ``languages``: per language, the sessions and characters; a session's language is
  the one ``py3langid`` (bundled model, nothing downloaded) identifies in its first
  :data:`SAMPLE_CHARS` characters, or ``und`` when the sample has fewer than
  :data:`MIN_LETTERS` letters;
* ``identifier``: the library, its version and the two constants above, so a reader
  (and the audit) knows how the languages were counted.

:class:`ContentTally` is fed rows in export order (a session's messages together); the
exporter feeds it as it writes, the audit and the Spark job feed it from the shards
they read back, and the same rows give the same dict.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from consentry.export.formats import iso_utc

SAMPLE_CHARS = 500
"""A session's language is identified from its first 500 characters (all roles): enough
for the model, and the cost per session stays near its fixed part
(benchmarks/export/content_tally.py, docs/ai_act.md)."""
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
    _sources: dict[tuple[str, str], _Source] = field(default_factory=dict)
    _languages: dict[str, _Source] = field(default_factory=dict)
    _earliest: str | None = None
    _latest: str | None = None
    _session: str | None = None
    _sample: list[str] = field(default_factory=list)
    _sample_len: int = 0
    _session_chars: int = 0

    def add(self, *, session: str, kind: str, surface: str, text: str, at: datetime | str) -> None:
        """One exported message; rows of one session must arrive together.

        ``at`` is a datetime (store, Parquet) or its :func:`iso_utc` text (JSON Lines):
        that fixed-width form orders like the instants, so both compare alike.
        """
        stamp = at if isinstance(at, str) else iso_utc(at)
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
        if self._earliest is None or stamp < self._earliest:
            self._earliest = stamp
        if self._latest is None or stamp > self._latest:
            self._latest = stamp

    def _close_session(self) -> None:
        if self._session is None:
            return
        sample = "\n".join(self._sample)
        letters = sum(1 for ch in sample if ch.isalpha())
        language = self.identify(sample) if letters >= MIN_LETTERS else UNDETERMINED
        entry = self._languages.setdefault(language, _Source())
        entry.sessions += 1
        entry.characters += self._session_chars
        self._session, self._sample, self._sample_len, self._session_chars = None, [], 0, 0

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
                self._languages.items(), key=lambda kv: (-kv[1].characters, kv[0])
            )
        ]
        return {
            "version": CONTENT_VERSION,
            "sources": sources,
            "sessions": sum(s.sessions for s in self._sources.values()),
            "messages": sum(s.messages for s in self._sources.values()),
            "characters": sum(s.characters for s in self._sources.values()),
            "earliest": self._earliest,
            "latest": self._latest,
            "languages": languages,
            "identifier": identifier(),
        }


def identifier() -> dict[str, Any]:
    """How languages are counted: library and version, sample size, minimum letters."""
    return {
        "library": "py3langid",
        "version": importlib.metadata.version("py3langid"),
        "unit": "session",
        "sample_chars": SAMPLE_CHARS,
        "min_letters": MIN_LETTERS,
    }


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
        for session, kind, surface, text, at in _message_columns(root / name, fmt):
            tally.add(session=session, kind=kind, surface=surface, text=text, at=at)
    return tally.result()


_COLUMNS = ("session", "kind", "surface", "text", "at")


def _message_columns(path: Path, fmt: str) -> Iterator[tuple[Any, ...]]:
    if fmt == "parquet":
        import pyarrow.parquet as pq

        with pq.ParquetFile(path) as shard:
            for batch in shard.iter_batches(columns=list(_COLUMNS)):
                yield from zip(*(batch.column(n).to_pylist() for n in _COLUMNS), strict=True)
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            yield tuple(row[n] for n in _COLUMNS)
