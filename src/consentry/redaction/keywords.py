"""Secrets named by a key word, in the syntaxes code, configs, commands and headers use.

SPEC §4: "passwords in URLs and connection strings, high-entropy tokens next to
key words". One RE2 pattern finds a key word inside an identifier followed by an
assignment, comparison, call or element in any common syntax (``x = "…"``,
``x := "…"``, ``x :::= "…"``, ``x ?= …``, ``"x": "…"``, ``x => '…'``, ``<x>…</x>``,
``x="…"`` attributes, ``setProperty("x", "…")``, ``x("…")``, ``x[] = "…"``,
``--x=…``, ``export X=…``, ``if (x == "…")``, ``$x['key'] = …``, prose's
``the password is …``); a second finds the reversed comparison ``"…" == x``.
Commands, flags, headers and name-value lists are :mod:`.commands`'. The
validators here find the key word's identifier and what it names; :mod:`.keyvalues`
reads the value after (or before) the match, at most :data:`MAX_VALUE` bytes, so the
scan stays linear, and judges it.

What counts as a secret depends on the key word:

* password-like key words (``password``, ``passwd``, ``pwd``, ``pass``,
  ``secret``, ``credentials``, ``api_key``, ``private_key``, ...): any literal
  value that is not a placeholder, a template or a reference to something else;
* token-like key words (``token``, ``key``, ``auth``, ``signature``, ...): only a
  value that looks generated (:func:`looks_generated`).

An identifier that names something other than the secret (``password_hint``,
``token_url``, ``credentialsId``, ``secret_name``) is not a key word, and a value
on the next line is not a value.
"""

from __future__ import annotations

import re

from . import codevalues, pattern_shapes
from .detector import PatternDetector, compile_pattern
from .keynames import _KEY_BOUNDARY as _KEY_BOUNDARY
from .keynames import _NOT_SECRET_SUFFIXES as _NOT_SECRET_SUFFIXES
from .keynames import _PASSWORD_WORDS as _PASSWORD_WORDS
from .keynames import _STRONG as _STRONG
from .keynames import _WEAK as _WEAK
from .keynames import RANK as RANK
from .keynames import _identifier_kind as _identifier_kind
from .keynames import _is_alnum as _is_alnum

# Re-exported (``X as X``): commands.py and the tests import these from here.
from .keyvalues import _PLACEHOLDER_VALUES as _PLACEHOLDER_VALUES
from .keyvalues import _PLACEHOLDER_WORDS as _PLACEHOLDER_WORDS
from .keyvalues import _QUOTES, _REFERENCE_WORDS, config_literal
from .keyvalues import _TEMPLATE as _TEMPLATE
from .keyvalues import MAX_QUOTED as MAX_QUOTED
from .keyvalues import MAX_VALUE as MAX_VALUE
from .keyvalues import _decide as _decide
from .keyvalues import _read_value as _read_value
from .keyvalues import env_assignment as _env_assignment
from .keyvalues import extend_value as extend_value
from .keyvalues import is_placeholder as is_placeholder
from .keyvalues import is_reference as is_reference
from .keyvalues import looks_generated as looks_generated
from .model import PASSWORD, SECRET
from .spacedkeys import DETECTOR as SPACED_DETECTOR
from .spacedkeys import _glued as _glued
from .spacedkeys import _spaced as _spaced

_IDENT = r"[A-Za-z0-9_.-]{0,40}"
# ``:::=`` and ``::=``: GNU make 4.4's and POSIX make's assignments (``TOKEN :::= "…"``);
# ``.=``: PHP's and Perl's appending assignment (``$token .= "…"``)
_OPERATOR = r"(?:===|!==|==|!=|:::=|::=|:=|\?=|\+=|\.=|=>|=|:|>|\(|,)"
# a prompt's current value shown before its colon: ``AWS Secret Access Key [None]: …``,
# ``[****************MPLE]`` (``aws configure``)
_PROMPT_DEFAULT = re.compile(rb"\[(?:None|\*{1,40}[A-Za-z0-9]{0,4})\]")
# an XML element's attributes before its '>' (``<Pass encoding="base64">…</Pass>``)
_ATTRIBUTES = (
    r"(?:[ \t]{1,3}[A-Za-z_:][A-Za-z0-9_:.-]{0,30}[ \t]*=[ \t]*"
    r"(?:\"[^\"<>\r\n]{0,60}\"|'[^'<>\r\n]{0,60}'|[A-Za-z0-9_.-]{1,30})){1,3}[ \t]*>"
)


