"""Secrets in commands, flags, HTTP headers and name-value lists (SPEC §4, issue 16).

``Authorization: <scheme> …`` (Basic, Bearer, Token, or another scheme before a
generated credential), ``X-…-Key:`` headers, ``curl -u user:pass``,
``mysql -pSECRET``, ``sshpass -p``, ``redis-cli -a``, other tools' own password
arguments (``docker login -p``, ``sqlcmd -P``, ``smbclient -U user%pass``…), a flag
named like a secret with its value after a space (``--token VALUE``), and
``name: API_TOKEN`` / ``value: …`` entries. The values are read and judged as
:mod:`.keywords` reads and judges a key word's value (placeholders, templates and
references are not secrets). A ``Basic`` credential is found without its header and
however short where its base64 decodes to a printable ``user:password``
(:func:`_basic`).
"""

from __future__ import annotations

import base64
import binascii

from .detector import PatternDetector, compile_pattern
from .keywords import (
    _KEY_BOUNDARY,
    _PASSWORD_WORDS,
    _STRONG,
    _WEAK,
    MAX_VALUE,
    RANK,
    _decide,
    _identifier_kind,
    _is_alnum,
    _read_value,
    extend_value,
    is_placeholder,
    is_reference,
    looks_generated,
)
from .model import PASSWORD, SECRET

_HEADER = (
    r"(?i)\b(?:authorization|proxy-authorization)[\"']?[ \t]*[:=][ \t]*[\"']?"
    r"[a-z][a-z0-9_.-]{1,40}[ \t]+"
    r"|(?i)\bbearer[ \t]{1,3}"
    r"|(?i)\bx-[a-z0-9-]{0,30}(?:key|token|secret|auth|signature)[a-z0-9-]{0,20}[ \t]*:[ \t]*"
)
# An entry of a name-value list whose name holds a key word, then its value; the name's
# field is ``name`` or ``key`` (.NET's <add key="…" value="…"/>, AWS tags, JSON pairs).
_NAME_VALUE = (
    r"(?i)\b(?:name|key)[\"']?[ \t]*[:=][ \t]*[\"']?[A-Za-z0-9_.-]{0,40}"
    r"(?:" + _STRONG + "|" + _WEAK + ")"
    r"[A-Za-z0-9_.-]{0,40}[\"']?[ \t]*,?[ \t]*\r?\n?[ \t-]{0,40}[\"']?value[\"']?[ \t]*[:=][ \t]*"
)
# A command-line flag whose name holds a key word, then its value after a space.
_FLAG = r"\B--?[A-Za-z0-9_-]{0,30}(?i:" + _STRONG + "|" + _WEAK + r")[A-Za-z0-9_-]{0,20}[ \t]+"
_COMMAND = (
    r"(?:^|[ \t])(?:-u|--user|--proxy-user)[ \t=]+[\"']?[^\s:\"'/<>]{0,64}[\"']?:"
    r"|\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n]{0,200}?[ \t]-p"
    r"|\bsshpass[ \t]+-p[ \t]*|\bredis-cli\b[^\n]{0,200}?[ \t]-a[ \t]+"
)


# Schemes whose credential may be any value of 8 bytes or more; after another scheme
# (``Authorization: BotConnector …``, ``SharedAccessSignature …``) it must look generated.
_SCHEMES = frozenset(
    b"basic bearer token digest apikey api-key key sso-key oauth otp negotiate ntlm".split()
)


def _other_scheme(data: bytes, start: int, end: int) -> bool:
    """Whether the match is ``Authorization: <scheme>`` with a scheme not in _SCHEMES."""
    if not data[start:end].lower().startswith((b"authorization", b"proxy-authorization")):
        return False
    stop = end
    while stop > start and data[stop - 1] in b" \t":
        stop -= 1
    word = stop
    while word > start and (_is_alnum(data[word - 1]) or data[word - 1] in b"_.-"):
        word -= 1
    return data[word:stop].lower() not in _SCHEMES


