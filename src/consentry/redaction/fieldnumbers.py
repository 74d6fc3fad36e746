"""Phone numbers and national identifiers checked by the field's own libraries (issue 16).

SPEC §4: "phone numbers", "national identifiers with checksums". The fast scan proposes a
candidate (an RE2 pattern, run in the compiled scan with the validators below called
back); the validator decides with the libraries of numbering plans and checksums:

* ``phonenumbers`` (Google's libphonenumber metadata): a number written with a country
  code (``+``, ``00``, ``011``) must be a valid number of that country; one written
  nationally a valid number of some region, grouped like a phone number or after a
  word such as "phone" or "call" (then a possible length is enough: made-up area codes).
  Extensions (``x235``, ``ext. 12``, ``+86 20 61302222-8866``) belong to the number
  (a bare run glued to ``X`` and digits is one code). A phone word may be glued to it
  (``tel:+49…``); arithmetic, years, a number after "No." or named otherwise ("the zip
  is …", "#-", "the tracking number was …") is none.
* ``python-stdnum``: a national identifier of a person must pass its country's
  checksum and format; one written with digits only (and separators) must
  follow a word such as "ID" or "number", since dates, versions and amounts
  pass some country's checksum too.

Each validator reads the candidate and at most 48 bytes before it. The national
identifiers' detector is in :mod:`.nationalids`; it shares the helpers here. The
library calls are in :mod:`.phoneplans`.
"""

from __future__ import annotations

import functools
import re

import phonenumbers

from . import notphones
from .detector import DIGIT_TRIGGERS, PatternDetector, compile_pattern
from .model import CARD, EMAIL, IBAN, NATIONAL_ID, PHONE, SSN
from .notphones import _CURRENCY_BEFORE, _DATE_LIKE, _ISBN_WRITTEN, _THOUSANDS, _timestamp
from .phoneplans import CACHE_SIZE as CACHE_SIZE  # re-exported: nationalids sizes by it
from .phoneplans import (
    _possible_as_e164,
    _possible_internationally,
    _valid_internationally,
    _valid_nationally,
)

RANK = {IBAN: 40, CARD: 41, SSN: 42, EMAIL: 43, PHONE: 46, NATIONAL_ID: 47}
_CONTEXT = 48

_PHONE_WORDS = re.compile(
    rb"(?i)(?:phone|tel\b|tel\.|telephone|mobile|cell|fax|call|ring|text me|sms|whatsapp|"
    rb"signal|contact|reach|dial|number|nummer|num[e\xc3\xa9]ro|telefon|handy|portable|"
    rb"\xd1\x82\xd0\xb5\xd0\xbb|\xe9\x9b\xbb\xe8\xa9\xb1|\xe7\x94\xb5\xe8\xaf\x9d|"
    rb"\xe0\xa4\xab(?:\xe0\xa4\xbc)?\xe0\xa5\x8b\xe0\xa4\xa8)"  # Hindi "phone" (nukta or not)
)
_NOT_PHONE_WORDS = re.compile(
    rb"(?i)(?:isbn|issn|ean|gtin|upc|version|v\.|order|invoice|ticket|serial|sku|tracking|"
    rb"account|iban|card|ssn|zip|postcode|lat|lon|epoch|timestamp|routing|\bein)"
    rb"(?:\W{1,3}(?:number|no|nr|num))?(?:\W{1,3}(?:is|was))?\W{0,3}$|#[^\w@-]{0,3}$"
)
# "No." or "Nr." just before a number the text does not call a phone: a form, a part, a lot.
_NUMBER_SIGN = re.compile(rb"\b(?:[Nn][Oo]|[Nn]r)\.[ \t:]{0,3}$")
_NUMBER_WORD = re.compile(rb"(?i)number|nummer|num[e\xc3\xa9]ro")
_SSN_SHAPE = re.compile(rb"[0-9]{3}[-. ][0-9]{2}[-. ][0-9]{4}")
_SSN_INSIDE = re.compile(rb"(?<![0-9])[0-9]{3}([- ])[0-9]{2}\1[0-9]{4}(?![0-9])")
_IPV4_INSIDE = re.compile(rb"(?:^|[^0-9.])[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:$|[^0-9.])")
_NOT_DIGITS = bytes(c for c in range(256) if not 48 <= c <= 57)
_EXTENSION = re.compile(rb"(?i)[ \t]*(?:x|ext\.?|extension|#)[ \t]*[0-9]{1,6}$")
_DASH_EXTENSION = re.compile(rb"-[0-9]{1,5}$")


