"""A secret one level down in an object under its key word (issue 16, SPEC §4).

The key word names the object and the literal is a member of it: telemetry attributes
(``"api_key": {"type": "string", "value": "…"}``, Sentry's and OpenTelemetry's
typed attributes, on one line or pretty-printed), a Terraform variable's default
(``variable "db_password" { type = string  default = "…" }``), MongoDB query operators
(``{"password": {"$eq": "…"}}``, as request logs show them) and ``password = { value =
"…" }``. The member is one that holds the object's value (``value``, ``stringValue``,
``default``, ``$eq``, ``$ne``), inside the object the key word opens (no brace between),
at most 200 bytes in. The key word and the literal are judged as :mod:`.keywords` judges
``password: VALUE`` (placeholders, templates, references and form text are not secrets).
"""

from __future__ import annotations

from .detector import PatternDetector, compile_pattern
from .keynames import _KEY_BOUNDARY, _STRONG, _WEAK, RANK, _identifier_kind, _is_alnum
from .keyvalues import MAX_VALUE, _decide, _read_value, extend_value
from .model import PASSWORD, SECRET

_HOLDER = r"(?:value|stringvalue|default|\$eq|\$ne)"
_NESTED = (
    r"(?i)(?:" + _STRONG + "|" + _WEAK + r")[A-Za-z0-9_.-]{0,40}"
    r"(?:[\"'`]?[ \t]*[:=][ \t]*|[\"'][ \t]+)\{(?:[^{}]{0,200}?[\s,\"'])?"
    + _HOLDER
    + r"[\"']?[ \t]*[:=][ \t]*"
)
# Every match holds a holder's name and its separator (checked in the prefilter Set).
PREFILTER = r"(?i)(?:value|default|\$eq|\$ne)[\"']?[ \t]*[:=]"


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
    kind = _key_kind(data, start, end)
    if kind is None or (kind == PASSWORD) != password:
        return None
    found = _read_value(data, end)
    if found is None:
        return None
    vstart, vend, quoted = found
    n = len(data)
    after = (
        (data[vend + 1] if vend + 1 < n else 0x20) if quoted else (data[vend] if vend < n else 0x20)
    )
    if not _decide(kind, data[vstart:vend], quoted, after):
        return None
    return vstart, extend_value(data, vend, quoted, min(n, end + MAX_VALUE))


def _password_member(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A password as the value member of an object under a password-like key word."""
    return _member(data, start, end, password=True)


def _secret_member(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A secret as the value member of an object under another key word."""
    return _member(data, start, end, password=False)


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
)
