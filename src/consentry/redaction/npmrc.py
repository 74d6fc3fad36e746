"""npm's registry credentials, ``//registry/:_authToken=…``, in ``.npmrc`` lines (SPEC §4).

SPEC §4: "passwords ... and high-entropy tokens next to key words". npm reads a
registry's credentials from keys scoped to it: ``//registry.npmjs.org/:_authToken=…``,
``//host:port/path/:_auth=…`` (base64 of ``user:password``), ``:_password=…`` (base64 of
the password); npm 9 and later accept ``_auth``, ``_authToken`` and ``_password`` only so
scoped (npm's "npmrc" documentation, auth-related configuration). The ``//…:`` scope
before npm's own key marks the line as npm's configuration, so the value is a literal
whatever it looks like (examples write plain words): the keyword detectors would read a
bare word there as a name. Templates (``${NPM_TOKEN}``), stand-ins and a quote that closes
a string the key is text of (``"//host/:_password = "+encode(pw)``) are left, as the
keyword detectors leave them (:func:`.keyvalues._read_value`, :func:`.keyvalues._decide`).
"""

from __future__ import annotations

from .detector import PatternDetector, compile_pattern
from .keynames import RANK
from .keyvalues import _decide, _read_value
from .model import PASSWORD, SECRET

# The scope: // then a host, port and path (no space, quote or '='), ':' and npm's key.
_SCOPE = r"//[^\s\"'`=]{1,200}"
_PASSWORD = _SCOPE + r":_password[ \t]*=[ \t]*"
_TOKEN = _SCOPE + r":_auth(?:Token)?[ \t]*=[ \t]*"


def _value(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The value after a scoped key (the match ends after its ``=``), unless not a literal."""
    found = _read_value(data, end)
    if found is None:
        return None
    vstart, vend, quoted = found
    at = vend + 1 if quoted else vend  # the byte after the value (and its closing quote)
    after = data[at] if at < len(data) else 0x20
    return (vstart, vend) if _decide(PASSWORD, data[vstart:vend], quoted, after, True) else None


DETECTORS = (
    PatternDetector(
        PASSWORD, RANK[PASSWORD], compile_pattern(_PASSWORD), _value,
        triggers=(b":_password",), prefilter=":_password",
    ),
    PatternDetector(
        SECRET, RANK[SECRET], compile_pattern(_TOKEN), _value,
        triggers=(b":_auth",), prefilter=":_auth",
    ),
)  # fmt: skip
