"""A secret one level down in an object under its key word (issue 16, SPEC §4).

The key word names the object and the literal is a member of it: telemetry attributes
(``"api_key": {"type": "string", "value": "…"}``, Sentry's and OpenTelemetry's
typed attributes, on one line or pretty-printed), a Terraform variable's default
(``variable "db_password" { type = string  default = "…" }``), query operators as
request logs show them (MongoDB's ``{"password": {"$eq": "…"}}``, Hasura's ``_eq``,
Prisma's ``equals``) and ``password = { value = "…" }``. The member is one that holds
the object's value (``value``, ``stringValue``, ``default``, ``$eq``, ``$ne``, ``_eq``,
``_neq``, ``equals``), inside the object the key word opens (no brace between), at most
200 bytes in. The key word and the literal are judged as :mod:`.keywords` judges
``password: VALUE`` (placeholders, templates, references and form text are not secrets).

Name-value entries (:mod:`.commands` reads ``{"name": "DB_PASSWORD", "value": "…"}``)
are read here where the value is further away: wrapped as OpenTelemetry's JSON writes
attributes (``{"key": "db.password", "value": {"stringValue": "…"}}``), after other
members (AWS SSM's ``{"Name": "/prod/db/password", "Type": "SecureString", "Value":
"…"}``), or named by a path, whose last segment is the identifier. Only members
(``, "Type": "SecureString"``, YAML's ``type: SecureString`` lines) stand between the
entry's name and its value: no brace, no code, no other ``name``/``key`` member and no
YAML list item (``- name: …``), so the value is the same entry's.

A list under a password's key word (``"password": ["…"]``; Python's ``parse_qs`` and
Django's ``QueryDict`` print every form field so: ``{'password': ['…']}``) holds literals
each judged as the value would be; an element written as a constant's or a variable's
name (``["DB_PASSWORD", "api_key"]``) is not one, and the finding runs from the first
literal kept to the last. Lists under other key words (``keywords=[…]``, ``"authors":
[…]``, ``tokens = […]``) are not read: on real files they hold names and words.

A literal passed through a conversion under the key word (``password =
String::from("…")``, ``Buffer.from("…")``, ``[]byte("…")``, ``Some("…".into())``,
``SecretStr("…")``) is the value; so is the literal of a call that says it holds a secret
in plain text, with or without a key word (AWS CDK's ``SecretValue.unsafePlainText("…")``
and ``plainText``, Pulumi's ``pulumi.secret("…")``). Other calls are not read: their
argument is a name, a prompt or a path (``keyring.get_password("system", …)``).

Values are string literals (a number or a name, ``"default": 3600``, ``value =
keyval[1]``, is not a secret), except a YAML entry's bare rest of its line.
"""

from __future__ import annotations

import re

from .detector import PatternDetector, compile_pattern
from .keynames import _KEY_BOUNDARY, _STRONG, _WEAK, RANK, _identifier_kind, _is_alnum
from .keyvalues import MAX_VALUE, _decide, _read_value, extend_value
from .model import PASSWORD, SECRET

