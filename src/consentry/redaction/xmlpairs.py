"""Secrets in XML name-value lists: ``<key>NAME</key>`` then ``<value>VALUE</value>``.

SPEC §4: "passwords ... next to key words". Java properties in XML, Spring and plist-like
configs list settings as entries of a key element and a value element, the value on the
same or the next line (``<entry><key>db.password</key>\\n<value>…</value></entry>``).
The key names the value as an assignment's identifier does (:func:`keywords._identifier_kind`:
``password`` for a password, a strong key word for any literal, ``token`` or ``key`` for
a value that looks generated); the element's text is a literal. The pattern runs only
where ``</key>`` occurs (its trigger), so other text pays a ``memchr``.
"""

from __future__ import annotations

import re

from .detector import PatternDetector, compile_pattern
from .keyvalues import MAX_VALUE, _decide
from .keywords import RANK, _identifier_kind
from .model import PASSWORD, SECRET

_PAIR = r"<key>[ \t]*[A-Za-z0-9_.-]{1,60}[ \t]*</key>[ \t]*\r?\n?[ \t]*<value>"
_NAME = re.compile(rb"<key>[ \t]*([A-Za-z0-9_.-]{1,60})")


def _pair(data: bytes, start: int, end: int, password: bool) -> tuple[int, int] | None:
    """The text of the ``<value>`` element after a key that names a secret, or None."""
    name = _NAME.match(data, start)
    kind = _identifier_kind(name.group(1)) if name else None
    if kind is None or (kind == PASSWORD) != password:
        return None
    close = data.find(b"</value>", end, min(len(data), end + MAX_VALUE))
    if close < 0 or b"<" in data[end:close] or b"\n" in data[end:close]:
        return None
    vstart, vend = end, close
    while vstart < vend and data[vstart] in b" \t":
        vstart += 1
    while vend > vstart and data[vend - 1] in b" \t":
        vend -= 1
    value = data[vstart:vend]
    return (vstart, vend) if value and _decide(kind, value, True, 0x3C) else None


def _password_pair(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    return _pair(data, start, end, password=True)


def _secret_pair(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    return _pair(data, start, end, password=False)


DETECTORS = (
    PatternDetector(
        PASSWORD, RANK[PASSWORD], compile_pattern(_PAIR), _password_pair, triggers=(b"</key>",)
    ),
    PatternDetector(
        SECRET, RANK[SECRET], compile_pattern(_PAIR), _secret_pair, triggers=(b"</key>",)
    ),
)