def _alnum(b: int) -> bool:
    return 48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122


def _glued(data: bytes, start: int, end: int) -> bool:
    """The span continues a longer token: a word, a hex id, a dotted or dashed number."""
    n = len(data)
    before = data[start - 1] if start > 0 else 0x20
    after = data[end] if end < n else 0x20
    if _alnum(before) or before in b"_+" or _alnum(after) or after == 0x5F:
        return True
    if before in b".-/:" and start > 1 and _alnum(data[start - 2]):
        return True
    if after in b".-/:" and end + 1 < n and _alnum(data[end + 1]):
        return True
    return iban_group_before(data, start)


def _word_opens(data: bytes, start: int) -> bool:
    """A word glued to the number's opening ":", "+" or "(": "is:1234 5678", "tel:+49…",
    "is+45 12 34 56 78", "is(+45)12-34-56-78" (a phone number when the text says so)."""
    if start > 1 and data[start - 1] == 0x3A:
        word = data[start - 2]
    elif start > 0 and data[start] in b"+(":
        word = data[start - 1]
    else:
        return False
    return 65 <= word <= 90 or 97 <= word <= 122


def _continues(data: bytes, end: int) -> bool:
    """The span runs on into a word, a hex id or a dotted number after it (_glued's end)."""
    after = data[end] if end < len(data) else 0x20
    if _alnum(after) or after == 0x5F:
        return True
    return after in b".-/:" and end + 1 < len(data) and _alnum(data[end + 1])


def _operand(data: bytes, start: int, main: bytes) -> bool:
    """A term of arithmetic, not a phone number: after "*" ("45*31-339243873"), a "+"
    after a number's ")" ("(45)+(31)-278394"), or a negative number ("-2208960000")."""
    before = data[start - 1] if start > 0 else 0x20
    two = data[start - 2] if start > 1 else 0x20
    if before == 0x2A:
        return _alnum(two) or two == 0x29
    if before == 0x29 and data[start] == 0x2B:
        return 48 <= two <= 57
    return before == 0x2D and main.isdigit() and two in b" \t\n([{=,:"


def iban_group_before(data: bytes, start: int) -> bool:
    """The next group of an IBAN or account number ("DE89 3704 …", "BG80 BNBG 9661 …"): four
    capitals and digits, a word of its own, holding a digit or after a group ending in one;
    "PESEL 4405…", "CELL 0612…", "TCKN 1000…" are words naming the number (issue 16)."""
    group = data[start - 5 : start - 1]
    if start < 5 or data[start - 1] != 0x20 or not group.isalnum() or not group.isupper():
        return False
    if start > 5 and _alnum(data[start - 6]):
        return False  # the end of a longer word
    return any(48 <= c <= 57 for c in group) or (
        start > 6 and data[start - 6] == 0x20 and 48 <= data[start - 7] <= 57
    )


@functools.lru_cache(maxsize=CACHE_SIZE)
def _other_number(value: str) -> bool:
    """A valid ISBN-10/13, ISSN or EAN-13 as written: a book, journal or product.

    Only forms of 10 or 13 digits (ISBN, EAN) or ``NNNN-NNNN`` (ISSN) count; stdnum
    also takes shorter compacted forms that many phone numbers match.
    """
    from stdnum import ean, isbn, issn

    digits = sum(c.isdigit() for c in value) + value.upper().endswith("X")
    if digits in (10, 13) and isbn.is_valid(value):
        return True
    if digits == 13 and value.isdigit() and ean.is_valid(value):
        return True
    return len(value) == 9 and value[4] == "-" and issn.is_valid(value)


