"""Other spellings of identifiers the detectors of :mod:`.pii` find (issue 16, SPEC §4).

IBANs in lower or mixed case and grouped in any way, card numbers grouped
irregularly (and UATP's and Maestro's own lengths), SSNs written with dots,
e-mail addresses under an internationalised top-level domain. Each validator is
a Python function called back from the compiled scan behind a C++ gate
(``Gate`` in _native.cpp) where one is listed in ``native._GATES``.
"""

from __future__ import annotations

from .checksums import IBAN_LENGTHS, card_prefix_ok, iban_ok, luhn_ok, ssn_ok
from .detector import DIGIT_TRIGGERS, PatternDetector, compile_pattern
from .fieldnumbers import RANK, _alnum, _glued
from .model import CARD, EMAIL, IBAN, SSN


def _iban_any_case(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """An IBAN in lower or mixed case, grouped by spaces or hyphens in any way."""
    if start > 0 and _alnum(data[start - 1]):
        return None
    country = data[start : start + 2].upper()
    length = IBAN_LENGTHS.get(country)
    if length is None:
        return None
    seen = 0
    pos = start
    while pos < end and seen < length:
        if _alnum(data[pos]):
            seen += 1
        pos += 1
    if seen < length or (pos < len(data) and _alnum(data[pos])):
        return None
    compact = bytes(c for c in data[start:pos] if _alnum(c)).upper()
    return (start, pos) if iban_ok(compact) else None


_MAESTRO = frozenset((b"50", b"56", b"57", b"58", b"63", b"67", b"69"))


def _card_other(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A card number the main detector does not take: UATP (1…, 15 digits), Maestro's
    12-digit numbers, or any scheme's number grouped irregularly; Luhn-checked."""
    if _glued(data, start, end):
        return None
    digits = bytes(c for c in data[start:end] if 48 <= c <= 57)
    if not 12 <= len(digits) <= 19 or not luhn_ok(digits):
        return None
    if len(digits) == 12:
        return (start, end) if digits[:2] in _MAESTRO else None
    uatp = digits[:1] == b"1" and len(digits) == 15
    return (start, end) if uatp or card_prefix_ok(digits) else None


def _ssn_dotted(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``123.45.6789``: an SSN written with dots (one kind of separator)."""
    if _glued(data, start, end) or data[start + 3] != data[start + 6]:
        return None
    raw = data[start:end]
    return (start, end) if ssn_ok(raw[0:3], raw[4:6], raw[7:11]) else None


_FILE_SUFFIXES = frozenset(b"png jpg jpeg gif svg webp css js json html txt yml yaml".split())


def _email_idn(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """An address whose top-level domain is internationalised (``.рф``, ``.xn--p1ai``)."""
    at = data.index(b"@", start, end)
    if at == start or data[at - 1] == 0x2E or data[start] == 0x2E:
        return None
    labels = data[at + 1 : end].split(b".")
    if any(not 0 < len(x) <= 63 or x[:1] == b"-" or x[-1:] == b"-" for x in labels):
        return None
    return None if labels[-1].lower() in _FILE_SUFFIXES else (start, end)


DETECTORS = (
    PatternDetector(
        IBAN,
        RANK[IBAN],
        # "ES 58 0049 …": a space between the country and the check digits too
        compile_pattern(r"(?i)\b[a-z]{2}[ \-]?[0-9]{2}(?:[ \-]?[a-z0-9]){11,40}"),
        _iban_any_case,
        triggers=DIGIT_TRIGGERS,
        prefilter=r"(?i)[a-z]{2}[ \-]?[0-9]{2}(?:[ \-]?[a-z0-9]){11}",
    ),
    PatternDetector(
        CARD,
        RANK[CARD],
        compile_pattern(r"\b[0-9](?:[ \-.]?[0-9]){11,18}\b"),
        _card_other,
        triggers=DIGIT_TRIGGERS,
        prefilter=r"[0-9](?:[ \-.]?[0-9]){11}",
    ),
    PatternDetector(
        SSN,
        RANK[SSN],
        compile_pattern(r"\b[0-9]{3}\.[0-9]{2}\.[0-9]{4}\b"),
        _ssn_dotted,
        triggers=DIGIT_TRIGGERS,  # every match holds "." too, but prose is full of dots
        prefilter=r"[0-9]{3}\.[0-9]{2}\.[0-9]{4}",
    ),
    PatternDetector(
        EMAIL,
        RANK[EMAIL],
        compile_pattern(
            r"[\pL\pN._%+-]+@[\pL\pN-]+(?:\.[\pL\pN-]+)*\.(?:xn--[a-z0-9-]{2,59}|[^\x00-\x7f\s.,;:!?()<>\[\]'\"]{2,24})"
        ),
        _email_idn,
        triggers=(b"@",),
        prefilter="@",
    ),
)