def _assignment_pattern(words: str) -> str:
    """Key word and the rest of its identifier, its closing quote, an index, an operator.

    The match starts at the key word; the validator reads the identifier's start
    (at most 40 bytes back): a leading ``[A-Za-z0-9_.-]{0,40}`` would make every
    identifier character a possible match start, and the search several times slower.
    """
    key = r"(?i)(?:" + words + ")" + _IDENT
    return (
        # a typed declaration (first: its ':' is not the operator): Go's
        # `const apiKey string = "…"`, Kotlin's `val apiKey: String = "…"`
        key + r"[ \t]*:?[ \t]{1,3}(?:string|String|str|&str|\[\]byte)[ \t]{0,3}:?=[ \t]{0,3}"
        r"|"
        + key
        + r"[\"'`]?\]?[ \t]{0,3}(?:\[(?:[0-9]{0,4}|None|\*{1,40}[A-Za-z0-9]{0,4})\][ \t]{0,3})?"
        + _OPERATOR
        + r"[ \t]{0,3}"
        r"|" + key + r"[\"'`]?[ \t]{1,3}@?[\"'`]"
        r"|" + key + r"[ \t]{1,3}(?:is|was)[ \t]{1,3}"  # prose: "the password is …"
        r"|" + key + _ATTRIBUTES
    )


_REVERSED = (
    r"[\"'`][ \t]{0,3}(?:===?|!==?)[ \t]{0,3}(?i)"
    + _IDENT
    + "(?:"
    + _STRONG
    + "|"
    + _WEAK
    + ")"
    + _IDENT
)


def _key_kind(data: bytes, key_start: int, key_end: int) -> str | None:
    """PASSWORD, SECRET or None for the identifier data[key_start:key_end]."""
    return _identifier_kind(data[key_start:key_end])


def _assignment(data: bytes, start: int, end: int, password: bool) -> tuple[str, int, int] | None:
    """(kind, start, end) of the value after ``key <operator>`` (the match), for a
    password-like key word when ``password``, for any other key word otherwise.

    The kind is checked before the value is read: an accepted bare value may extend to
    the end of its token run (:func:`extend_value`), and doing that for a key word the
    caller then drops made ``password=password=…`` quadratic."""
    key_word = start
    floor = max(0, start - 40)
    while start > floor and (data[start - 1] in _KEY_BOUNDARY or _is_alnum(data[start - 1])):
        start -= 1
    if start > 0 and (
        data[start - 1] in _KEY_BOUNDARY or _is_alnum(data[start - 1]) or data[start - 1] >= 0x80
    ):
        return None  # an identifier longer than 40 bytes, or one in another script
    key_end = key_word
    while key_end < end and (
        data[key_end] in _KEY_BOUNDARY or data[key_end : key_end + 1].isalnum()
    ):
        key_end += 1
    kind = _key_kind(data, start, key_end)
    if kind is None or (kind == PASSWORD) != password:
        return None
    tail = data[key_end:end]
    operator = _operator(tail)
    if operator == b">" and data[start - 1 : start] != b"<":
        return None  # a comparison; <key>VALUE</key> is the XML element
    value_at = end - 1 if tail and tail[-1] in _QUOTES and operator == b"" else end
    found = _read_value(data, value_at)
    if found is None:
        return None
    vstart, vend, quoted = found
    if operator in (b"(", b",") and not quoted:
        return None  # a call's argument that is a name, not a literal
    if operator == b"," and not (start > 0 and data[start - 1] in _QUOTES):
        return None  # "a, b": a list; setProperty("password", "…") quotes its key
    n = len(data)
    env = not quoted and tail == b"=" and _env_assignment(data, start, key_end)
    if env:  # a shell word: ``)``, ``=``, ``#`` inside it are the value's
        vend = _shell_word_end(data, vstart, vend, min(n, value_at + MAX_VALUE))
    value = data[vstart:vend]
    after = (
        (data[vend + 1] if vend + 1 < n else 0x20) if quoted else (data[vend] if vend < n else 0x20)
    )
    literal = env or (
        not quoted
        and (
            config_literal(data, start, tail, vstart, vend)
            or plain_literal(data, start, key_end, tail, value, vend)
        )
    )
    if not _decide(kind, value, quoted, after, literal):
        default = None if quoted else _fallback(data, vend)
        if default is None:
            return None
        after = data[default[1] + 1] if default[1] + 1 < n else 0x20
        if not _decide(kind, data[default[0] : default[1]], True, after, False):
            return None
        return kind, default[0], default[1]
    return kind, vstart, extend_value(data, vend, quoted, min(n, value_at + MAX_VALUE))


