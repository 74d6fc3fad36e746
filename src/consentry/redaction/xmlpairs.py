"""Secrets in XML name-value lists: ``<key>NAME</key>`` then ``<value>VALUE</value>``, and
Android's string resources, ``<string name="NAME">VALUE</string>``.

SPEC §4: "passwords ... next to key words". Java properties in XML, Spring and plist-like
configs list settings as entries of a key element and a value element, the value on the
same or the next line (``<entry><key>db.password</key>\\n<value>…</value></entry>``).
The key names the value as an assignment's identifier does (:func:`keywords._identifier_kind`:
``password`` for a password, a strong key word for any literal, ``token`` or ``key`` for
a value that looks generated); the element's text is a literal. The pattern runs only
where ``</key>`` occurs (its trigger), so other text pays a ``memchr``.

An element named like a secret (``<flickrToken>``, ``<db:password>``) whose text is
alone on the line between its opening and closing tags is read the same way: the
key-word assignments read a value on the tag's own line only.

Android apps keep keys in ``res/values/*.xml`` as string resources whose ``name``
attribute names the value (``<string name="maps_api_key">…</string>``). The name is read
as an identifier is, but string resources are mostly the app's UI text (``<string
name="password_hint">``, ``name="enter_password">Password</string>``): a value holding
white space is text, and a bare word is judged as a bare value after a key word is (a
name unless it looks generated), so only literals that look like secrets count.
"""

from __future__ import annotations

import re

from .detector import PatternDetector, compile_pattern
from .keyvalues import MAX_VALUE, _decide
from .keywords import RANK, _identifier_kind
from .model import PASSWORD, SECRET

_PAIR = r"<key>[ \t]*[A-Za-z0-9_.-]{1,60}[ \t]*</key>[ \t]*\r?\n?[ \t]*<value>"
_NAME = re.compile(rb"<key>[ \t]*([A-Za-z0-9_.-]{1,60})")
# <string name="NAME" (other attributes: translatable="false", tools:ignore="…")>
_STRING = (
    r"<string[ \t]+name[ \t]*=[ \t]*\"[A-Za-z0-9_.]{1,60}\""
    r"(?:[ \t]+[A-Za-z_:.-]{1,40}[ \t]*=[ \t]*\"[^\"<>\r\n]{0,60}\")*[ \t]*>"
)
_STRING_NAME = re.compile(rb'<string[ \t]+name[ \t]*=[ \t]*"([A-Za-z0-9_.]{1,60})"')
# <flickrToken>, the value alone on the next line, then </flickrToken> on its own line
_TAG = r"[A-Za-z_][A-Za-z0-9_.:-]{0,59}"
_ELEMENT = r"<" + _TAG + r">[ \t]*\r?\n[ \t]*[^\s<>]{1,200}[ \t]*\r?\n[ \t]*</" + _TAG + r">"


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


def _string_resource(data: bytes, start: int, end: int, password: bool) -> tuple[int, int] | None:
    """The text of a ``<string>`` resource whose name names a secret, when it is one."""
    name = _STRING_NAME.match(data, start)
    kind = _identifier_kind(name.group(1)) if name else None
    if kind is None or (kind == PASSWORD) != password:
        return None
    close = data.find(b"</string>", end, min(len(data), end + MAX_VALUE))
    value = data[end:close].strip(b" \t")
    if close < 0 or not value or any(b in value for b in b"<\r\n \t"):
        return None  # markup, more lines or words: the app's text
    vstart = data.index(value, end)
    return (vstart, vstart + len(value)) if _decide(kind, value, False, 0x3C) else None


def _element(data: bytes, start: int, end: int, password: bool) -> tuple[int, int] | None:
    """The text of an element named like a secret, alone on the line between its tags."""
    name_end = data.index(b">", start)
    name = data[start + 1 : name_end]
    if data[end - len(name) - 1 : end - 1] != name or data[end - len(name) - 3] != 0x3C:
        return None  # <a>…</b>: not one element
    kind = _identifier_kind(name.rsplit(b":", 1)[-1])
    if kind is None or (kind == PASSWORD) != password:
        return None
    value = data[name_end + 1 : end - len(name) - 3].strip()
    vstart = data.index(value, name_end + 1)
    return (vstart, vstart + len(value)) if _decide(kind, value, False, 0x3C) else None


def _password_element(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    return _element(data, start, end, password=True)


def _secret_element(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    return _element(data, start, end, password=False)


def _password_string(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    return _string_resource(data, start, end, password=True)


def _secret_string(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    return _string_resource(data, start, end, password=False)


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
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_STRING),
        _password_string,
        triggers=(b"<string",),
    ),
    PatternDetector(
        SECRET, RANK[SECRET], compile_pattern(_STRING), _secret_string, triggers=(b"<string",)
    ),
    PatternDetector(
        PASSWORD, RANK[PASSWORD], compile_pattern(_ELEMENT), _password_element, triggers=(b"</",)
    ),
    PatternDetector(
        SECRET, RANK[SECRET], compile_pattern(_ELEMENT), _secret_element, triggers=(b"</",)
    ),
)