def _calling_code_group(main: bytes, first: bytes) -> bool:
    """True when the number's first group is ``+`` or ``00``/``011`` and a calling code."""
    if main.lstrip(b"( ")[:1] == b"+":
        return _country_code(first)
    return any(first.startswith(p) and _country_code(first[len(p) :]) for p in (b"00", b"011"))


def _country_code(group: bytes) -> bool:
    """True when a group of digits is exactly a calling code (``1``, ``44``, ``371``)."""
    return 0 < len(group) <= 3 and int(group) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE


def phone_word_before(data: bytes, start: int) -> bool:
    """True when a word such as "phone", "call" or "tel" stands shortly before ``start``."""
    return _phone_said(data[max(0, start - _CONTEXT) : start])


@functools.lru_cache(maxsize=CACHE_SIZE)  # _phone asks again for each shorter prefix
def _phone_said(before: bytes) -> bool:
    """A phone word in ``before``; "number" or "Nummer" only where no identifier is named
    ("my ID number is …", "Personal number …", "Ausweisnummer …" are not phone numbers)."""
    generic = False
    for word in _PHONE_WORDS.finditer(before):
        if not _NUMBER_WORD.fullmatch(word.group()):
            return True
        generic = True
    return generic and not _ID_NAMED.search(before)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _phone_named(before: bytes) -> bool:
    """A phone word other than "number", "Nummer" or "numéro" in ``before``."""
    return any(not _NUMBER_WORD.fullmatch(w.group()) for w in _PHONE_WORDS.finditer(before))


def _bare_number(digits: str, before: bytes) -> bool:
    """A bare run taken as a phone number without a phone word: 10 or 11 digits as mobile
    numbers are written in many countries (``3582268663``, ``13812345678``), not led by 0
    (references, zero-padded ids), not Unix time in seconds (2001-2039), and no identifier
    named before it. Every such run is valid in some numbering plan; the filter errs
    towards removing a bare order number rather than leaving a phone number."""
    if len(digits) not in (10, 11) or digits[0] == "0":
        return False
    if len(digits) == 10 and 1_000_000_000 <= int(digits) < 2_200_000_000:
        return False
    return not _ID_NAMED.search(_clause(before))


def _clause(before: bytes) -> bytes:
    """The end of ``before`` after its last field or clause break (``{"id": 42, "ref": "``)."""
    cut = max(before.rfind(c) for c in (b",", b";", b"|", b"\n"))
    return before[cut + 1 :]


def ssn_shaped(value: bytes) -> bool:
    """``078-05-1120``, ``693-09.4444``: three, two and four digits, a US SSN's shape."""
    return _SSN_SHAPE.fullmatch(value) is not None