_HOLDER = r"(?:value|stringvalue|default|\$eq|\$ne|_eq|_neq|equals)"
_NESTED = (
    r"(?i)(?:" + _STRONG + "|" + _WEAK + r")[A-Za-z0-9_.-]{0,40}"
    r"(?:[\"'`]?[ \t]*[:=][ \t]*|[\"'][ \t]+)\{(?:[^{}]{0,200}?[\s,\"'])?"
    + _HOLDER
    + r"[\"']?[ \t]*[:=][ \t]*"
)
_ENTRY = (
    r"(?i)\b(?:name|key)[\"']?[ \t]*[:=][ \t]*[\"']?[A-Za-z0-9_./-]{0,60}"
    r"(?:" + _STRONG + "|" + _WEAK + r")[A-Za-z0-9_.-]{0,40}[\"']?"
    r"(?:[^{}]{0,160}?[\s,\"'])?value[\"']?[ \t]*[:=][ \t]*"
    r"(?:\{[ \t]*[\"']?string_?value[\"']?[ \t]*:[ \t]*)?"
)
_LISTED = (
    r"(?i)(?:"
    + _STRONG
    + "|"
    + _WEAK
    + r")[A-Za-z0-9_.-]{0,40}[\"'`]?[ \t]*[:=][ \t]*\[[ \t]*[\"']"
)
# A necessary condition of _LISTED (its separator and bracket), for the prefilter Set.
LIST_PREFILTER = r"[:=][ \t]*\[[ \t]*[\"']"
_NAME_LIKE = re.compile(rb"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+")
_MAX_ELEMENTS = 16
_WRAP_NAMES = (
    r"new[ \t]+String|String::from|Buffer\.from|\[\]byte|CString::new|OsString::from|Some"
    r"|Zeroizing::new|Secret(?:String|Box)?::(?:new|from)|SecretStr|pulumi\.secret"
    r"|Output\.secret|SecretValue\.(?:unsafe)?[Pp]lain[Tt]ext"
)
_WRAP = r"(?:" + _WRAP_NAMES + r")\([ \t]*"
_CONVERTED = (
    r"(?i)(?:" + _STRONG + "|" + _WEAK + r")[A-Za-z0-9_.-]{0,40}[\"'`]?[ \t]*(?::=|[:=])[ \t]*"
    r"(?:" + _WRAP + r"){1,2}[bru]?[\"'`]"
)
_MARKED = (
    r"\b(?:SecretValue\.(?:unsafe)?[Pp]lain[Tt]ext|pulumi\.secret|Output\.secret)\([ \t]*[\"'`]"
)
# Necessary conditions of _CONVERTED and _MARKED (a wrapper's name), for the prefilter Set.
# (?i) as _CONVERTED reads them; a bare "secret" would let nearly half the texts through.
WRAP_PREFILTER = r"(?i)(?:" + _WRAP_NAMES + r")\("
_NAME_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-")
# Members between an entry's name and its value: ``, "Type": "SecureString"`` or YAML's
# ``type: SecureString`` lines, nothing else (no code, no call, no other statement).
_MEMBERS = re.compile(
    rb"[\"']?(?:\s*,?\s*[\"']?[A-Za-z_][\w.-]{0,40}[\"']?[ \t]*[:=][ \t]*"
    rb"(?:\"[^\"\n]{0,80}\"|'[^'\n]{0,80}'|[\w./:-]{1,80}))*\s*,?\s*[\"']?"
)
_BRACKETS = re.compile(rb"[()\[\]{}]")
_HOLDER_TAIL = re.compile(
    rb"(?i)(value)[\"']?[ \t]*[:=][ \t]*(?:\{[ \t]*[\"']?string_?value[\"']?[ \t]*:[ \t]*)?\Z"
)
_OTHER_MEMBER = re.compile(rb"(?i)[\"'\s,](?:name|key)[\"']?[ \t]*[:=]|\n[ \t]*-[ \t]")
# Every match holds a holder's name and its separator (checked in the prefilter Set).
PREFILTER = r"(?i)(?:value|default|\$eq|\$ne|_eq|_neq|equals)[\"']?[ \t]*[:=]"


def _key_kind(data: bytes, start: int, end: int) -> str | None:
    """What the identifier around the key word at ``start`` names."""
    key_start = start
    floor = max(0, start - 40)
    while key_start > floor and (
        data[key_start - 1] in _KEY_BOUNDARY or _is_alnum(data[key_start - 1])
    ):
        key_start -= 1
    key_end = start
    while key_end < end and (data[key_end] in _KEY_BOUNDARY or _is_alnum(data[key_end])):
        key_end += 1
    return _identifier_kind(data[key_start:key_end])


def _member(data: bytes, start: int, end: int, password: bool) -> tuple[int, int] | None:
    """A value member of the object a key word of the kind asked (password or not) opens."""
    kind = _key_kind(data, start, end)
    if kind is None or (kind == PASSWORD) != password:
        return None
    return _judged(data, end, kind, line_value=False)


def _judged(data: bytes, end: int, kind: str, line_value: bool) -> tuple[int, int] | None:
    """The literal at ``end`` when it reads as a secret of ``kind``: quoted, or (where
    ``line_value``, YAML's entries) the bare rest of its line without brackets."""
    found = _read_value(data, end)
    if found is None:
        return None
    vstart, vend, quoted = found
    n = len(data)
    if not quoted and not (
        line_value
        and (vend >= n or data[vend] in b"\r\n")
        and not _BRACKETS.search(data[vstart:vend])
    ):
        return None  # ``value = keyval[1]``, ``"default": 3600``: a name or a number
    after = (
        (data[vend + 1] if vend + 1 < n else 0x20) if quoted else (data[vend] if vend < n else 0x20)
    )
    if not _decide(kind, data[vstart:vend], quoted, after):
        return None
    return vstart, extend_value(data, vend, quoted, min(n, end + MAX_VALUE))


