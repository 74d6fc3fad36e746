"""Secrets after a key word and spaces, or glued onto a name that holds one (SPEC §4).

"high-entropy tokens next to key words" without an operator or a quote between:
``api key Kx8…``, ``SECRET_KEY a9F…``, netrc's ``password 7cc9…``, and a key word glued
into a name with the value glued on (``dd-apikey-<hex>``, ``acmeSECRETKEY-<token>``).
Without an operator only a value that looks generated counts.

Some words name a secret only next to a provider's name (issue 16): ``<provider> ACCESS
<token>``, ``acmePRIVATE-<token>``, ``acme_private=<token>``, ``sonar.login=<hex>``,
``ASANA_PAT = <hex>``, ``acme_api=<token>``. Alone they are common words (``private`` in
code, ``access``, ``login`` and ``api`` in prose and configs), so the identifier must end
with one (a provider's name may be glued before it: ``weatherbitACCESS``), and the value
must look generated and be at least 20 bytes, 32 in hex (short hashes, versions, dates,
64-bit digests and ids are shorter). The validators are Python, called back from the
compiled scan (no C++ port).
"""

from __future__ import annotations

import re

from .detector import PatternDetector, compile_pattern
from .keynames import (
    _KEY_BOUNDARY,
    _NOT_SECRET_SUFFIXES,
    _STRONG,
    RANK,
    _identifier_kind,
    _name_start,
)
from .keyvalues import MAX_VALUE, is_placeholder, is_reference, looks_generated
from .model import SECRET

# "api key Kx8…", "SECRET_KEY a9F…", netrc's "password 7cc9…": a key word whose value
# follows after spaces alone, no operator or quote. Without the operator only a value
# that looks generated counts (so one with a digit: the pattern stops at the value's
# first digit, which keeps its automaton small; the validator reads the rest), and the
# value must end where a token ends. Or glued (``dd-apikey-<hex>``, ``acmeSECRETKEY-<token>``):
_GLUED = r"[A-Za-z]{0,12}[-_.][A-Za-z+/_~-]*"  # no '=': NAME_SECRET_KEY=value is assigned
# Naming words (see above) take the key words' forms, and an operator: ``=``, ``:``, ``=>``, ``:=``
# (a quote may close the name and open the value), or ``', '`` (``setProperty('x', '…')``).
_NAMING = r"access|private"
_ASSIGNED = r"access|private|login|pat|api"
_OPERATOR = r"(?:[\"'`]?[ \t]{0,3}(?:=>|:=|[:=])|[\"'`][ \t]{0,3},)[ \t]{0,3}[\"'`]?"
_WORDS = "(?:" + _STRONG + "|token|key|" + _NAMING + ")"
_SPACED = (
    r"(?i)(?:" + _WORDS + r"(?:[ \t]+[A-Za-z+/_~=-]*|" + _GLUED + ")"
    r"|(?:" + _ASSIGNED + ")" + _OPERATOR + r"[A-Za-z+/_~-]*)[0-9]"
)
_SPACED_REST = re.compile(rb"[A-Za-z0-9+/_.~=-]*")
_SPACED_END = frozenset(b" \t\r\n,;)}]\"'")


def _spaced(data: bytes, match_start: int, end: int) -> tuple[int, int] | None:
    """A generated-looking value after a key word and spaces (the match's last word)."""
    word_end = match_start
    while word_end < end and data[word_end : word_end + 1].isalpha():
        word_end += 1
    operator = data[word_end : word_end + 5].lstrip(b"\"'` \t")[:1]
    if operator in (b":", b"=", b",") and data[match_start:word_end].lower() in _ASSIGNED_WORDS:
        return _assigned(data, match_start, word_end)
    start = end
    while start > match_start and data[start - 1] not in (0x20, 0x09):
        start -= 1
    if start == match_start:
        return _glued(data, match_start, end)
    key_end = start
    while key_end > 0 and data[key_end - 1] in (0x20, 0x09):
        key_end -= 1
    key_start = _name_start(data, key_end)
    if key_start is None or not _names_secret(data[key_start:key_end]):
        return None
    rest = _SPACED_REST.match(data, end, min(len(data), start + MAX_VALUE))
    end = rest.end() if rest else end
    while end > start and data[end - 1] == 0x2E:  # a sentence's full stop
        end -= 1
    if end < len(data) and data[end] not in _SPACED_END and data[end] != 0x2E:
        return None  # the token goes on (``key abc:def``, an e-mail address)
    value = data[start:end]
    if _identifier_kind(data[key_start:key_end]) is None and not _naming_value(value):
        return None  # named by a naming word alone (checked first: it costs less)
    if is_reference(value) or not looks_generated(value) or is_placeholder(value):
        return None
    return start, end


