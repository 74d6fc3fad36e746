"""Secrets after a key word and spaces, or glued onto a name that holds one (SPEC §4).

"high-entropy tokens next to key words" without an operator or a quote between:
``api key Kx8…``, ``SECRET_KEY a9F…``, netrc's ``password 7cc9…``, and a key word glued
into a name with the value glued on (``dd-apikey-<hex>``, ``acmeSECRETKEY-<token>``).
Without an operator only a value that looks generated counts. The validators are
Python, called back from the compiled scan (no C++ port).
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
_SPACED = r"(?i)(?:" + _STRONG + r"|token|key)(?:[ \t]+[A-Za-z+/_~=-]*|" + _GLUED + ")[0-9]"
_SPACED_REST = re.compile(rb"[A-Za-z0-9+/_.~=-]*")
_SPACED_END = frozenset(b" \t\r\n,;)}]\"'")


def _spaced(data: bytes, match_start: int, end: int) -> tuple[int, int] | None:
    """A generated-looking value after a key word and spaces (the match's last word)."""
    start = end
    while start > match_start and data[start - 1] not in (0x20, 0x09):
        start -= 1
    if start == match_start:
        return _glued(data, match_start, end)
    key_end = start
    while key_end > 0 and data[key_end - 1] in (0x20, 0x09):
        key_end -= 1
    key_start = _name_start(data, key_end)
    if key_start is None or _identifier_kind(data[key_start:key_end]) is None:
        return None
    rest = _SPACED_REST.match(data, end, min(len(data), start + MAX_VALUE))
    end = rest.end() if rest else end
    while end > start and data[end - 1] == 0x2E:  # a sentence's full stop
        end -= 1
    if end < len(data) and data[end] not in _SPACED_END and data[end] != 0x2E:
        return None  # the token goes on (``key abc:def``, an e-mail address)
    value = data[start:end]
    if is_reference(value) or not looks_generated(value) or is_placeholder(value):
        return None
    return start, end


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
    if value_start >= token_end or _identifier_kind(data[ident_start:name_end]) is None:
        return None
    value = data[value_start:token_end]
    if len(value) < 16 or not looks_generated(value) or is_placeholder(value):
        return None  # short: a version, a date, a size (no operator says it is a value)
    return ident_start, token_end


DETECTOR = PatternDetector(
    SECRET,
    RANK[SECRET],
    compile_pattern(_SPACED),
    _spaced,
    prefilter="(?i)" + _STRONG + "|token|key",
)
