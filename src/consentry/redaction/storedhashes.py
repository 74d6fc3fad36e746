"""Password hashes and keys in the encodings that the crypt-style ``$id$`` pattern misses.

SPEC §4 asks for "password hashes in their standard encodings (bcrypt, crypt ``$id$``
formats, Kerberos and similar crackable hashes)" and for private keys. The crypt-style
detector in :mod:`.credentials` finds ``$id$…``; these are the other encodings that
directory servers, databases and Windows tools write, each with a fixed marker:

* RFC 2307 / LDAP ``userPassword`` schemes: ``{SSHA}…``, ``{SHA}``, ``{SSHA512}``,
  ``{SMD5}``, ``{CRYPT}$6$…``, Atlassian's ``{PKCS5S2}``, AIX ``{ssha512}06$…``;
* MySQL 4.1+ ``PASSWORD()``: ``*`` and 40 hex digits;
* Microsoft SQL Server: ``0x0100``/``0x0200``, a salt and the digest, in hex;
* pwdump / secretsdump lines ``user:RID:LM:NT:::`` (the two hashes are found);
* NetNTLMv1/v2 challenge responses as Responder and john print them,
  ``user::domain:challenge:response:blob`` (from the challenge on);
* PuTTY private-key files (``.ppk``): the base64 lines after ``Private-Lines:``.

Each body must still look hashed (the crypt-style detector's test), so ``{SHA}`` in
prose or a markdown ``*`` before a word is not a hash.
"""

from __future__ import annotations

from .checksums import HEX_DIGITS, looks_hashed
from .detector import PatternDetector, compile_pattern, is_word_byte
from .model import PASSWORD_HASH, PRIVATE_KEY

_RANK = 25  # credentials.RANK[PASSWORD_HASH]
_KEY_RANK = 0  # credentials.RANK[PRIVATE_KEY]


def hashed(body: bytes) -> bool:
    """True when the longest ``$``/``.``/``,``-separated piece of ``body`` looks hashed:
    at least 16 characters of a hash alphabet, and 32+ hex digits, or digits mixed with
    letters, or at least 3.5 bits of entropy per character."""
    pieces = body.replace(b"$", b" ").replace(b",", b" ").replace(b"*", b" ").split()
    return bool(pieces) and looks_hashed(max(pieces, key=len).rstrip(b"="))


def _scheme_hash(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``{SCHEME}body`` whose body looks hashed, not glued to a word before it."""
    if start > 0 and is_word_byte(data[start - 1]):
        return None
    while data[end - 1] == 0x2C:
        end -= 1  # a list's comma after the hash ('.' is in crypt's alphabet: kept)
    body = data[data.index(b"}", start, end) + 1 : end]
    return (start, end) if hashed(body) else None


def _mysql_hash(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``*`` and 40 hex digits, not inside markdown emphasis (``**x**``, ``*sha1*``)."""
    before = data[start - 1] if start > 0 else 0x20
    after = data[end] if end < len(data) else 0x20
    if before == 0x2A or after == 0x2A or is_word_byte(before):
        return None
    digits = data[start + 1 : end]
    has_letter = any(c > 0x39 for c in digits)
    return (start, end) if has_letter and any(c <= 0x39 for c in digits) else None


def _hex_tail(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """From the first run of 16+ hex digits in the match to its end (the hashes, not the
    user name, RID or domain before them)."""
    run = 0
    for i in range(start, end):
        run = run + 1 if data[i] in HEX_DIGITS else 0
        if run == 16:
            return i - 15, end
    return None


def _whole_lines(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The match without its last line break (the base64 lines end at a line that is not
    base64, such as ``Private-MAC:``, or at the end of the text)."""
    while end > start and data[end - 1] in (0x0A, 0x0D):
        end -= 1
    return start, end


def _marked_hash(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """MySQL's ``*`` and 40 hex digits, SQL Server's ``0x0100…``, or the hashes of a
    pwdump line or NetNTLM response (one pattern, one pass: the forms' markers differ)."""
    first = data[start]
    if first == 0x2A:
        return _mysql_hash(data, start, end)
    if first == 0x30:
        return start, end
    return _hex_tail(data, start, end)


# The compiled scan checks these in its one RE2::Set pass (native.SET_GATED): a trigger
# per spelling cost a text search each (callgrind, round fifteen).
SCHEME_PREFILTER = r"\{(?i:s?sha|s?md5|crypt|pkcs5s2|pbkdf2|argon2|bcrypt)"
MARKED_PREFILTER = r"\*[0-9A-Fa-f]{40}|0[xX]0[12]00|:[0-9A-Fa-f]{32}[0-9A-Fa-f]{0,16}:"

DETECTORS = (
    PatternDetector(
        PASSWORD_HASH,
        _RANK,
        compile_pattern(
            r"\{(?i:s?sha(?:1|224|256|384|512)?|s?md5|crypt|pkcs5s2|pbkdf2(?:[_-]sha(?:1|256|512))?"
            r"|argon2(?:id|i|d)?|bcrypt)\}[A-Za-z0-9+/=.$,_-]{16,1000}"
        ),
        _scheme_hash,
        prefilter=SCHEME_PREFILTER,
    ),
    PatternDetector(
        PASSWORD_HASH,
        _RANK,
        compile_pattern(
            r"\*[0-9A-Fa-f]{40}\b"
            r"|\b0[xX]0[12]00[0-9A-Fa-f]{48,300}\b"
            r"|:[0-9A-Fa-f]{32}:[0-9A-Fa-f]{32}:::"
            r"|::[^\s:]{0,64}:[0-9A-Fa-f]{16,48}:[0-9A-Fa-f]{32,48}:[0-9A-Fa-f]{16}[0-9A-Fa-f]*"
        ),
        _marked_hash,
        prefilter=MARKED_PREFILTER,
    ),
    PatternDetector(
        PRIVATE_KEY,
        _KEY_RANK,
        compile_pattern(
            r"Private-Lines: *[0-9]{1,4}\r?\n(?:[A-Za-z0-9+/]{4,128}={0,2}(?:\r?\n|\z))+"
        ),
        _whole_lines,
        triggers=(b"Private-Lines:",),
        prefilter="Private-Lines:",
    ),
)
