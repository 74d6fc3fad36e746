"""Escaped characters decoded before the scan (issue 16, SPEC §4 "never fail open").

Logs, URLs, JSON and HTML carry values with some characters escaped:
``email=jane%40example.com``, ``"jane\\u0040example.com"``, ``jane&#64;example.com``,
``tel=%2B14155552671``, ``api_key%3DKx8…``. The detectors read the characters, so an
escaped ``@``, ``+``, ``=`` or space hid the value. :func:`unescape` decodes the escapes
of printable ASCII characters, in one pass and once (``%2540`` stays ``%40``), and keeps
a map back to the original offsets, so that a finding covers the escape sequences it came
from (``[EMAIL]`` replaces ``jane%40example.com`` whole). Decoded are

* URL percent-escapes ``%20``…``%7E``;
* HTML numeric references ``&#64;``, ``&#x40;`` and the named ones of punctuation
  (``&commat;``, ``&period;``, ``&plus;``, ``&colon;``, ``&sol;``, ``&equals;``…),
  ``&nbsp;`` as a space;
* JSON, JavaScript and Python escapes ``\\u0040`` and ``\\x40``, and escaped quotes
  ``\\"`` and ``\\'`` in a text holding an escaped JSON key: JSON inside a string literal
  (``"{\\"password\\": \\"…\\"}"``) is read as JSON (an escaped backslash before a quote,
  ``\\\\"``, is left as it is).

Other characters' escapes stay as they are (a decoded letter outside ASCII is the Unicode
folding's to read, a control character nobody's). Linear time: one regular-expression pass.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Protocol

_ESCAPE = re.compile(
    r"%([2-7][0-9A-Fa-f])"
    r"|&#(?:[xX]0*([2-7][0-9A-Fa-f])|0*([3-9][0-9]|1[01][0-9]|12[0-6]));"
    r"|&([A-Za-z]{2,8});"
    r"|\\(?:u00([2-7][0-9A-Fa-f])|x([2-7][0-9A-Fa-f]))"
    r"|\\([\"'])|(\\\\)(?=[\"'])"
)
_NAMED = {
    "commat": "@", "period": ".", "plus": "+", "colon": ":", "sol": "/", "equals": "=",
    "lowbar": "_", "hyphen": "-", "dash": "-", "num": "#", "dollar": "$", "percnt": "%",
    "excl": "!", "quest": "?", "ast": "*", "comma": ",", "semi": ";", "apos": "'",
    "quot": '"', "amp": "&", "lt": "<", "gt": ">", "nbsp": " ", "tilde": "~",
}  # fmt: skip
# An escaped JSON key (``\"client_secret\":``): JSON written inside a string literal. Only
# a text holding one has its escaped quotes decoded (an e-mail address's quoted local part
# may hold ``\"`` too).
_ESCAPED_KEY = re.compile(r"\\[\"'][A-Za-z0-9_.-]{1,60}\\[\"'][ \t]*:")
# Cheap test before the pattern: every escape holds one of these characters.
_MARKERS = ("%", "&", "\\")


@dataclass(frozen=True, slots=True)
class Unescaped:
    """Decoded text and the map from its offsets back to the original's.

    One entry per decoded escape: where its character stands in the decoded text, and
    where the escape starts and ends in the original."""

    text: str
    _at: tuple[int, ...]
    _origin_starts: tuple[int, ...]
    _origin_ends: tuple[int, ...]

    def start(self, offset: int) -> int:
        """The original offset of a finding that starts at ``offset`` in the decoded text."""
        i = bisect.bisect_left(self._at, offset)
        if i < len(self._at) and self._at[i] == offset:
            return self._origin_starts[i]
        return offset if i == 0 else self._origin_ends[i - 1] + (offset - self._at[i - 1] - 1)

    def end(self, offset: int) -> int:
        """The original offset of a finding that ends at ``offset`` in the decoded text."""
        i = bisect.bisect_left(self._at, offset)  # escapes wholly before the offset
        return offset if i == 0 else self._origin_ends[i - 1] + (offset - self._at[i - 1] - 1)


def _decoded(match: re.Match[str], json_quotes: bool) -> str | None:
    if match.group(7) is not None or match.group(8) is not None:
        # an escaped quote, in a text holding an escaped JSON key; an escaped backslash
        # before a quote stays as it is
        return match.group(7) if json_quotes else None
    hex_code = match.group(1) or match.group(2) or match.group(5) or match.group(6)
    if hex_code is not None:
        char = chr(int(hex_code, 16))
    elif match.group(3) is not None:
        char = chr(int(match.group(3)))
    else:
        return _NAMED.get(match.group(4))
    return char if " " <= char <= "~" else None


def unescape(text: str) -> Unescaped | None:
    """The decoded text and its offset map, or None when nothing is escaped."""
    if not any(marker in text for marker in _MARKERS):
        return None
    pieces: list[str] = []
    at: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    length = 0
    json_quotes = _ESCAPED_KEY.search(text) is not None
    for match in _ESCAPE.finditer(text):
        char = _decoded(match, json_quotes)
        if char is None:
            continue
        pieces.append(text[pos : match.start()])
        length += match.start() - pos
        at.append(length)
        starts.append(match.start())
        ends.append(match.end())
        pieces.append(char)
        length += 1
        pos = match.end()
    if not at:
        return None
    pieces.append(text[pos:])
    return Unescaped("".join(pieces), tuple(at), tuple(starts), tuple(ends))


class TextMap(Protocol):
    """A rewritten text and the map of its offsets back to the original's."""

    @property
    def text(self) -> str: ...  # pragma: no cover - a protocol

    def start(self, offset: int) -> int: ...  # pragma: no cover - a protocol

    def end(self, offset: int) -> int: ...  # pragma: no cover - a protocol


@dataclass(frozen=True, slots=True)
class Chained:
    """``inner`` rewrote the text ``outer`` made: offsets map back through both."""

    outer: TextMap
    inner: TextMap

    @property
    def text(self) -> str:
        """The text after both rewrites."""
        return self.inner.text

    def start(self, offset: int) -> int:
        """The original offset of a finding that starts at ``offset``."""
        return self.outer.start(self.inner.start(offset))

    def end(self, offset: int) -> int:
        """The original offset of a finding that ends at ``offset``."""
        return self.outer.end(self.inner.end(offset))
