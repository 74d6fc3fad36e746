"""Secrets named by a key word, in the syntaxes code, configs, commands and headers use.

SPEC §4: "passwords in URLs and connection strings, high-entropy tokens next to
key words". One RE2 pattern finds a key word inside an identifier followed by an
assignment, comparison, call or element in any common syntax (``x = "…"``,
``x := "…"``, ``x ?= …``, ``"x": "…"``, ``x => '…'``, ``<x>…</x>``,
``x="…"`` attributes, ``setProperty("x", "…")``, ``x("…")``, ``x[] = "…"``,
``--x=…``, ``export X=…``, ``if (x == "…")``, ``$x['key'] = …``, prose's
``the password is …``); a second finds the reversed comparison ``"…" == x``.
Commands, flags, headers and name-value lists are :mod:`.commands`'. The
validators here read the value after (or before) the match, at most
:data:`MAX_VALUE` bytes, so the scan stays linear.

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

from .checksums import entropy_at_least, looks_random
from .detector import PatternDetector, compile_pattern
from .model import PASSWORD, SECRET

MAX_VALUE = 300  # bytes of a value read after or before a match
MAX_QUOTED = 4096  # bytes searched for the closing quote of a quoted value
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
)  # fmt: skip
_KEY_BOUNDARY = frozenset(b"_.-")
_PLACEHOLDER_WORDS = (
    b"your", b"example", b"placeholder", b"changeme", b"change_me", b"redacted", b"dummy",
    b"fake", b"sample", b"insert", b"replace", b"todo", b"fixme", b"secret_here",
    b"password_here", b"token_here", b"key_here", b"xxxx", b"****", b"....", b"[redacted",
    b"[secret", b"[password", b"[filtered",
)  # fmt: skip
# Reads of a secret from somewhere else: never the secret itself.
_REFERENCE_WORDS = (
    b"getenv", b"environ", b"process.env", b"secrets.", b"vault(", b"settings.", b"config.",
    b"config[", b"env(", b"env[", b"env.", b"params[", b"request.", b"args.", b"options.",
)  # fmt: skip
# A whole value that is a template or a variable: ${X}, {{ x }}, %(x)s, <token>, $X, %X%.
_TEMPLATE = re.compile(
    rb"\$\{[^{}]{1,80}\}|\{\{[^{}]{1,80}\}\}|\{[A-Za-z_][\w.]{0,60}\}|%\(\w{1,60}\)[sdr]"
    rb"|<[^<>]{1,60}>|#\{[^{}]{1,60}\}|\$[A-Za-z_]\w{0,60}|%[A-Za-z_]\w{0,60}%|%[sdr]|\?{1,3}"
    rb"|\[[A-Z_ ]{1,40}\]"
)
_PLACEHOLDER_VALUES = frozenset(
    b"none null nil true false undefined password passwd pass secret changeme token key "
    b"empty default string str required optional test admin root user username value "
    b"hidden masked unset yes no on off".split()
)
_OPENERS = frozenset(b"({[")
_CLOSERS = frozenset(b")}]")
_TOKEN_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_.~=-")
_ALNUM_TEXT = re.compile(r"[^\W_]")  # a letter or digit of any script
_VALUE_END = frozenset(b" \t\r\n,;)}]")
_QUERY_NEXT = re.compile(rb"&[A-Za-z_][A-Za-z0-9_.-]{0,40}=")
_QUOTES = frozenset(b"\"'`")


def looks_generated(value: bytes) -> bool:
    """True for values that look machine-made: tokens, keys, random strings.

    Digits and letters mixed with entropy >= 3.0 bits per character (>= 8 long),
    mixed-case letters only with entropy >= 4.0 (>= 16 long), or three kinds of
    characters (lower, upper, digit, symbol) with entropy >= 3.3 (>= 12 long).
    """
    core = value.strip(b"=")
    n = len(core)
    if n < 8:
        return False
    if looks_random(core) and entropy_at_least(core, 3.0):
        return True
    if n >= 16 and core.lower() != core and core.upper() != core and core.isalpha():
        return entropy_at_least(core, 4.0)
    if n >= 12:
        kinds = (
            any(97 <= c <= 122 for c in core)
            + any(65 <= c <= 90 for c in core)
            + any(48 <= c <= 57 for c in core)
            + any(not (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122) for c in core)
        )
        return kinds >= 3 and entropy_at_least(core, 3.3)
    return False


def is_placeholder(value: bytes) -> bool:
    """Empty, symbols only, a template, an obvious stand-in, or a repeated character."""
    low = value.lower().strip()
    if not low or _ALNUM_TEXT.search(low.decode("utf-8", "replace")) is None:
        return True
    if low in _PLACEHOLDER_VALUES or len(set(low.replace(b"-", b"").replace(b"_", b""))) <= 2:
        return True
    if _TEMPLATE.fullmatch(value.strip()) or any(word in low for word in _REFERENCE_WORDS):
        return True
    # "your_api_key_here", "somefakekey"; a generated value that happens to hold
    # such a word (AWS's documented ...EXAMPLEKEY) is still a secret.
    return any(word in low for word in _PLACEHOLDER_WORDS) and not looks_generated(value)


def is_reference(value: bytes) -> bool:
    """A name rather than a literal: ``settings.local.py``, ``os.environ``, ``$VAR``, ``cfg[x]``."""
    if value[:1] in (b"$", b"%", b"&", b"*", b"@", b"!", b"[", b"{", b"<") or value[-1:] in (
        b"(",
        b")",
    ):
        return True
    stripped = value.replace(b".", b"").replace(b"_", b"").replace(b"-", b"")
    if stripped.isalpha():
        return True  # identifiers, dotted names, kebab-case words
    # settings.local.py, a.b2.c
    return b"." in value and all(part[:1].isalpha() for part in value.split(b".") if part)


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


def _read_value(data: bytes, pos: int) -> tuple[int, int, bool] | None:
    """The value starting at ``pos`` (after spaces, ``@``): (start, end, quoted)."""
    n = len(data)
    limit = min(n, pos + MAX_VALUE)
    quote_limit = min(n, pos + MAX_QUOTED)
    while pos < limit and data[pos] in (0x20, 0x09):
        pos += 1
    if pos < limit and data[pos] == 0x40 and pos + 1 < n and data[pos + 1] in _QUOTES:  # @"..."
        pos += 1
    if pos >= limit:
        return None
    quote = data[pos]
    if quote in _QUOTES:
        close = data.find(bytes([quote]), pos + 1, quote_limit)
        newline = data.find(b"\n", pos + 1, quote_limit)
        if close < 0 or (0 <= newline < close):
            # An unclosed quote (a truncated paste): the token-like run after it.
            end = pos + 1
            while end < limit and data[end] in _TOKEN_CHARS:
                end += 1
            while end > pos + 1 and data[end - 1] == 0x2E:  # a sentence's full stop
                end -= 1
            return (pos + 1, end, False) if end > pos + 1 else None
        words = data[pos + 1 : close].split(None, 1)  # [] for "" and for "   "
        first = words[0].rstrip(b".,:;") if words else b""
        if len(first) >= 16 and close - pos - 1 > len(first) and looks_generated(first):
            # 'Kx8…Q2. Then more prose …': an unclosed quote met a later one; the token
            # is the value, not the sentence up to that quote.
            return pos + 1, pos + 1 + len(first), False
        return pos + 1, close, True
    if quote in b"\r\n":
        return None  # the value is on the next line: not this key's value
    end = pos
    depth = 0  # brackets opened inside the value: their closers belong to it
    while end < limit:
        b = data[end]
        if b in _OPENERS:
            depth += 1
        elif b in _CLOSERS and depth > 0:
            depth -= 1
        elif b in _VALUE_END or (b == 0x3C and data[end + 1 : end + 2] == b"/"):
            break  # a space, a separator, a closer of the code around, or </key>
        elif b == 0x26 and _QUERY_NEXT.match(data, end):
            break  # ?password=VALUE&next=...: the next query parameter
        end += 1
    # A trailing quote, backquote or comma closes the value ("Last character is ignored"),
    # and a full stop or colon ends the sentence or clause around it.
    while end > pos and data[end - 1] in b"\"'`,;.:":
        end -= 1
    return (pos, end, False) if end > pos else None


def _decide(kind: str, value: bytes, quoted: bool, after: int) -> bool:
    if is_placeholder(value) or (not quoted and value[:1] in (b"[", b"{", b"<", b"$", b"%")):
        return False
    if kind == PASSWORD or kind.endswith(":strong"):
        if quoted:
            return True
        if after in b"([" or is_reference(value):
            return looks_generated(value) and not is_reference(value)
        return True
    return looks_generated(value) and not (after in b"(" and not quoted)


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
    if not _decide(kind, value, quoted, after):
        return None
    return kind, vstart, extend_value(data, vend, quoted, min(n, value_at + MAX_VALUE))


def extend_value(data: bytes, vend: int, quoted: bool, limit: int) -> int:
    """A bare value read up to the limit goes on through its token characters.

    Long tokens (OAuth refresh tokens, Fly.io macaroons) exceed MAX_VALUE; the
    whole run is the secret (no partial leak). Only an accepted value is extended
    and the search resumes after it, so the scan stays linear.
    """
    if quoted or vend < limit:
        return vend
    n = len(data)
    while vend < n and data[vend] in _TOKEN_CHARS:
        vend += 1
    return vend


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
# words (anywhere in the lower-cased value); then MAX_VALUE and MAX_QUOTED.
NATIVE_GATE_PATTERNS = (
    _alternation(tuple(w.encode() for w in _NOT_SECRET_SUFFIXES)),
    _alternation(_PLACEHOLDER_VALUES),
    _TEMPLATE.pattern,
    _alternation(_REFERENCE_WORDS),
    _alternation(_PLACEHOLDER_WORDS),
    str(MAX_VALUE).encode(),
    str(MAX_QUOTED).encode(),
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
        compile_pattern(_REVERSED),
        _reversed,
        triggers=(b"==", b"!="),
        prefilter=r"==|!=",
    ),
)
