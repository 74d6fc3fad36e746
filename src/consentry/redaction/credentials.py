"""Detectors for secrets that coding sessions leak.

Provider API keys live in :mod:`.tokens`; this module holds private-key blocks,
JWTs, passwords in URLs and connection strings, and high-entropy values next to
key words.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from .azurekeys import DETECTOR as AZURE_KEY_DETECTOR
from .blockscalars import DETECTORS as BLOCK_SCALAR_DETECTORS
from .checksums import entropy_at_least, looks_hashed, looks_random
from .commands import DETECTORS as COMMAND_DETECTORS
from .credpairs import DETECTORS as CREDENTIAL_PAIR_DETECTORS
from .detector import (
    ANCHOR_START,
    UNANCHORED,
    Candidate,
    PatternDetector,
    RawCandidate,
    byte_at,
    compile_pattern,
    is_word_byte,
    raw_matcher,
)
from .jwts import DETECTOR as ENCODED_JWT_DETECTOR
from .jwts import jwt_header_ok as jwt_header_ok  # native.py hands it to the compiled scan
from .keywords import DETECTORS as KEYWORD_DETECTORS
from .model import JWT, PASSWORD, PASSWORD_HASH, PRIVATE_KEY, SECRET
from .nestedvalues import DETECTORS as NESTED_VALUE_DETECTORS
from .npmrc import DETECTORS as NPMRC_DETECTORS
from .storedhashes import DETECTORS as STORED_HASH_DETECTORS
from .tokenformats import FORMAT_DETECTORS
from .tokens import SHAPE_DETECTORS, ProviderTokenDetector
from .urlstandins import stand_in as url_stand_in
from .xmlpairs import DETECTORS as XML_PAIR_DETECTORS

RANK = {PRIVATE_KEY: 0, JWT: 10, SECRET: 20, PASSWORD_HASH: 25, PASSWORD: 30}
KEYWORD_SECRET_RANK = 50
MIN_SECRET_ENTROPY = 3.3  # bits per character, for values next to a key word
MIN_LETTERS_ONLY_ENTROPY = 4.2  # ditto, for values without digits


def _jwt(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    header = data[start : data.index(b".", start, end)]
    if len(header) > 4096:
        return None
    return (start, end) if jwt_header_ok(header) else None


def _spaced_jwt(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A JWT whose header opens with white space (``_SPACED_JWT``), checked as ``_jwt``."""
    return _jwt(data, start, end)


_PLACEHOLDER_VALUES = frozenset(
    b"none null nil true false undefined password passwd secret changeme".split()
)


def _is_template(value: bytes) -> bool:
    """printf/format placeholders: ``%s``, ``%(password)s``, ``{{ pw }}``."""
    return value[:2] in (b"%(", b"{{", b"${") or value in (b"%s", b"%r")


def _is_reference(value: bytes) -> bool:
    """Variable names, dotted attribute paths and templates, not literal secrets."""
    if value[:1] in (b"$", b"{", b"<", b"[", b"/", b"=", b"*") or _is_template(value):
        return True
    stripped = value.replace(b".", b"").replace(b"_", b"")
    return stripped.isalpha() or not stripped