def _header(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The credential after ``Authorization: <scheme>``, ``Bearer`` or an ``X-…-Key:`` header."""
    found = _read_value(data, end)
    if found is None:
        return None
    vstart, vend, quoted = found
    value = data[vstart:vend]
    if is_placeholder(value) or len(value) < 8:
        return None
    if data[start:end].rstrip().endswith(b":") and not looks_generated(value):
        return None  # X-Api-Key: <a word>
    if not looks_generated(value) and (is_reference(value) or _other_scheme(data, start, end)):
        return None
    return vstart, extend_value(data, vend, quoted, min(len(data), end + MAX_VALUE))


# HTTP Basic credentials (RFC 7617): the scheme, then base64 of ``user:password``.
_BASIC = r"(?i)\bbasic[ \t]{1,3}[A-Za-z0-9+/]{4,1000}={0,2}"
_BASE64_NEXT = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.")


def _basic(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The credential after ``Basic`` (any case, with or without ``Authorization:``)
    where it is whole base64 that decodes to printable ``user:password`` with both
    parts present (``basic dTpw`` is ``u:p``), and the password no stand-in
    (``dXNlcjpwYXNzd29yZA==`` is ``user:password``). Prose after the word (``basic
    idea``) does not decode so."""
    if end < len(data) and data[end] in _BASE64_NEXT:
        return None  # a longer word, cut by the pattern's bound
    vstart = start + 5
    while data[vstart] in b" \t":
        vstart += 1
    value = data[vstart:end]
    if len(value) % 4:
        return None
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    user, colon, password = decoded.partition(b":")
    if not (user and colon and password) or any(not 32 <= c <= 126 for c in decoded):
        return None
    if len(password) >= 4 and is_placeholder(password):
        return None
    return vstart, end


def _flag(data: bytes, start: int, end: int) -> tuple[str, int, int] | None:
    """(kind, start, end) of the value after ``--token VALUE`` / ``-password 'VALUE'``."""
    flag_start = data.index(b"-", start, end)
    name_end = end
    while data[name_end - 1] in b" \t":
        name_end -= 1
    kind = _identifier_kind(data[flag_start:name_end])
    found = _read_value(data, end) if kind is not None else None
    if kind is None or found is None:
        return None
    vstart, vend, quoted = found
    value = data[vstart:vend]
    if (value[:1] == b"-" or b"://" in value) and not quoted:
        return None  # the next flag, or the command's URL after a flag that takes none
    n = len(data)
    after = (
        (data[vend + 1] if vend + 1 < n else 0x20) if quoted else (data[vend] if vend < n else 0x20)
    )
    if not _decide(kind, value, quoted, after):
        return None
    return kind, vstart, extend_value(data, vend, quoted, min(n, end + MAX_VALUE))


def _password_flag(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The value of a command-line flag named like a password (``--db-password VALUE``)."""
    found = _flag(data, start, end)
    return (found[1], found[2]) if found is not None and found[0] == PASSWORD else None


def _secret_flag(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The value of a command-line flag named like a token or key (``--token VALUE``)."""
    found = _flag(data, start, end)
    return (found[1], found[2]) if found is not None and found[0] != PASSWORD else None


def _name_value(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``name: API_TOKEN`` (or ``key:``) then ``value: …`` (Kubernetes/CI env lists, JSON
    name-value pairs, .NET settings)."""
    match = data[start:end]
    seps = [i for i in (match.find(b":"), match.find(b"=")) if i >= 0]
    i = start + min(seps) + 1
    while data[i] in b" \t\"'":
        i += 1
    j = i
    while j < end and (data[j] in _KEY_BOUNDARY or _is_alnum(data[j])):
        j += 1
    kind = _identifier_kind(data[i:j])
    found = _read_value(data, end) if kind is not None else None
    if kind is None or found is None:
        return None
    vstart, vend, quoted = found
    n = len(data)
    after = (
        (data[vend + 1] if vend + 1 < n else 0x20) if quoted else (data[vend] if vend < n else 0x20)
    )
    if not _decide(kind, data[vstart:vend], quoted, after):
        return None
    return vstart, extend_value(data, vend, quoted, min(n, end + MAX_VALUE))


# Tools that take a password as an argument of their own syntax (issue 16, beyond mysql):
# registry and cloud logins' ``-p``, MongoDB shells' ``-p``, SQL Server's ``-P``, Samba's
# ``-U user%pass``, FreeRDP's ``/p:``, OpenLDAP's ``-w``, lftp's ``-u user,pass``,
# Windows' ``net user NAME PASS``, ``rabbitmqctl add_user NAME PASS``, ``htpasswd -b``
# (file, user, password; ``-n``: user, password) and keytool's ``-storepass``.
_TOOL = (
    r"\b(?:(?:docker|podman|nerdctl|buildah|oras|cf|az)|helm[ \t]+registry)[ \t]+login\b"
    r"[^\n]{0,200}?[ \t]-p[ \t=]+"
    r"|\b(?:mongo|mongosh|mongodump|mongorestore|mongoexport|mongoimport)\b[^\n]{0,200}?"
    r"[ \t]-p[ \t]+"
    r"|\b(?:sqlcmd|bcp|osql|isql)\b[^\n]{0,200}?[ \t]-P[ \t]*"
    r"|(?:^|[ \t])(?:-U[ \t]*|--user(?:name)?[ \t=]+)[\"']?[A-Za-z0-9_.\\@-]{1,64}%"
    r"|\b(?:xfreerdp|wlfreerdp|sdl-freerdp)\b[^\n]{0,200}?[ \t]/p:"
    r"|\bldap(?:search|add|modify|delete|passwd|whoami|compare|modrdn)\b[^\n]{0,200}?[ \t]-w[ \t]+"
    r"|\blftp\b[^\n]{0,200}?[ \t]-u[ \t]+[^\s,]{1,64},"
    r"|(?i:\bnet[ \t]+user)[ \t]+[^\s/]{1,64}[ \t]+"
    r"|\brabbitmqctl[ \t]+(?:add_user|change_password)[ \t]+\S{1,64}[ \t]+"
    r"|\bhtpasswd[ \t]+-[A-Zac-mo-z]*b[A-Zac-mo-z]*(?:[ \t]+-[A-Za-z]+)*"
    r"[ \t]+[^\s-]\S*[ \t]+[^\s-]\S*[ \t]+"
    r"|\bhtpasswd[ \t]+-(?:[A-Za-z]*b[A-Za-z]*n|[A-Za-z]*n[A-Za-z]*b)[A-Za-z]*(?:[ \t]+-[A-Za-z]+)*"
    r"[ \t]+[^\s-]\S*[ \t]+"
    r"|\b(?:keytool|jarsigner)\b[^\n]{0,300}?[ \t]-(?:src|dest|new)?(?:store|key)?pass[ \t]+"
)

BASIC_PREFILTER = r"(?i)basic[ \t]"  # native.SET_GATED, as TOOL_PREFILTER
# What every alternative of _TOOL holds: checked in the compiled scan's one RE2::Set pass
# (native.SET_GATED), where a trigger per word cost a text search each.
TOOL_PREFILTER = (
    r"login|mongo|sqlcmd|bcp|osql|isql|-U|--user|freerdp|ldap|lftp|(?i:net[ \t]+user)"
    r"|rabbitmqctl|htpasswd|keytool|jarsigner"
)


def _command(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The password after ``-u user:``, ``mysql … -p``, ``sshpass -p``, ``redis-cli … -a``."""
    if data[end - 1 : end] == b":" and data[end : end + 1] in (b"", b" ", b"\t", b"\r", b"\n"):
        return None  # ``-u user: URL``: no password, the next word is another argument
    found = _read_value(data, end)
    if found is None:
        return None
    vstart, vend, quoted = found
    value = data[vstart:vend]
    if is_placeholder(value) or (_shell_reference(value) and not looks_generated(value)):
        return None
    return vstart, extend_value(data, vend, quoted, min(len(data), end + MAX_VALUE))


def _shell_reference(value: bytes) -> bool:
    """Not a literal password: ``$PASS``, ``%PASS%``, ``{pass}``, ``<pass>``, a remote path
    (``-u me@host:/backup``, ``~/…``), a word in one case (``changeme``, a documented
    stand-in). A shell argument is otherwise a literal, so a mixed-case run of letters
    (``yqDVtkqPECriaLRi``) is a password here where in code it would name a variable."""
    if value[:1] in b"$%&*@![{<(/~":
        return True
    word = value.replace(b"_", b"").replace(b"-", b"").replace(b".", b"")
    return word.isalpha() and (word.islower() or word.isupper())


DETECTORS = (
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_HEADER),
        _header,
        prefilter=r"(?i)authorization|bearer|x-",
    ),
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_BASIC),
        _basic,
        prefilter=BASIC_PREFILTER,
    ),
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_FLAG),
        _password_flag,
        prefilter=r"-[A-Za-z0-9_-]{0,30}(?i:" + _PASSWORD_WORDS + r")",
    ),
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_FLAG),
        _secret_flag,
        prefilter=r"-[A-Za-z0-9_-]{0,30}(?i:" + _STRONG + "|" + _WEAK + r")",
    ),
    PatternDetector(
        SECRET,
        RANK[SECRET],
        compile_pattern(_NAME_VALUE),
        _name_value,
        prefilter=r"(?i)value[\"']?[ \t]*[:=]",
    ),
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_COMMAND),
        _command,
        # every alternative holds one of these literals (-u in --user and --proxy-user)
        triggers=(b"-u", b"mysql", b"mariadb", b"sshpass", b"redis-cli"),
        prefilter=r"-u|--user|--proxy-user|mysql|mariadb|sshpass|redis-cli",
    ),
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(_TOOL),
        _command,
        prefilter=TOOL_PREFILTER,
    ),
)