def _operator(tail: bytes) -> bytes:
    """The match's operator: ``>`` after an XML element's attributes, else the tail past a
    prompt's current value (``[None]``) without quotes, an index's brackets and spaces."""
    if _attributes(tail):
        return b">"
    prompt = _PROMPT_DEFAULT.search(tail)
    return (tail[prompt.end() :] if prompt else tail).strip(b"\"'`[]0123456789 \t@")


def _attributes(tail: bytes) -> bool:
    """``tail`` is an XML element's attributes and its '>' (the pattern's last form): white
    space, a name's first letter, an ``=`` in it, a '>' at its end."""
    rest = tail.lstrip(b" \t")
    return (
        len(rest) < len(tail)
        and (rest[:1].isalpha() or rest[:1] in (b"_", b":"))
        and b"=" in rest
        and tail[-1:] == b">"
    )


def plain_literal(
    data: bytes, start: int, key_end: int, tail: bytes, value: bytes, vend: int
) -> bool:
    """``key=value`` alone on its line (indented or not) with no space around ``=``, a
    properties file's or a shell's assignment, or ``<key>value</key>``, an XML element's
    text (attributes and spaces around the text allowed): the bare value is a literal,
    not a name (``password=hunter``, ``<pwd>hunter</pwd>``, ``<Pass enc="x"> hunter </Pass>``).
    Not a dotted or called name (``password=args.password``, ``pwd=getpass()``) nor a
    constant's or variable's name in one case with ``_`` (``password=DB_PASSWORD``), and
    the key not an attribute (``cfg.password=hunter``): code."""
    if b"." in value or b"(" in value:
        return False
    if (
        b"_" in value
        and (value.isupper() or value.islower())
        and value.replace(b"_", b"").isalnum()
    ):
        return False
    if tail.rstrip(b" \t") == b">" or _attributes(tail):  # the caller checked the '<'
        close = vend
        while close < vend + 3 and data[close : close + 1] in (b" ", b"\t"):
            close += 1
        return data[close : close + 2] == b"</"
    if tail != b"=" or b"." in data[start:key_end]:
        return False
    if vend < len(data) and data[vend] not in b"\r\n":
        return False
    line = start
    while line > 0 and data[line - 1] in b" \t":
        line -= 1
    return line == 0 or data[line - 1] == 0x0A


def _shell_word_end(data: bytes, vstart: int, vend: int, limit: int) -> int:
    """Where an env file's or a shell's bare value read up to ``vend`` ends: at white space,
    ``;``, ``|``, ``&&`` or a quote; a closer, ``=`` or ``#`` inside it is the value's
    (``SECRET_KEY=r&lv…)=x-!=0y…``, ``DB_PASSWORD=Hq8)z2``), a trailing ``,.:`` is not."""
    while vend < limit and data[vend] not in _SHELL_WORD_END and data[vend : vend + 2] != b"&&":
        vend += 1
    while vend > vstart and data[vend - 1] in b",.:":
        vend -= 1
    return vend


