"""Secrets named by a key word, in the syntaxes code, configs, commands and headers use.

SPEC §4: "passwords in URLs and connection strings, high-entropy tokens next to
key words". One RE2 pattern finds a key word inside an identifier followed by an
assignment, comparison, call or element in any common syntax (``x = "…"``,
``x := "…"``, ``x ?= …``, ``"x": "…"``, ``x => '…'``, ``<x>…</x>``,
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

import functools
import re

from . import pattern_shapes
from .detector import PatternDetector, compile_pattern

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

RANK = {PASSWORD: 30, SECRET: 31}

_PASSWORD_WORDS = "password|passwd|passwort|passphrase|passcode|pwd|pass"  # noqa: S105
_STRONG = (
    _PASSWORD_WORDS + "|secret|credential|apikey|api_key|api-key|privatekey|private_key"
    "|private-key|accesskey|access_key|access-key|authkey|auth_key|auth-key"
)
_WEAK = "token|key|auth|bearer|signature|sig|salt|cookie|session"
_IDENT = r"[A-Za-z0-9_.-]{0,40}"
_OPERATOR = r"(?:===|!==|==|!=|::=|:=|\?=|\+=|=>|=|:|>|\(|,)"


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
        + r"[\"'`]?\]?[ \t]{0,3}(?:\[[0-9]{0,4}\][ \t]{0,3})?"
        + _OPERATOR
        + r"[ \t]{0,3}"
        r"|" + key + r"[\"'`]?[ \t]{1,3}@?[\"'`]"
        r"|" + key + r"[ \t]{1,3}(?:is|was)[ \t]{1,3}"  # prose: "the password is …"
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
# Identifiers that name something about a secret, not the secret itself.
_NOT_SECRET_SUFFIXES = (
    "id", "ids", "name", "names", "type", "types", "url", "uri", "urls", "path", "file", "dir",
    "length", "len", "size", "count", "hint", "hints", "field", "fields", "label", "prompt",
    "placeholder", "format", "policy", "expiry", "expires", "expiration", "ttl", "timeout",
    "header", "endpoint", "version", "required", "enabled", "min", "max", "regex", "pattern",
    "strength", "reset", "confirm", "confirmation", "changed", "updated", "at", "mode",
    "algorithm", "alg", "scope", "scopes", "prefix", "suffix", "template", "validator",
    "error", "errors", "message", "description", "text", "input", "button", "icon", "class",
    "style", "index", "idx", "store", "manager", "provider", "service", "client", "handler",
    "env", "var", "variable", "ref", "reference", "location", "source", "kind", "list",
    "map", "set", "params", "param", "arg", "args", "option", "options", "config", "method",
    "function", "fn", "callback", "bytes", "bits", "encoding", "usage", "used", "needed",
    # words that hold a key word but name something else
    "secretary", "secretaries", "passenger", "passengers", "passthrough", "passage",
)  # fmt: skip
_KEY_BOUNDARY = frozenset(b"_.-")


def _key_kind(data: bytes, key_start: int, key_end: int) -> str | None:
    """PASSWORD, SECRET or None for the identifier data[key_start:key_end]."""
    return _identifier_kind(data[key_start:key_end])


@functools.lru_cache(maxsize=4096)
def _identifier_kind(identifier: bytes) -> str | None:
    """What a key names (identifiers repeat, so the answer is cached)."""
    ident = identifier.strip(b"\"'`[] \t").lower()
    ident = ident.lstrip(b"-")  # --password
    parts = [p for p in ident.replace(b"-", b"_").replace(b".", b"_").split(b"_") if p]
    if not parts:
        return None
    last = parts[-1].decode("ascii", "replace")
    # camelCase: credentialsId -> "id"
    raw = identifier.strip(b"\"'`[] \t")
    tail = _camel_tail(raw)
    if last in _NOT_SECRET_SUFFIXES or (tail and tail in _NOT_SECRET_SUFFIXES):
        return None
    for word in (b"password", b"passwd", b"passwort", b"passphrase", b"passcode", b"pwd"):
        if word in ident:
            return PASSWORD
    for part in parts:
        if part in (b"pass", b"pw", b"pword"):
            return PASSWORD
    for word in (b"secret", b"credential", b"apikey", b"api_key", b"privatekey",
                 b"private_key", b"accesskey", b"access_key", b"authkey", b"auth_key"):  # fmt: skip
        if word in ident.replace(b"-", b"_"):
            return SECRET + ":strong"
    for word in (b"token", b"key", b"auth", b"bearer", b"signature", b"sig", b"salt",
                 b"cookie", b"session"):  # fmt: skip
        if word in ident:
            return SECRET
    return None


def _camel_tail(raw: bytes) -> str:
    """The last camelCase word of an identifier, lower-cased (``credentialsId`` -> ``id``)."""
    i = len(raw)
    while i > 0 and 97 <= raw[i - 1] <= 122:
        i -= 1
    if 0 < i < len(raw) and 65 <= raw[i - 1] <= 90 and i - 1 > 0:
        return raw[i - 1 :].decode("ascii", "replace").lower()
    return ""


def _is_alnum(b: int) -> bool:
    return 48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122


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
    operator = tail.strip(b"\"'`[]0123456789 \t@")
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
    value = data[vstart:vend]
    n = len(data)
    after = (
        (data[vend + 1] if vend + 1 < n else 0x20) if quoted else (data[vend] if vend < n else 0x20)
    )
    literal = not quoted and (
        (tail == b"=" and _env_assignment(data, start, key_end))
        or config_literal(data, start, tail, vstart, vend)
    )
    if not _decide(kind, value, quoted, after, literal):
        return None
    return kind, vstart, extend_value(data, vend, quoted, min(n, value_at + MAX_VALUE))


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


# "api key Kx8…", "SECRET_KEY a9F…", netrc's "password 7cc9…": a key word whose value
# follows after spaces alone, no operator or quote. Without the operator only a value
# that looks generated counts (so one with a digit: the pattern stops at the value's
# first digit, which keeps its automaton small; the validator reads the rest), and the
# value must end where a token ends. Or glued (``dd-apikey-<hex>``, ``acmeSECRETKEY-<token>``):
_GLUED = r"[A-Za-z]{0,12}[-_.][A-Za-z+/_~-]*"  # no '=': NAME_SECRET_KEY=value is assigned
_SPACED = r"(?i)(?:" + _STRONG + r"|token|key)(?:[ \t]+[A-Za-z+/_~=-]*|" + _GLUED + ")[0-9]"
_SPACED_REST = re.compile(rb"[A-Za-z0-9+/_.~=-]*")
_SPACED_END = frozenset(b" \t\r\n,;)}]\"'")


def _name_start(data: bytes, at: int) -> int | None:
    """Where the identifier ending at ``at`` starts (at most 40 bytes back), or None."""
    start = at
    while start > max(0, at - 40) and (
        data[start - 1] in _KEY_BOUNDARY or _is_alnum(data[start - 1])
    ):
        start -= 1
    if start > 0 and (
        data[start - 1] in _KEY_BOUNDARY or _is_alnum(data[start - 1]) or data[start - 1] >= 0x80
    ):
        return None  # longer than 40 bytes, or in another script
    return start


def _spaced(data: bytes, match_start: int, end: int) -> tuple[int, int] | None:
    """A generated-looking value after a key word and spaces (the match's last word)."""
    start = end
    while start > match_start and data[start - 1] not in (0x20, 0x09):
        start -= 1
    if start == match_start:
        return _glued(data, match_start, end)
    key_end = start
    while key_end > 0 and data[key_end - 1] in (0x20, 0x09):
        key_end -= 1
    key_start = _name_start(data, key_end)
    if key_start is None or _identifier_kind(data[key_start:key_end]) is None:
        return None
    rest = _SPACED_REST.match(data, end, min(len(data), start + MAX_VALUE))
    end = rest.end() if rest else end
    while end > start and data[end - 1] == 0x2E:  # a sentence's full stop
        end -= 1
    if end < len(data) and data[end] not in _SPACED_END and data[end] != 0x2E:
        return None  # the token goes on (``key abc:def``, an e-mail address)
    value = data[start:end]
    if is_reference(value) or not looks_generated(value) or is_placeholder(value):
        return None
    return start, end


def _glued(data: bytes, match_start: int, end: int) -> tuple[int, int] | None:
    """``<name with a key word>[-_.]<value>`` whole, the value from the first non-letter piece."""
    ident_start = _name_start(data, match_start)
    if ident_start is None:
        return None
    rest = _SPACED_REST.match(data, match_start, min(len(data), match_start + MAX_VALUE))
    token_end = rest.end() if rest else end
    if token_end < len(data) and data[token_end] not in _SPACED_END:
        return None  # the token goes on (``key-abc:def``, an e-mail address, > MAX_VALUE)
    if data[token_end - 1] == 0x2E and data[token_end - 2] != 0x2E:
        token_end -= 1  # a sentence's full stop (a run of dots is the token's)
    if b"=" in data[match_start:token_end].rstrip(b"="):
        return None  # ``NAME_SECRET_KEY=value``: an assignment, the other detectors'
    word_start, value_start = match_start, match_start
    while word_start > ident_start and data[word_start - 1 : word_start].isalpha():
        word_start -= 1
    while value_start < token_end and data[value_start] not in _KEY_BOUNDARY:
        value_start += 1  # the key word and the letters glued to it
    if data[word_start:value_start].lower().decode("latin-1") in _NOT_SECRET_SUFFIXES:
        return None  # ``secretary-…``, ``passenger_…``: a word that holds a key word
    while True:
        while value_start < token_end and data[value_start] in _KEY_BOUNDARY:
            value_start += 1
        piece_end = value_start
        while piece_end < token_end and data[piece_end] not in _KEY_BOUNDARY:
            piece_end += 1
        piece = data[value_start:piece_end]
        if not piece or not piece.isalpha():
            break
        value_start = piece_end
    name_end = value_start
    while name_end > ident_start and data[name_end - 1] in _KEY_BOUNDARY:
        name_end -= 1
    if value_start >= token_end or _identifier_kind(data[ident_start:name_end]) is None:
        return None
    value = data[value_start:token_end]
    if len(value) < 16 or not looks_generated(value) or is_placeholder(value):
        return None  # short: a version, a date, a size (no operator says it is a value)
    return ident_start, token_end


def _alternation(words: tuple[bytes, ...] | frozenset[bytes]) -> bytes:
    return b"(?:" + b"|".join(re.escape(w) for w in sorted(words)) + b")"


# The tables of _assignment as RE2 patterns (Latin-1) for its C++ port, the gate of
# _password_assignment and _secret_assignment in _native.cpp (native._GATES), in
# this order: identifier suffixes that name something else (whole word), stand-in
# values (whole value), templates (whole value), reference words and placeholder
# words (anywhere in the lower-cased value); then MAX_VALUE and MAX_QUOTED; then the
# bytes a template can start with (256 flags read off _TEMPLATE, b"" where not known).
NATIVE_GATE_PATTERNS = (
    _alternation(tuple(w.encode() for w in _NOT_SECRET_SUFFIXES)),
    _alternation(_PLACEHOLDER_VALUES),
    _TEMPLATE.pattern,
    _alternation(_REFERENCE_WORDS),
    _alternation(_PLACEHOLDER_WORDS),
    str(MAX_VALUE).encode(),
    str(MAX_QUOTED).encode(),
    pattern_shapes.first_bytes(_TEMPLATE.pattern) or b"",
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
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_SPACED),
        _spaced,
        prefilter="(?i)" + _STRONG + "|token|key",
    ),
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_REVERSED),
        _reversed,
        triggers=(b"==", b"!="),
        prefilter=r"==|!=",
    ),
)
