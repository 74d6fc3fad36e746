"""A secret written as a YAML block scalar under its key word (issue 16, SPEC §4).

``password: |`` (or ``>``, ``|-``, ``>+``, ``|2``) says that the value is the indented
text on the next lines: Kubernetes Secrets' ``stringData``, Helm values and CI files
write passwords and tokens that way. The key word and the value are judged as
:mod:`.keywords` judges ``password: VALUE`` on one line (the value of a block scalar is
always a literal string, never a name). A key word with nothing after its colon and a
value on the next line is still not a value: only the block indicator says so.
"""

from __future__ import annotations

from .detector import PatternDetector, compile_pattern
from .keynames import _KEY_BOUNDARY, _STRONG, _WEAK, RANK, _identifier_kind, _is_alnum
from .keyvalues import _decide, _read_value, extend_value
from .model import PASSWORD, SECRET

_BLOCK = (
    r"(?i)(?:" + _STRONG + "|" + _WEAK + r")[A-Za-z0-9_.-]{0,40}[\"']?[ \t]*:[ \t]*[|>]"
    r"[-+1-9]{0,2}[ \t]*(?:#[^\r\n]*)?\r?\n[ \t]+"
)

# A block indicator and its line's end: checked in the compiled scan's one RE2::Set pass
# (native.SET_GATED).
PREFILTER = r":[ \t]*[|>][-+1-9]{0,2}[ \t]*(?:#[^\r\n]*)?\r?\n"


def _indent(data: bytes, pos: int) -> int:
    """Spaces and tabs from the start of ``pos``'s line up to ``pos``'s first text."""
    line = data.rfind(b"\n", 0, pos) + 1
    width = 0
    while line + width < pos and data[line + width] in b" \t-":
        width += 1
    return width


def _block(data: bytes, start: int, end: int, password: bool) -> tuple[int, int] | None:
    key_start = start
    floor = max(0, start - 40)
    while key_start > floor and (
        data[key_start - 1] in _KEY_BOUNDARY or _is_alnum(data[key_start - 1])
    ):
        key_start -= 1
    key_end = start
    while key_end < end and (data[key_end] in _KEY_BOUNDARY or _is_alnum(data[key_end])):
        key_end += 1
    kind = _identifier_kind(data[key_start:key_end])
    if kind is None or (kind == PASSWORD) != password:
        return None
    if end - (data.rfind(b"\n", 0, end) + 1) <= _indent(data, key_start):
        return None  # not indented under its key: the next key, not the value
    found = _read_value(data, end)
    if found is None:
        return None
    vstart, vend, quoted = found
    if vend < len(data) and data[vend] not in b"\r\n":
        return None  # a value with spaces: prose folded into the block, not a secret
    if not _decide(kind, data[vstart:vend], quoted, 0x20, literal=True):
        return None
    return vstart, extend_value(data, vend, quoted, min(len(data), end + 256))


def _password_block(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A password as a block scalar under a password-like key word."""
    return _block(data, start, end, password=True)


def _secret_block(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A generated-looking token as a block scalar under another key word."""
    return _block(data, start, end, password=False)


DETECTORS = (
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_BLOCK),
        _password_block,
        prefilter=PREFILTER,
    ),
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_BLOCK),
        _secret_block,
        prefilter=PREFILTER,
    ),
)