_SHELL_WORD_END = frozenset(b" \t\r\n;|`\"'")
_FALLBACKS = (b"||", b"??", b"or ")


def _fallback(data: bytes, pos: int) -> tuple[int, int] | None:
    """The quoted literal after ``||``, ``??`` or ``or`` at ``pos``: the default a
    reference falls back to (``process.env.API_TOKEN || 'Zq81…'``), a literal in the code."""
    n = len(data)
    while pos < n and data[pos] in b" \t":
        pos += 1
    op = next((o for o in _FALLBACKS if data.startswith(o, pos)), None)
    if op is None:
        return None
    pos += len(op)
    while pos < n and data[pos] in b" \t":
        pos += 1
    if pos >= n or data[pos] not in _QUOTES:
        return None
    close = data.find(data[pos : pos + 1], pos + 1, min(n, pos + 1 + MAX_QUOTED))
    if close < 0 or b"\n" in data[pos + 1 : close]:
        return None
    return pos + 1, close


def _password_assignment(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A password after a password-like key word."""
    found = _assignment(data, start, end, password=True)
    return (found[1], found[2]) if found is not None else None


def _secret_assignment(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A secret after any other key word (passwords are the detector above's)."""
    found = _assignment(data, start, end, password=False)
    return (found[1], found[2]) if found is not None else None


def _reversed(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``"VALUE" == password``: the quoted value before the comparison."""
    quote = data[start]
    open_at = data.rfind(bytes([quote]), max(0, start - MAX_VALUE), start)
    if open_at < 0 or b"\n" in data[open_at:start]:
        return None
    key_start = end
    while key_start > start and (
        data[key_start - 1] in _KEY_BOUNDARY or data[key_start - 1 : key_start].isalnum()
    ):
        key_start -= 1
    kind = _key_kind(data, key_start, end)
    if kind is None:
        return None
    value = data[open_at + 1 : start]
    return (open_at + 1, start) if _decide(kind, value, True, 0x20) else None


def _alternation(words: tuple[bytes, ...] | frozenset[bytes]) -> bytes:
    return b"(?:" + b"|".join(re.escape(w) for w in sorted(words)) + b")"


# The tables of _assignment as RE2 patterns (Latin-1) for its C++ port, the gate of
# _password_assignment and _secret_assignment in _native.cpp (native._GATES), in
# this order: identifier suffixes that name something else (whole word), stand-in
# values (whole value), templates (whole value), reference words and placeholder
# words (anywhere in the lower-cased value); then MAX_VALUE and MAX_QUOTED; then the
# bytes a template can start with (256 flags read off _TEMPLATE, b"" where not known);
# then codevalues.NATIVE_PATTERNS (a member path, a version, a public client token, a
# constant's name).
NATIVE_GATE_PATTERNS = (
    _alternation(tuple(w.encode() for w in _NOT_SECRET_SUFFIXES)),
    _alternation(_PLACEHOLDER_VALUES),
    _TEMPLATE.pattern,
    _alternation(_REFERENCE_WORDS),
    _alternation(_PLACEHOLDER_WORDS),
    str(MAX_VALUE).encode(),
    str(MAX_QUOTED).encode(),
    pattern_shapes.first_bytes(_TEMPLATE.pattern) or b"",
    *codevalues.NATIVE_PATTERNS,
)

DETECTORS = (
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_assignment_pattern(_PASSWORD_WORDS)),
        _password_assignment,
        prefilter="(?i)" + _PASSWORD_WORDS,
    ),
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_assignment_pattern(_STRONG + "|" + _WEAK)),
        _secret_assignment,
        prefilter="(?i)" + _STRONG + "|" + _WEAK,
    ),
    SPACED_DETECTOR,
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_REVERSED),
        _reversed,
        triggers=(b"==", b"!="),
        prefilter=r"==|!=",
    ),
)
