"""Detectors for personal identifiers: e-mail, phone, card, SSN, IBAN, IP.

Every pattern is an RE2 pattern over ASCII; each validator looks only at the
matched span and the byte on either side of it.
"""

from __future__ import annotations

from .checksums import (
    IBAN_LENGTHS,
    card_prefix_ok,
    iban_ok,
    ipv4_ok,
    ipv6_ok,
    luhn_ok,
    ssn_ok,
)
from .detector import (
    DIGIT_BYTES,
    DIGIT_TRIGGERS,
    WORD_BYTES,
    PatternDetector,
    byte_at,
    byte_before,
    compile_pattern,
    is_digit_byte,
    is_word_byte,
)
from .fieldnumbers import DETECTORS as FIELD_DETECTORS
from .fieldnumbers import iban_group_before, phone_word_before, ssn_shaped
from .mailboxes import _FILE_EXTENSIONS as _FILE_EXTENSIONS  # native.py hands it to C++
from .mailboxes import DETECTORS as MAILBOX_DETECTORS
from .model import CARD, EMAIL, IBAN, IP, PHONE, SSN
from .nationalids import DETECTORS as NATIONAL_ID_DETECTORS
from .networks import DETECTORS as NETWORK_DETECTORS
from .spellings import DETECTORS as SPELLING_DETECTORS

# Ranks order overlapping candidates of equal length: lower is more specific.
RANK = {IBAN: 40, CARD: 41, SSN: 42, EMAIL: 43, IP: 44, PHONE: 45}

_NUMERIC_JOINERS = frozenset(b".-/:,")
_DIGITS = b"0123456789"
_CARD_SEPARATORS = frozenset(b" -")


def _glued_to_number(data: bytes, start: int, end: int) -> bool:
    """True when the span continues a longer number: ``1.2.3.4.5``, ``12-345-67``."""
    return _glued_before(data, start) or _glued_after(data, end)


def _glued_before(data: bytes, start: int) -> bool:
    before = data[start - 1] if start > 0 else 0x20
    if before in WORD_BYTES:
        return True
    return before in _NUMERIC_JOINERS and start > 1 and data[start - 2] in DIGIT_BYTES


def _glued_after(data: bytes, end: int) -> bool:
    n = len(data)
    after = data[end] if end < n else 0x20
    if after in WORD_BYTES:
        return True
    return after in _NUMERIC_JOINERS and end + 1 < n and data[end + 1] in DIGIT_BYTES


