"""A password passed after the user name to a call that signs in (issue 16, SPEC §4).

``HTTPBasicAuth("alice", "…")``, ``new NetworkCredential(user, "…")``,
``smtp.login(sender, "…")``, ``new UsernamePasswordCredentials("svc", "…")``,
``new BasicAWSCredentials("AKIA…", "…")``, ``auth=("alice", "…")``: the second argument
is the secret, and no key word names it. The call's name must end in a word that says
so (``auth``, ``credential(s)``, ``login``, ``logon``, ``signin``, ``authenticate``,
``authentication(token)``); the first argument is a string literal or a name; the second
must be a string literal of 6+ characters without spaces, not a word in one case, and
is judged as a password after a key word is (placeholders, templates and references
are not secrets).
"""

from __future__ import annotations

from .detector import PatternDetector, compile_pattern
from .keynames import RANK
from .keyvalues import _decide, _read_value
from .model import PASSWORD

_FIRST = r"(?:\"[^\"\r\n]{0,128}\"|'[^'\r\n]{0,128}'|[A-Za-z_$][A-Za-z0-9_.$]{0,60})"
_PAIR = (
    r"(?:(?i:auth|credentials?|login|logon|signin|sign_in|authenticate|authentication"
    r"|authenticationtoken)[ \t]*\(|\b(?i:auth|credentials?)[ \t]*[=:][ \t]*\()"
    r"[ \t]*(?:[A-Za-z_]{1,20}[ \t]*=[ \t]*)?" + _FIRST + r"[ \t]*,[ \t]*"
    r"(?:[A-Za-z_]{1,20}[ \t]*=[ \t]*)?[\"']"
)

# A necessary condition of the pattern, checked in the compiled scan's one RE2::Set pass
# (native.SET_GATED).
PREFILTER = (
    r"(?i)(?:auth|credentials?|login|logon|signin|sign_in|authenticate|authentication"
    r"|authenticationtoken)[ \t]*[(=:]"
)


def _second_argument(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The string literal the match ends at, when it reads as a password."""
    found = _read_value(data, end - 1)
    if found is None:
        return None
    vstart, vend, quoted = found
    value = data[vstart:vend]
    if not quoted or len(value) < 6 or b" " in value or b"\t" in value:
        return None
    if value.isalpha() and (value.islower() or value.isupper()):
        return None  # a word in one case (``useAuth("token", "dark")``): an argument
    after = data[vend + 1] if vend + 1 < len(data) else 0x20
    return (vstart, vend) if _decide(PASSWORD, value, True, after) else None


DETECTORS = (
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_PAIR),
        _second_argument,
        prefilter=PREFILTER,
    ),
)