def _phone(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The longest phone number at the start of a run of digit groups.

    A run may hold several numbers ("415 555-2671 555-2671"): when the whole run
    is not one, its prefixes that end at a space are tried, longest first; the
    scan resumes after the one found and finds the next.
    """
    # "3 8362 2119 5", "3 401 01319 X": an ISBN as printed, not a phone number and a digit
    checked = data[end : end + 2] in (b" X", b"-X") and not _continues(data, end + 2)
    tail = end + 2 if checked else end
    if _ISBN_WRITTEN.fullmatch(data, start, tail) and _other_number(data[start:tail].decode()):
        return None
    found = _one_phone(data, start, end) or _dash_extension(data, start, end)
    fours = notphones._FOURS.fullmatch(data, start, end) and not phone_word_before(data, start)
    if found is not None or fours:
        return found  # "1234 5678 90": one number printed in fours, no prefix of it is a phone
    cut = end
    for _ in range(8):
        cut = data.rfind(b" ", start, cut)
        if cut <= start:
            return None
        found = _one_phone(data, start, cut)
        if found is not None:
            return found
    return None


def _dash_extension(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``+86 20 61302222-8866``: a number written with its country code, then "-" and an
    extension of 1 to 5 digits; the number is read with the extension cut out."""
    while end > start and data[end - 1] in b" .-/(":
        end -= 1
    tail = _DASH_EXTENSION.search(data, start, end)
    if data[start] != 0x2B or tail is None:
        return None
    a = max(0, start - _CONTEXT)
    window = data[a : tail.start()] + data[end : end + 2]
    found = _one_phone(window, start - a, tail.start() - a)
    return (start, end) if found == (start - a, tail.start() - a) else None


# size: one decision; _native.cpp ports its rejecting part, pinned to this source
def _one_phone(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A phone number, national or international, with its extension."""
    while end > start and data[end - 1] in b" .-/(":
        end -= 1
    if end == start:
        return None  # "( 20 ) …" cut at its first space: "(" alone
    before = data[max(0, start - _CONTEXT) : start]
    if _glued(data, start, end) and not (
        _word_opens(data, start) and not _continues(data, end) and _phone_said(before)
    ):
        return None
    raw = data[start:end]
    ext = _EXTENSION.search(raw) if 97 <= raw[-1] <= 122 or raw[-1] in b"#0123456789" else None
    main = raw[: ext.start()] if ext else raw
    digits = main.translate(None, _NOT_DIGITS).decode()
    if not 7 <= len(digits) <= 17 or not digits.strip("0"):
        return None  # 000-00-00-00: zeros only are a placeholder, no number of any plan
    if _NOT_PHONE_WORDS.search(before[-24:]) or _DATE_LIKE.fullmatch(main.strip(b"()")):
        return None
    said = _phone_said(before)
    if ext and not said and main.isdigit() and raw[len(main)] not in b" \t#":
        return None  # "11131517191X11111": a bare run glued to x and digits is one code
    if not said and ssn_shaped(main.strip()):
        return None  # an SSN's shape (valid or not): not a phone unless the text says so
    if _operand(data, start, main):
        return None
    if not said and _NUMBER_SIGN.search(before):
        return None  # "No. 1234567": a form, a part
    if not said and _CURRENCY_BEFORE.search(before) and _THOUSANDS.fullmatch(main):
        return None  # "R 6 954 231": an amount
    groups = [g for g in re.split(rb"[^0-9]+", main) if g]
    # Written with a country code as its own group ("+1-439-577-6340", "+(371) 5417 5651",
    # "00421 2 4707 8129", "001-874-845-0334"): the grouping says what it is, so a
    # short area code may follow and a number of a possible length is taken.
    international = len(groups) > 1 and _calling_code_group(main, groups[0])
    if not (said or international) and any(len(g) < 2 for g in groups[1:]):
        return None  # 1.0.0.12345, 10.0.0.0/24: only a leading group (a trunk digit) is short
    if not (said or international) and notphones._no_plan_groups(main):
        return None  # "12345-6789": a ZIP+4; "1234 5678 90": a card's or a serial's fours
    ssn = _SSN_INSIDE.search(main)
    if ssn and ssn.group() != main.strip():
        return None  # an SSN run into the next number: the SSN detector's, not a phone
    if _IPV4_INSIDE.search(main):
        return None  # 93.15.41.183/24: an address and its prefix length
    dotted = b"." in main and not any(c in main for c in b" -/()")
    if dotted and (
        len(groups) < 3 or all(len(g) <= 3 for g in groups) or sum(len(g) == 1 for g in groups) > 1
    ):
        return None  # 3.14159265, 192.168.1, 1.0.0.39532: a number, an address, a version
    if main.isdigit() and _timestamp(digits):
        return None  # 20221019075634, 1713260029710: a time, not a phone, even when said
    # An ISBN-10's or EAN-13's checksum holds for one number in ten or eleven: after a phone
    # word, a number valid in some numbering plan is a phone number ("call me on 8763511274").
    if _other_number(main.decode("ascii")) and not (
        said and (_valid_nationally(digits) or _valid_internationally(digits))
    ):
        return None
    head = main.lstrip(b"( ")
    # After "call", "phone", "my number is"…, a number of a possible length is taken
    # even where the plan says no such number exists (made-up area codes, test data).
    if head[:1] == b"+" or main[:1] == b"+":
        if _valid_internationally(digits) or (
            (said or international) and _possible_internationally(digits)
        ):
            return start, end
        return None
    for prefix in ("00", "011"):
        rest = digits[len(prefix) :]
        if digits.startswith(prefix) and (
            _valid_internationally(rest) or (international and _possible_internationally(rest))
        ):
            return start, end
    # "Numbers 111222333444": after "number" alone, 12+ bare digits (no trunk 0) are E.164's
    if said and len(digits) > 11 and main.isdigit() and digits[0] != "0":
        said = _phone_named(before) or _possible_as_e164(digits)
    if said and 7 <= len(digits) <= 15:
        return start, end
    grouped = any(c in b" .-/()" for c in main.strip())
    if not grouped and not ext and (len(digits) > 11 or not (said or _bare_number(digits, before))):
        return None  # a bare digit run: a phone where the text says so or as a bare mobile
    return (start, end) if _valid_nationally(digits) else None


# ID words that name an identifier (not "number" alone): "number" then means no phone.
_ID_NAMED = re.compile(
    rb"(?i)(?:\bid\b|identity|identification|national|personal|citizen|kimlik|c[e\xc3\xa9]dula|"
    rb"\brut\b|curp|amka|egn|personnummer|f[o\xc3\xb8]dselsnummer|kennitala|\brrn\b|pesel|\bbsn\b|"
    rb"\bcpr\b|\bcpf\b|\bnif\b|\bnie\b|\bdni\b|tckn|ausweis|passport|\btax\b|\bsin\b|\bnir\b|"
    rb"aadhaar|codice fiscale|\bssn\b|social security)"
)

# _phone's port (field_phone, _native.cpp) calls these back, with phonenumbers' calling
# codes; it reproduces the helpers and patterns below, pinned to them (GATE_HELPERS).
NATIVE_LIBRARY = (
    _valid_internationally,
    _possible_internationally,
    _valid_nationally,
    _other_number,
)
# The gate's words, in the order it reads them (RE2, Latin-1; as Python reads them on ASCII).
NATIVE_GATE_WORDS = (
    _NOT_PHONE_WORDS,
    _PHONE_WORDS,
    _NUMBER_WORD,
    _ID_NAMED,
    _DATE_LIKE,
    _IPV4_INSIDE,
    _NUMBER_SIGN,
    _CURRENCY_BEFORE,
    _THOUSANDS,
    _ISBN_WRITTEN,
)
NATIVE_PORTED = (
    _one_phone, _glued, iban_group_before, _calling_code_group, _country_code, _phone_said,
    _bare_number, _timestamp, _clause, ssn_shaped, _other_number, _SSN_INSIDE, _EXTENSION,
    _word_opens, _continues, _operand, _dash_extension, _DASH_EXTENSION,
    _phone_named, *notphones.NATIVE_PORTED, *NATIVE_GATE_WORDS,
)  # fmt: skip
NATIVE_GATE_PATTERNS = tuple(p.pattern for p in NATIVE_GATE_WORDS)
# What the national id port and pii._phone_in_context's gate reproduce from this module.
NATIVE_ID_PORTED = (_glued, iban_group_before, _clause, _other_number, _NOT_PHONE_WORDS)
NATIVE_CONTEXT_PORTED = (
    iban_group_before,
    ssn_shaped,
    phone_word_before,
    _phone_said,
    *NATIVE_GATE_WORDS[1:4],
)


def native_library() -> tuple[object, ...]:
    """The port's table: the validator it stands for, the library calls it makes back, and
    the country calling codes phonenumbers knows (all below 1000)."""
    codes = sorted(c for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE if c < 1000)
    return (_phone, *NATIVE_LIBRARY, codes)


DETECTORS = (
    PatternDetector(
        PHONE,
        RANK[PHONE],
        compile_pattern(
            r"(?:\+\(?|\( ?\+?)?[0-9][0-9 ().\-/]{5,24}[0-9]"
            r"(?:[ \t]*(?i:x|ext\.?|extension|#)[ \t]*[0-9]{1,6})?"
        ),
        _phone,
        triggers=DIGIT_TRIGGERS,
        prefilter=r"[0-9][0-9 ().\-/]{5}",  # the pattern's first 6 bytes: a necessary condition
    ),
)