def _assigned(data: bytes, match_start: int, word_end: int) -> tuple[int, int] | None:
    """``<name ending with a naming word> <operator> <value>``: the value, if generated."""
    key_start = _name_start(data, match_start)
    if key_start is None or not _names_naming_word(data[key_start:word_end]):
        return None
    n, at = len(data), word_end
    quoted_name = data[at : at + 1] in (b'"', b"'", b"`")
    at = _skip(data, at + quoted_name, b" \t")
    if data[at : at + 1] not in (b":", b"=", b","):
        return None
    at += 2 if data[at : at + 2] in (b"=>", b":=") else 1
    start = _skip(data, at, b" \t")
    quote = data[start] if start < n and data[start] in b"\"'`" else None
    start += quote is not None
    rest = _SPACED_REST.match(data, start, min(n, start + MAX_VALUE))
    end = rest.end() if rest else start
    while end > start and quote is None and data[end - 1] == 0x2E:  # a full stop
        end -= 1
    if end < n and (data[end] != quote if quote is not None else data[end] not in _SPACED_END):
        return None  # the value goes on (a path, an address) or its quote is not closed
    value = data[start:end]
    if not _naming_value(value) or is_reference(value) or is_placeholder(value):
        return None
    return (start, end) if looks_generated(value) else None


def _naming_value(value: bytes) -> bool:
    """What a naming word alone may name: 20 bytes or more, 32 in hex (short hashes,
    versions, dates, 64-bit digests and ids are shorter; a key in hex holds 128 bits)."""
    return len(value) >= (32 if value.strip(_HEX) == b"" else 20)


def _skip(data: bytes, at: int, chars: bytes) -> int:
    while at < len(data) and data[at] in chars:
        at += 1
    return at


_HEX = b"0123456789abcdefABCDEF-"
_ASSIGNED_WORDS = frozenset(_ASSIGNED.encode().split(b"|"))
_ENDING_WORDS = (b"access", b"private", b"login", b"api")


def _names_naming_word(identifier: bytes) -> bool:
    """The identifier's last word ends with ``access``, ``private``, ``login`` or ``api``
    (``weatherbitACCESS``, ``sonar.login``, ``sonarLogin``, ``acme_api``) or is ``pat``
    (``ASANA_PAT``); a word that holds one but names something else does not
    (``accessibility``, ``access_url``, ``private_ip``, ``compat``)."""
    last = identifier.lower().replace(b"-", b"_").replace(b".", b"_").split(b"_")[-1]
    return last == b"pat" or last.endswith(_ENDING_WORDS)


def _names_secret(identifier: bytes) -> bool:
    """A key word's identifier (:func:`_identifier_kind`), or one a naming word ends."""
    return _identifier_kind(identifier) is not None or _names_naming_word(identifier)


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
    name = data[ident_start:name_end]
    if value_start >= token_end or not _names_secret(name):
        return None
    value = data[value_start:token_end]
    if _identifier_kind(name) is None and (b"/" in value or not _naming_value(value)):
        return None  # a path after a naming word: ``access-grants/default/…`` in an ARN
    if len(value) < 16 or not looks_generated(value) or is_placeholder(value):
        return None  # short: a version, a date, a size (no operator says it is a value)
    return ident_start, token_end


DETECTOR = PatternDetector(
    SECRET,
    RANK[SECRET],
    compile_pattern(_SPACED),
    _spaced,
    prefilter="(?i)" + _STRONG + "|token|key|" + _ASSIGNED,
)