def _password_value(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    quote = data[start]
    if quote in (0x22, 0x27):  # quoted literal: always a password unless empty/template
        start += 1
        if data[end - 1] == quote and end > start:
            end -= 1
        value = data[start:end]
        if not value.strip() or value[:1] in (b"$", b"{", b"<") or set(value) <= set(b"*x"):
            return None
        return None if _is_template(value) else (start, end)
    value = data[start:end]
    if byte_at(data, end) in b"([." or _is_reference(value):
        return None
    return (start, end) if value.lower() not in _PLACEHOLDER_VALUES else None


def _url_password(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    value = data[start:end]
    if value[:1] in (b"$", b"{") or _is_template(value) or set(value) <= set(b"*x"):
        return None
    user = data.rfind(b"/", max(0, start - 2 - len(value)), start - 1)  # scheme://USER:
    if user >= 0 and data[user + 1 : start - 1] == value:
        return None  # ``user:user@``: the user name repeated, a stand-in
    return None if url_stand_in(data, start, end) else (start, end)


# The patterns below have no capture groups: RE2 then answers from its DFA alone,
# about 4x faster than extracting submatches. Each value span is recovered from
# the whole match with byte operations bounded by the match (see each function).
_SECRET_VALUE_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_.~-"
_RE2_SPACE = b" \t\n\f\r"  # RE2's \s


def _url_password_match(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``scheme://user:PASS@``: neither scheme nor user holds ``:``; PASS ends before the
    last ``@`` of the authority (RFC 3986: userinfo ends at the host's ``@``, and the
    authority at the first ``/``, ``?`` or ``#``), so a password holding ``@`` is whole.
    The user may hold ``@`` (``smtp://me@mail.example:PASS@smtp.example``: an e-mail
    address as the login, unencoded)."""
    colon = data.index(b":", data.index(b"://", start, end) + 3, end)
    return _url_password(data, colon + 1, end - 1)


def _password_match(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``password["']?\\s*[:=]\\s*VALUE``: the first ``:``/``=`` is the separator
    (key word, quote and spaces hold none) and VALUE starts at a non-space."""
    colon, equals = data.find(b":", start, end), data.find(b"=", start, end)
    sep = equals if colon < 0 or 0 <= equals < colon else colon
    value_start = end - len(data[sep + 1 : end].lstrip(_RE2_SPACE))
    return _password_value(data, value_start, end)


def _keyword_secret_match(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A high-entropy value after a key word.

    The value ends the match: ``[A-Za-z0-9+/_.~-]{12,}=*``, after a separator,
    quote or space that is not one of its characters. Rejected when followed by
    ``(`` (a call such as ``token = make_token(...)``); needs digits and letters
    and entropy >= MIN_SECRET_ENTROPY, or mixed-case letters only (>= 16, not a
    CamelCase name) and entropy >= MIN_LETTERS_ONLY_ENTROPY.
    """
    match = data[start:end]
    value = match[len(match.rstrip(b"=").rstrip(_SECRET_VALUE_CHARS)) :]
    if end < len(data) and data[end] == 0x28:
        return None
    core = value.strip(b"=")
    if looks_random(core):
        threshold = MIN_SECRET_ENTROPY
    elif len(core) >= 16 and core.lower() != core and core.upper() != core:
        threshold = MIN_LETTERS_ONLY_ENTROPY  # random letters, not a CamelCase name
    else:
        return None
    return (end - len(value), end) if entropy_at_least(value, threshold) else None


def _two_part_jwt(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``header.payload`` (unsigned, or split over lines at a dot) whose header names alg or typ."""
    dot = data.index(b".", start, end)
    header = data[start:dot].rstrip(b" \t\r\n\\")
    if len(header) > 4096:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + b"=" * (-len(header) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(decoded, dict) or not ("alg" in decoded or "typ" in decoded):
        return None
    return start, end


def _password_hash(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A crypt-style ``$id$...`` or ``scheme$...$...`` string whose longest field looks hashed.

    SPEC §4 "password hashes in their standard encodings": bcrypt ($2a$/$2b$/$2y$),
    crypt $1$/$5$/$6$/$y$, $apr1$, Cisco type 8/9 ($8$/$9$), PBKDF2 and Django
    ``pbkdf2_sha256$...``, argon2, scrypt, Kerberos ($krb5asrep$, $krb5tgs$), MS
    cache ($DCC2$). The longest ``$``-separated field must be >= 16 characters of
    a hash alphabet with digits and letters, or >= 32 hex digits, so ``$HOME$PATH``
    and shell or template text are not hashes.
    """
    if start > 0 and is_word_byte(data[start - 1]) and data[start] == 0x24:
        return None
    pieces = re.split(rb"[$#:*]", data[start:end])
    return (start, end) if looks_hashed(max(pieces, key=len)) else None


@dataclass(frozen=True, slots=True)
class PrivateKeyDetector:
    """PEM private-key blocks, from ``-----BEGIN`` to the matching ``-----END`` line.

    A block without an END line (truncated paste) is redacted through the end of
    its base64 body. Each END search starts after the previous block, and a failed
    search is remembered, so the scan is linear however many headers there are.
    """

    prefilter: ClassVar[str] = "PRIVATE KEY"  # see PatternDetector.prefilter

    def scan(self, data: bytes) -> Iterator[Candidate]:
        """Yield one candidate per private-key block."""
        found: list[RawCandidate] = []
        self.collect(data, found)
        for cand in found:
            yield Candidate._make(cand)

    def collect(self, data: bytes, out: list[RawCandidate]) -> None:
        """Append one candidate per private-key block to ``out`` (see :meth:`scan`)."""
        if b"PRIVATE KEY" not in data:
            return
        n = len(data)
        covered_to = 0
        no_end_from = n + 1
        pos = 0
        while pos <= n:
            start, header_end = _PEM_HEADER_MATCH(UNANCHORED, data, pos, n)[0]
            if start < 0:
                return
            pos = header_end  # the header is never empty
            if start < covered_to:
                continue
            end = -1
            if header_end < no_end_from:
                end = data.find(b"-----END", header_end)
                if end < 0:
                    no_end_from = header_end
            keyless = False
            if end >= 0:
                keyless = not _holds_key_material(data, header_end, end)
                close = data.find(b"-----", end + 8, end + 8 + 80)
                end = close + 5 if close >= 0 else end + 8
            else:
                end = max(header_end, _PEM_BODY_MATCH(ANCHOR_START, data, header_end, n)[0][1])
            covered_to = end
            if not keyless:  # a body of words or stand-ins holds no key
                out.append((start, end, PRIVATE_KEY, RANK[PRIVATE_KEY]))


_PEM_HEADER = compile_pattern(r"-----BEGIN[ A-Z0-9_-]{0,100}?PRIVATE KEY(?: BLOCK)?-----")
_PEM_BODY = compile_pattern(r"(?:[A-Za-z0-9+/=:,.-]|\s|\\[rn])*")
# Key material: base64 runs between the PEM lines. ``this is not a private key``, ``...``,
# ``<your key here>``, ``REDACTED`` or ``placeholder`` hold none; a run of 16 does, and so
# does a shorter one of 8 or more that is not all letters (``wxyz+ABC=``, ``MHcCAQEE``):
# the toy bodies of other projects' test keys, a block its markers call a private key.
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/=]{8,}")
_NOT_LETTERS = re.compile(rb"[0-9+/]")


def _holds_key_material(data: bytes, start: int, end: int) -> bool:
    """Whether ``data[start:end]`` (a PEM body) holds a base64 run that can be key material."""
    for run in _BASE64_RUN.finditer(data, start, end):
        if run.end() - run.start() >= 16 or _NOT_LETTERS.search(data, run.start(), run.end()):
            return True
    return False


_PEM_HEADER_MATCH = raw_matcher(_PEM_HEADER)
_PEM_BODY_MATCH = raw_matcher(_PEM_BODY)

# A signed JWT (header.payload.signature) or an encrypted one (RFC 7516's compact form:
# header.key.iv.ciphertext.tag, the key empty for direct encryption), read whole. The one
# payload shorter than four characters is the empty claims set, "{}" (e30): an unsigned
# token (alg none, nothing after the last dot) carries it as often as a signed one.
_JWT_TAIL = (
    r"[A-Za-z0-9_-]{8,}\.(?:(?:[A-Za-z0-9_-]{4,}|e30)\.[A-Za-z0-9_-]*"
    r"(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+)?|\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)"
)
_JWT = r"\beyJ" + _JWT_TAIL  # base64url of '{"'
# The header's JSON may open with white space (RFC 7515 allows any: ``{ "alg" : ...}``, a
# pretty-printed ``{\n  "typ"``): base64url of "{", then a space (yA), tab (wk), LF (wo)
# or CR (w0), then '"' (i) or more white space (g J K N). Checked as _JWT is.
_SPACED_JWT = r"\be(?:yA|w[ko0])[igJKN]" + _JWT_TAIL
SPACED_JWT_PREFILTER = r"e(?:yA|w[ko0])[igJKN]"

# An OpenSSH private key's body without its PEM lines: base64 of "openssh-key-v1\0"
# then more, as pasted into code split over quoted strings ("..." +), escaped line
# breaks (\r\n) or lines; the separators between the pieces, and one before the
# first and after the last, are read with it, so no piece is left out.
_BREAK = r"[\"'][ \t]*(?:\+[ \t]*\r?\n?|\r?\n)[ \t]*[\"']|\\r\\n|\\n"  # "..." + "...", \r\n
_OPENSSH_BODY = (
    r"(?:" + _BREAK + r")?b3BlbnNzaC1rZXktdjE[A-Za-z0-9+/=]*"
    r"(?:(?:" + _BREAK + r"|\r?\n)[A-Za-z0-9+/=]+)*(?:" + _BREAK + r")?"
)

# A JWT split over lines at a dot (a wrapped paste, a string continued with \\).
_LINE_BREAK = r"(?:[ \t]*\\?\r?\n[ \t]*)?"
_SECRET_WORDS = (
    r"(?:secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key"  # noqa: S105
    r"|credentials?|accountkey|sharedaccesskey|bearer)"
)
# The closing quote is optional, so a match always reaches the end of the value;
# the next search starts after it, so key words inside a value are not matched.
_QUOTED_OR_BARE = r"(?:\"[^\"\r\n]+\"?|'[^'\r\n]+'?|[^\s;,&'\"(){}\[\]<>]+)"

DETECTORS = (
    PrivateKeyDetector(),
    PatternDetector(
        PRIVATE_KEY,
        RANK[PRIVATE_KEY],
        compile_pattern(_OPENSSH_BODY),
        triggers=(b"b3BlbnNzaC1rZXktdjE",),
        prefilter="b3BlbnNzaC1rZXktdjE",
    ),
    PatternDetector(
        JWT,
        RANK[JWT],
        compile_pattern(_JWT),
        _jwt,
        triggers=(b"eyJ",),
        prefilter="eyJ",
    ),
    PatternDetector(
        JWT,
        RANK[JWT],
        compile_pattern(_SPACED_JWT),
        _spaced_jwt,
        prefilter=SPACED_JWT_PREFILTER,
    ),
    ENCODED_JWT_DETECTOR,
    ProviderTokenDetector(),
    *FORMAT_DETECTORS,
    *SHAPE_DETECTORS,
    AZURE_KEY_DETECTOR,
    PatternDetector(
        PASSWORD,
        RANK[PASSWORD],
        compile_pattern(r"\b[A-Za-z][A-Za-z0-9+.-]{1,30}://[^\s:/?#\"'<>]*:[^\s/?#\"'<>]+@"),
        _url_password_match,
        triggers=(b"://",),
        prefilter="://",
    ),
    PatternDetector(
        JWT,
        RANK[JWT],
        compile_pattern(
            r"\beyJ[A-Za-z0-9_-]{8,}" + _LINE_BREAK + r"\." + _LINE_BREAK + r"eyJ[A-Za-z0-9_-]{4,}"
            r"(?:" + _LINE_BREAK + r"\." + _LINE_BREAK + r"[A-Za-z0-9_-]*)?"
        ),
        _two_part_jwt,
        triggers=(b"eyJ",),
        prefilter="eyJ",
    ),
    PatternDetector(
        PASSWORD_HASH,
        RANK[PASSWORD_HASH],
        compile_pattern(
            r"\$[A-Za-z0-9-]{1,20}\$[A-Za-z0-9./+=$*:@#_,-]{16,1000}"
            r"|\b(?:pbkdf2_sha256|pbkdf2_sha1|argon2|bcrypt_sha256|bcrypt|scrypt|sha1|md5)"
            r"\$[A-Za-z0-9./+=$*:@#_,-]{16,1000}"
        ),
        _password_hash,
        triggers=(b"$",),
        prefilter=r"\$",
    ),
    *KEYWORD_DETECTORS,
    *COMMAND_DETECTORS,
    *XML_PAIR_DETECTORS,
    *NPMRC_DETECTORS,
    *STORED_HASH_DETECTORS,
    *BLOCK_SCALAR_DETECTORS,
    *CREDENTIAL_PAIR_DETECTORS,
    *NESTED_VALUE_DETECTORS,
)