def _email(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    while start < end and data[start] == 0x2E:  # leading dots are punctuation
        start += 1
    if byte_before(data, start) == 0x3A and b"://" in data[max(0, start - 300) : start]:
        return None  # user:password@host in a URL: the password detector owns it
    at = data.index(b"@", start, end)
    if at == start or data[at - 1] == 0x2E or at - start > 64:
        return None
    labels = data[at + 1 : end].split(b".")
    if any(not 0 < len(x) <= 63 or x[:1] == b"-" or x[-1:] == b"-" for x in labels):
        return None
    if labels[-1].lower() in _FILE_EXTENSIONS:
        return None
    return start, end


def _number_follows(data: bytes, end: int) -> bool:
    """True when a digit, or a joiner and a digit, follows ``end``: ``…0958 1`` is not."""
    n = len(data)
    after = data[end] if end < n else 0x20
    if after in DIGIT_BYTES:
        return True
    return after in _NUMERIC_JOINERS and end + 1 < n and data[end + 1] in DIGIT_BYTES


def _phone(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    if _glued_before(data, start) or byte_before(data, start) == 0x2B:
        return None
    # +CC numbers: greedy groups may run into the next number ("+44 20 7946 0958
    # 123-45-6789"); trailing groups are dropped below and the end checked after.
    if _glued_after(data, end) and not (data[start] == 0x2B and _number_follows(data, end)):
        return None
    span = data[start:end]
    glued = byte_before(data, start) == 0x20 and is_digit_byte(byte_before(data, start - 1))
    if glued and is_digit_byte(span[0]):
        return None  # tail of a longer digit-group run (account numbers, IBANs)
    digits = len(span) - len(span.translate(None, _DIGITS))
    if span[:1] == b"+":
        # Swallowed a next number: drop trailing groups. When the match ran into a
        # number, keep dropping until none follows.
        glued = _glued_after(data, end)
        while (digits > 15 or (glued and _number_follows(data, end))) and len(
            span.translate(None, b" .-")
        ) != len(span):
            cut = max(span.rfind(b" "), span.rfind(b"."), span.rfind(b"-"))
            digits -= len(span) - cut - len(span[cut:].translate(None, _DIGITS))
            span, end = span[:cut], start + cut
        ok = 8 <= digits <= 15 and not (glued and _glued_after(data, end))
    elif span[:1] == b"0" or span[:2] == b"(0":
        ok = 9 <= digits <= 12
    else:
        ok = digits == 10 or (digits == 11 and span.lstrip(b"+")[:1] == b"1")
    return (start, end) if ok else None


def _phone_in_context(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """:func:`_phone`, and a bare digit run (``024524746``) only after a phone word.

    Issue 16: an ungrouped run of digits that starts with 0 is as often a
    reference or a product code as a phone number; the text must say so.
    """
    span = _phone(data, start, end)
    if span is None:
        return None
    s, e = span
    if is_digit_byte(data[s]) and iban_group_before(data, s):
        return None  # NL91 ABNA 0417 1643 01: the groups of an IBAN or account number
    bare = data[s] == 0x30 and data[s:e].isdigit()
    if (bare or ssn_shaped(data[s:e])) and not phone_word_before(data, s):
        return None  # 078-05-1120: an SSN's shape is a phone only where the text says so
    return span


def _card(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The longest run of digit groups that is a valid card number.

    Groups are joined by one kind of separator (or none); every group but the
    last has 3-6 digits. Searching sub-runs finds a card glued to a neighbouring
    number ("ref 12 4111 1111 1111 1111"); the span holds at most 41 digits.
    """
    # The pattern guarantees digits joined by single spaces or dashes.
    groups: list[tuple[int, int]] = []  # (start, end) of each digit group
    seps: list[int] = []  # separator byte after each group but the last
    pos = start
    for part in data[start:end].replace(b"-", b" ").split(b" "):
        group_end = pos + len(part)
        groups.append((pos, group_end))
        pos = group_end + 1
    for _, group_end in groups[:-1]:
        seps.append(data[group_end])
    best: tuple[int, int] | None = None
    for i in range(len(groups)):
        digits = 0
        for j in range(i, len(groups)):
            if j > i + 1 and seps[j - 1] != seps[i]:
                break
            length = groups[j][1] - groups[j][0]
            digits += length
            if digits > 19:
                break
            s, e = groups[i][0], groups[j][1]
            longer = best is None or e - s > best[1] - best[0]
            if digits >= 13 and longer and not _glued_to_number(data, s, e):
                raw = data[s:e]
                if _card_digits_ok(raw if i == j else raw.translate(None, b" -")):
                    best = (s, e)
            if not 3 <= length <= 6:
                break
    return best


def _cards(data: bytes, start: int, end: int) -> tuple[list[tuple[int, int]], int]:
    """Every card number in a run of digit groups, left to right, and where to resume.

    The longest valid card wins (:func:`_card`); the groups left of it are searched
    again, so ``5555555555554444 4111 1111 1111 1111`` yields both cards. Scanning
    resumes after the last card. The pattern takes at most 41 digits, so a longer
    run is cut at ``end``; without a card, scanning then resumes at the first group
    whose digits through ``end`` number fewer than 19 (the longest card), so a card
    across the cut is found with the groups that follow (re-reading < 19 digits).
    """
    if _iban_head_before(data, start):
        return [], end  # RS35 2600 0560 1001 6113 70: an IBAN's groups (its check may fail)
    found: list[tuple[int, int]] = []
    stop = end
    while start < stop:
        best = _card(data, start, stop)
        if best is None:
            break
        found.append(best)
        stop = best[0] - 1  # the separator before the card's first group
    found.reverse()
    if found:
        return found, found[-1][1]
    n = len(data)
    if end + 1 < n and data[end] in _CARD_SEPARATORS and data[end + 1] in DIGIT_BYTES:
        resume = end
        digits = 0
        group_end = end
        for part in reversed(data[start:end].replace(b"-", b" ").split(b" ")[1:]):
            digits += len(part)
            if digits >= 19:
                break
            resume = group_end - len(part)
            group_end = resume - 1
        return found, resume
    return found, end


def _iban_head_before(data: bytes, start: int) -> bool:
    """``XX99 `` (an IBAN's country code and check digits, alone) right before ``start``."""
    head = data[start - 5 : start - 1]
    return (
        start >= 5
        and data[start - 1] == 0x20
        and head[:2].isalpha()
        and head[:2].isupper()
        and head[2:].isdigit()
        and (start == 5 or not is_word_byte(data[start - 6]))
    )


def _card_digits_ok(digits: bytes) -> bool:
    return 13 <= len(digits) <= 19 and card_prefix_ok(digits) and luhn_ok(digits)


def _ssn(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    if _glued_to_number(data, start, end):
        return None
    span = data[start:end]
    if len(span) == 11:
        if span[3] != span[6]:
            return None
        return (start, end) if ssn_ok(span[0:3], span[4:6], span[7:11]) else None
    return (start, end) if ssn_ok(span[0:3], span[3:5], span[5:9]) else None


def _ssn_after_key_word(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``SSN: 123456789``: the match ends with the nine digits."""
    return _ssn(data, end - 9, end)


def _iban(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    if is_word_byte(byte_before(data, start)):
        return None
    length = IBAN_LENGTHS.get(data[start : start + 2])
    if length is None:
        return None
    seen = 0
    pos = start
    while pos < end and seen < length:  # walk to the end of `length` characters
        if data[pos] != 0x20:
            seen += 1
        pos += 1
    if seen < length or is_word_byte(byte_at(data, pos)):
        return None
    return (start, pos) if iban_ok(data[start:pos].replace(b" ", b"")) else None


def _ipv4(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    before, after = byte_before(data, start), byte_at(data, end)
    if is_word_byte(before) or is_word_byte(after) or not ipv4_ok(data[start:end]):
        return None
    if before == 0x2E or (after == 0x2E and is_digit_byte(byte_at(data, end + 1))):
        return None  # part of a longer dotted number such as 1.2.3.4.5
    context = data[max(0, start - 10) : start].lower()
    if context.endswith((b"v", b"==", b">=", b"<=", b"~=")) or b"version" in context:
        return None
    if before == 0x2D and 97 <= (context[-2:-1] or b" ")[0] <= 122:
        return None  # a release's name-version (``hasql-1.6.0.1``, ``foo-2.0.1.3.tar.gz``)
    return start, end


def _ipv6(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    if data[start] == 0x3A and data[start : start + 2] != b"::":
        start += 1
    if data[end - 1] == 0x3A and data[end - 2 : end] != b"::":
        end -= 1
    before, after = byte_before(data, start), byte_at(data, end)
    if is_word_byte(before) or is_word_byte(after) or before in b".:":
        return None
    if after == 0x2E and is_digit_byte(byte_at(data, end + 1)):
        return None  # ::ffff:192.168.1, 2001:db8::256.1.1.1: not an address
    return (start, end) if ipv6_ok(data[start:end]) else None


_HEX = "[0-9A-Fa-f]"
_IPV4_TAIL = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}"

DETECTORS = (
    PatternDetector(
        EMAIL,
        RANK[EMAIL],
        compile_pattern(
            # Unicode letters too: internationalised addresses (RFC 6531) are personal data.
            # Labels are unbounded here (bounded counts of \pL blow up the automaton).
            r"[\pL\pN._%+-]+@[\pL\pN-]+(?:\.[\pL\pN-]+)*\.[A-Za-z]{2,24}\b"
        ),
        _email,
        triggers=(b"@",),
        prefilter="@",
    ),
    PatternDetector(
        PHONE,
        RANK[PHONE],
        compile_pattern(
            r"\+[1-9][0-9]{0,2}(?:[ .-]?(?:\([0-9]{1,4}\)|[0-9]{1,5})){1,7}"
            r"|(?:\b1[ .-]?)?(?:\([2-9][0-9]{2}\) ?|\b[2-9][0-9]{2}[ .-])"
            r"[2-9][0-9]{2}[ .-][0-9]{4}\b"
            r"|(?:\b0[1-9][0-9]{0,3}|\(0[1-9][0-9]{0,3}\))(?:[ -]?[0-9]{2,8}){1,4}\b"
        ),
        _phone_in_context,
        triggers=DIGIT_TRIGGERS,
        prefilter=r"\+[1-9]|[2-9][0-9]{2}[ .-][0-9]{4}|0[1-9][0-9]{0,3}\)?[ -]?[0-9]{2}",
    ),
    PatternDetector(
        CARD,
        RANK[CARD],
        compile_pattern(r"\b[0-9](?:[ -]?[0-9]){12,40}\b"),
        validate_many=_cards,
        prefilter=r"[0-9](?:[ -]?[0-9]){12}",
    ),
    PatternDetector(
        SSN,
        RANK[SSN],
        compile_pattern(r"\b[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}\b"),
        _ssn,
        prefilter=r"[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}",
    ),
    PatternDetector(
        SSN,
        RANK[SSN],
        compile_pattern(
            r"(?i)\b(?:ssn|social security(?: number| no\.?)?)\s{0,3}[:#=]?\s{0,3}[0-9]{9}\b"
        ),
        _ssn_after_key_word,
        prefilter=r"(?i)ssn|social security",
    ),
    PatternDetector(
        IBAN,
        RANK[IBAN],
        compile_pattern(r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,40}"),
        _iban,
        prefilter=r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11}",
    ),
    PatternDetector(
        IP,
        RANK[IP],
        compile_pattern(r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b"),
        _ipv4,
        prefilter=r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]",
    ),
    PatternDetector(
        IP,
        RANK[IP],
        compile_pattern(
            rf"(?:{_HEX}{{1,4}}:){{7}}{_HEX}{{1,4}}"
            rf"|(?:{_HEX}{{1,4}}:){{6}}{_IPV4_TAIL}"
            rf"|[0-9A-Fa-f:]{{0,39}}::(?:[0-9A-Fa-f:]{{0,39}}{_HEX}|{_IPV4_TAIL})?"
        ),
        _ipv6,
        triggers=(b"::", b":"),
        prefilter=rf"(?:{_HEX}{{1,4}}:){{6}}|::",
    ),
    *SPELLING_DETECTORS,
    *MAILBOX_DETECTORS,
    *FIELD_DETECTORS,
    *NATIONAL_ID_DETECTORS,
    *NETWORK_DETECTORS,
)