def _entry(data: bytes, start: int, end: int, password: bool) -> tuple[int, int] | None:
    """The value of a name-value entry whose name (a path's last segment) is of the kind
    asked, where :mod:`.commands` does not read it (wrapped, members between, a path)."""
    match = data[start:end]
    i = start + min(k for k in (match.find(b":"), match.find(b"=")) if k >= 0) + 1
    while i < end and data[i] in b" \t\"'":
        i += 1
    j = i
    while j < end and data[j] in _NAME_CHARS:
        j += 1
    name, between = data[i:j], data[j:end]
    holder = _HOLDER_TAIL.search(between)
    members = between[: holder.start(1)] if holder else between
    if _OTHER_MEMBER.search(between) or not _MEMBERS.fullmatch(members):
        return None  # the value belongs to another entry, or code stands between
    adjacent = between.lstrip(b"\"' \t\r\n,-").lower().startswith(b"value")
    if adjacent and b"{" not in between and b"/" not in name:
        return None  # ``{"name": "DB_PASSWORD", "value": …}``: commands reads it
    kind = _identifier_kind(name.rsplit(b"/", 1)[-1])
    if kind is None or (kind == PASSWORD) != password:
        return None
    return _judged(data, end, kind, line_value=True)


def _listed(data: bytes, start: int, end: int, password: bool) -> tuple[int, int] | None:
    """The literals of a list under a key word of the kind asked (password or not)."""
    kind = _key_kind(data, start, end)
    if kind is None or (kind == PASSWORD) != password:
        return None
    n = len(data)
    pos, first, last = end - 1, -1, -1
    for _ in range(_MAX_ELEMENTS):
        found = _read_value(data, pos)
        if found is None or not found[2]:
            break  # not a string literal: the list's end, or a name
        vstart, vend, _quoted = found
        value = data[vstart:vend]
        after = data[vend + 1] if vend + 1 < n else 0x20
        if not _NAME_LIKE.fullmatch(value) and _decide(kind, value, True, after):
            first, last = (vstart if first < 0 else first), vend
        pos = vend + 1
        while pos < n and data[pos] in b" \t\r\n":
            pos += 1
        if pos >= n or data[pos] != 0x2C:  # ``,``
            break
        pos += 1
    return (first, last) if first >= 0 else None


def _call_literal(data: bytes, end: int, kind: str) -> tuple[int, int] | None:
    """The one string literal passed to the call whose quote ends the match."""
    found = _read_value(data, end - 1)
    if found is None or not found[2]:
        return None
    vstart, vend, _quoted = found
    after = vend + 1
    while after < len(data) and data[after] in b" \t":
        after += 1
    if after < len(data) and data[after] not in b").,":
        return None  # ``f("a" + b)``: built, not a literal
    return (vstart, vend) if _decide(kind, data[vstart:vend], True, 0x20) else None


def _converted(data: bytes, start: int, end: int, password: bool) -> tuple[int, int] | None:
    """A literal passed through a conversion under a key word of the kind asked."""
    kind = _key_kind(data, start, end)
    if kind is None or (kind == PASSWORD) != password:
        return None
    return _call_literal(data, end, kind)


def _password_converted(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A password passed through a conversion under a password-like key word."""
    return _converted(data, start, end, password=True)


def _secret_converted(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A secret passed through a conversion under another key word."""
    return _converted(data, start, end, password=False)


def _marked(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The literal of a call that says it holds a secret in plain text."""
    return _call_literal(data, end, SECRET + ":strong")


def _password_member(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A password as the value member of an object under a password-like key word."""
    return _member(data, start, end, password=True)


def _secret_member(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A secret as the value member of an object under another key word."""
    return _member(data, start, end, password=False)


def _password_list(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Passwords in a list under a password-like key word."""
    return _listed(data, start, end, password=True)


def _password_entry(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A password as the value of a name-value entry whose name is password-like."""
    return _entry(data, start, end, password=True)


def _secret_entry(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A secret as the value of a name-value entry whose name holds another key word."""
    return _entry(data, start, end, password=False)


DETECTORS = (
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_NESTED),
        _password_member,
        prefilter=PREFILTER,
    ),
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_NESTED),
        _secret_member,
        prefilter=PREFILTER,
    ),
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_ENTRY),
        _password_entry,
        prefilter=PREFILTER,
    ),
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_ENTRY),
        _secret_entry,
        prefilter=PREFILTER,
    ),
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_LISTED),
        _password_list,
        prefilter=LIST_PREFILTER,
    ),
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_CONVERTED),
        _password_converted,
        prefilter=WRAP_PREFILTER,
    ),
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_CONVERTED),
        _secret_converted,
        prefilter=WRAP_PREFILTER,
    ),
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_MARKED),
        _marked,
        prefilter=WRAP_PREFILTER,
    ),
)
