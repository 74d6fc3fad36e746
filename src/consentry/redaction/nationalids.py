"""National identifiers of people checked by python-stdnum (issue 16, SPEC §4).

A national identifier must pass its country's checksum and format (35 stdnum
modules); one written with digits only (and separators) must follow a word
such as "ID" or "number" in its own field, since dates, versions and amounts
pass some country's checksum too. The validator reads the candidate and at most
48 bytes before it; the compiled scan calls it back behind a C++ gate.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from types import ModuleType

from .detector import DIGIT_TRIGGERS, PatternDetector, compile_pattern
from .fieldnumbers import (
    _CONTEXT,
    _NOT_PHONE_WORDS,
    CACHE_SIZE,
    RANK,
    _clause,
    _glued,
    _other_number,
)
from .model import NATIONAL_ID

# stdnum modules of identifiers of people, tried in order.
_ID_MODULES = (
    "es.dni", "es.nie", "it.codicefiscale", "mx.curp", "se.personnummer",
    "no.fodselsnummer", "dk.cpr", "is_.kennitala", "cl.rut", "kr.rrn", "za.idnr",
    "tr.tckimlik", "th.pin", "do.cedula", "gr.amka", "bg.egn", "pl.pesel", "br.cpf", "ee.ik",
    "lt.asmens", "ro.cnp", "be.nn", "nl.bsn", "in_.aadhaar", "fr.nir", "ca.sin", "ie.pps",
    "ch.ssn", "de.idnr", "cz.rc", "si.emso", "mu.nid", "my.nric",
    "at.vnr", "be.bis", "bg.pnf", "cu.ni", "ec.ci", "hr.oib", "il.idnr", "in_.pan", "jp.in_",
    "ua.rntrc", "ar.cuit", "lv.pvn", "id.nik", "es.nif",
)  # fmt: skip
# Read on UTF-8 bytes: an accented letter is two bytes, so it is an alternative
# ("c(?:e|\xc3\xa9)dula"), never one member of a class ("c[e\xc3\xa9]dula" takes one byte of
# the two and never matched "c\xc3\xa9dula").
_ID_WORDS = re.compile(
    rb"(?i)(?:\bid\b|identi(?:ty|fication|dad|dade)|national|personal|citizen|number|\bnr\b|"
    rb"\bno\b|nummer|num(?:e|\xc3\xa9)ro|kimlik|c(?:e|\xc3\xa9)dula|\brut\b|curp|amka|egn|personnummer|"
    rb"f(?:o|\xc3\xb8)dselsnummer|kennitala|\brrn\b|\bpin\b|pesel|\bbsn\b|\bcpr\b|\bcpf\b|\bnif\b|"
    rb"\bnie\b|\bdni\b|tckn|ausweis|passport|\btax\b|\bsin\b|\bnir\b|aadhaar|codice fiscale)"
)

# Words that name a person's identifier, not any number ("number", "no", "ID" name books'
# and products too): after one of them, a value that is also a valid ISBN or EAN is the
# identifier (Swedish, Ukrainian, Romanian numbers collide with ISBN-10/EAN-13 checks).
_NAMING_WORDS = re.compile(
    rb"(?i)(?:identi(?:ty|fication|dad|dade)|national|personal|citizen|kimlik|c(?:e|\xc3\xa9)dula|"
    rb"\brut\b|curp|amka|\begn\b|personnummer|f(?:o|\xc3\xb8)dselsnummer|kennitala|\brrn\b|"
    rb"pesel|\bbsn\b|\bcpr\b|\bcpf\b|\bnif\b|\bnie\b|\bdni\b|tckn|ausweis|\bnir\b|aadhaar|"
    rb"codice fiscale|social security|\bcnp\b|\bhetu\b|henkil(?:o|\xc3\xb6)tunnus|rntrc)"
)


# Modules of stdnum's shape for identifiers stdnum lacks (``idnumbers``), tried after it.
_OWN_MODULES = (
    "fi_hetu", "ir", "tw", "hk", "ru_inn", "pt_cc", "pe_cui", "cn_ric",
    "sg_nric", "kw_civil", "uy_ci",
)  # fmt: skip


@functools.cache
def _modules() -> tuple[ModuleType, ...]:
    out = []
    for name in _ID_MODULES:
        try:
            out.append(importlib.import_module(f"stdnum.{name}"))
        except ImportError:  # pragma: no cover - a module missing from an older stdnum
            continue
    out += (importlib.import_module(f"{__package__}.idnumbers.{n}") for n in _OWN_MODULES)
    return tuple(out)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _validators(shape: str) -> tuple[Callable[[str], bool], ...]:
    """The ``is_valid`` of the modules that do not refuse every value of this shape
    (the value with each digit written as 1) by its length alone; every module's
    for the empty shape.

    Issue 16 (speed): a value is tried against 35 modules, each cleaning and
    checking it in Python (~170 µs a value); most refuse a run of digits by its
    length first. A module is left out for a shape only where its own
    ``validate`` raises ``InvalidLength`` for two probes of that shape (all 1s,
    all 7s), so the answer is the same (test_pii_kinds.py compares both on
    random values). Probing costs ~2 ms a shape, so only plain digit runs (one
    shape per length) are probed; values with separators or letters, whose
    shapes rarely repeat, go to every module.
    """
    if not shape:
        return tuple(m.is_valid for m in _modules())
    from stdnum.exceptions import InvalidLength, ValidationError

    kept = []
    for module in _modules():
        refused = 0
        for probe in (shape, shape.replace("1", "7")):
            try:
                module.validate(probe)
            except InvalidLength:
                refused += 1
            except (ValidationError, LookupError, ValueError):
                pass
        if refused < 2:
            kept.append(module.is_valid)
    return tuple(kept)


# The bytes other than letters and digits that the detector's pattern admits in a value.
_SEPARATORS = ".-/+ ()[]"
# Lengths probed for the table below (35 modules x 5 probes each, ~0.1 s once per
# process); a compact form longer than this is taken as possible (the gate asks stdnum).
_PROBED_LENGTHS = 48


@functools.cache
def length_table() -> tuple[tuple[str, int, int, int, tuple[int, ...]], ...]:
    """Per stdnum module of ``_ID_MODULES``: what its ``compact`` can do to a value's
    length, and the lengths of a compact form its ``validate`` does not refuse.

    Issue 16 (speed): the compiled scan's gate rejects a candidate where no module's
    compact form of it can have a length that module accepts, so stdnum is not asked.
    Generated from the installed modules, never copied by hand:

    * *deletes*: the separators of ``_SEPARATORS`` that ``compact`` removes anywhere in a
      long probe (se.personnummer removes ``-`` and ``+`` but in its last five places);
      *strip*: letters of a prefix it removes (its country code: cl.rut's ``CL``); *pad*: the length
      ``compact`` pads a short number to (nl.bsn's ``zfill``); *grow*: characters it
      inserts (se.personnummer's ``-``). So a value's compact form has a length between
      ``len - deletable - strip`` and ``len + grow``, or ``pad``.
    * the accepted lengths: 1 to ``_PROBED_LENGTHS``, less those where every probe
      (digits, digits after ``X``, digits before ``A``, letters) raises ``InvalidLength``
      or ``InvalidFormat`` and at least one raises ``InvalidLength`` (the convention of
      ``_validators``: a module checks the length whatever the digits), and less those
      outside the width of an anchored format regex that ``validate`` matches first
      (fi.hetu, is_.kennitala, ie.pps: the documented format). test_pii_native_gates.py
      checks the compact model on random values and every listed valid identifier.
    """
    return tuple(_module_lengths(module) for module in _modules())


def _module_lengths(module: ModuleType) -> tuple[str, int, int, int, tuple[int, ...]]:
    from stdnum.exceptions import InvalidFormat, InvalidLength

    compact = module.compact
    deletes = "".join(
        c
        for c in _SEPARATORS
        for probe in [f"12{c}34{c}5678{c}9012345{c}67{c}8"]
        if compact(probe).count(c) < probe.count(c)
    )
    pad = max(len(compact("1")), 1)
    country = module.__name__.split(".")[-2][:2].upper()  # the prefix a compact may strip
    strip = max(0, *(len(p) + 7 - len(compact(p + "1234567")) for p in (country, "AB", "X")))
    grow = max(0, *(len(compact(v)) - len(v) for v in _grow_probes(pad)))
    width = _format_width(module)
    accepted = []
    for length in range(1, _PROBED_LENGTHS + 1):
        if width is not None and not width[0] <= length <= width[1]:
            continue
        answers = set()
        for probe in ("1" * length, "7" * length, "X" + "1" * (length - 1),
                      "1" * (length - 1) + "A", "A" * length):  # fmt: skip
            try:
                module.validate(probe)
                answers.add("valid")
                break
            except InvalidLength:
                answers.add("length")
            except InvalidFormat:
                answers.add("format")
            except Exception:  # any other refusal says nothing of the length
                answers.add("other")
        if "length" not in answers or not answers <= {"length", "format"}:
            accepted.append(length)
    return deletes, pad, strip, grow, tuple(accepted)


def _grow_probes(pad: int) -> list[str]:
    return ["1" * n for n in range(pad, 24)] + ["1" * 6 + sep + "1" * 4 for sep in "-+"]


def _format_width(module: ModuleType) -> tuple[int, int] | None:
    """(min, max) length of the anchored regex that ``validate`` matches before it
    raises or returns anything else, or None."""
    import inspect
    from re import _parser  # type: ignore[attr-defined]

    source = inspect.getsource(module.validate)
    # the first raise or return (a docstring's mention only makes this stricter)
    first_raise = min(
        (i for i in (source.find("raise "), source.find("return ")) if i >= 0), default=-1
    )
    for name, value in vars(module).items():
        if not isinstance(value, re.Pattern) or not isinstance(value.pattern, str):
            continue
        call = re.search(rf"\b{name}\.(?:search|match|fullmatch)\(number\)", source)
        if call is None or (0 <= first_raise < call.start()):
            continue
        pattern = value.pattern
        if pattern.startswith("^") and pattern.endswith("$") and not value.flags & re.MULTILINE:
            low, high = _parser.parse(pattern).getwidth()
            return int(low), int(high)
    return None


# A decimal number ("pi = 3.701011544"): one dot after at most three digits, digits only.
_DECIMAL = re.compile(r"[0-9]{1,3}\.[0-9]+")


@functools.lru_cache(maxsize=CACHE_SIZE)
def _valid_national_id(value: str) -> bool:
    if _DECIMAL.fullmatch(value):
        return (
            False  # no identifier is written with one dot as a decimal (bg.pnf takes 3.701011544)
        )
    shape = value.translate(_DIGITS_TO_ONE) if value.isdigit() and value.isascii() else ""
    possible = _length_validators(len(value), tuple(map(value.count, _SEPARATORS)))
    return any(_valid(is_valid, value) for is_valid in _validators(shape) if is_valid in possible)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _length_validators(
    length: int, separators: tuple[int, ...]
) -> frozenset[Callable[[str], bool]]:
    """The ``is_valid`` of the modules whose compact form of a value of ``length``
    characters, ``separators`` of them each of ``_SEPARATORS`` (counted in that order),
    can have a length the module accepts (``length_table``).

    Issue 16 (speed, text not seen before): the compiled gate asks this of all modules
    together (``national_id_length_possible``); asked of each module, and with the one
    length a compact form has where ``compact_exact`` says so, it leaves 1,875 of 9,255
    module tries for the 315 distinct values of the labelled corpus, with the same
    answers (test_validator_prechecks.py compares every module left out with its
    ``is_valid`` on the corpus, the outside suite and random values).
    """
    counts = dict(zip(_SEPARATORS, separators, strict=True))
    out = []
    rows = zip(_modules(), length_table(), compact_exact(), strict=True)
    for module, (deletes, pad, strip, grow, accepted), exact in rows:
        low = max(0, length - sum(counts.get(c, 0) for c in deletes) - strip)
        high = low if exact else length + grow
        lengths = [*range(low, high + 1), *([pad] if low <= pad else [])]
        if any(n in accepted or n > _PROBED_LENGTHS for n in lengths):
            out.append(module.is_valid)
    return frozenset(out)


@functools.cache
def compact_exact() -> tuple[bool, ...]:
    """Per module of ``_ID_MODULES``: True where its ``compact`` removes every one of its
    ``length_table`` deletes wherever it stands and changes the length in no other way
    (no prefix stripped, nothing inserted; ``pad`` aside), so a value's compact form has
    exactly ``len - deletable`` characters (or ``pad``). Probed on each delete at every
    place of a 16-digit run, doubled, at both ends of a group, between letters and all
    mixed; se.personnummer and cl.rut are not exact (test_validator_prechecks.py checks
    the model on random values)."""
    out = []
    for module, (deletes, pad, strip, grow, _) in zip(_modules(), length_table(), strict=True):
        probes = [f"12{c}{c}34{c}AB{c}5678{c}9012345{c}67{c}8X" for c in deletes]
        probes += ["1" * i + c + "2" * (16 - i) for c in deletes for i in range(17)]
        probes.append("12" + "3".join(deletes) + "45A" + "6".join(deletes) + "7")
        exact = strip == 0 and grow == 0
        for probe in probes if exact else ():
            kept = len(probe) - sum(probe.count(c) for c in deletes)
            if len(module.compact(probe)) != max(kept, pad if kept <= pad else 0):
                exact = False
                break
        out.append(exact)
    return tuple(out)


_DIGITS_TO_ONE = str.maketrans("0123456789", "1111111111")


def _valid(is_valid: Callable[[str], bool], value: str) -> bool:
    """``is_valid(value)``; an error inside the library is a no, not a failed filter
    (stdnum's cn.ric raises KeyError for some 18-digit runs: issue 16)."""
    try:
        return is_valid(value)
    except (LookupError, ValueError, ArithmeticError):
        return False


def _national_id(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A person's national identifier that its country's checksum accepts."""
    if _glued(data, start, end):
        return None
    raw = data[start:end]
    before = data[max(0, start - _CONTEXT) : start]
    # The ID word must belong to this value: '{"id": 42, "ref": "140543828"}' names none.
    named = _ID_WORDS.search(_clause(before)) is not None
    has_letter = any(65 <= c <= 90 or 97 <= c <= 122 for c in raw[:-1])
    if not has_letter and not named:
        return None  # digits (and separators): an identifier only where the text says so
    if _other_number(raw.decode("ascii")) and not _NAMING_WORDS.search(_clause(before)):
        return None  # a book or product number, unless the text calls it a person's number
    if _NOT_PHONE_WORDS.search(before) and not named:
        return None
    return (start, end) if _valid_national_id(raw.decode("ascii")) else None


# Letter-led identifiers in forms the pattern below does not read: in lower case
# (``k348609(5)``, ``x1234567l``, an Italian codice fiscale ``rssmra85t10a562s``, a
# Mexican CURP: issuers print capitals, people type what they like), a prefix letter
# set apart in lower case (``x-1234567-l``, a Spanish NIE), and India's PAN (five
# letters, four digits, a letter: shorter than that pattern's minimum; its fourth letter
# is the holder's type). No shape is rare in code and a PAN has no check digit, so each
# is an identifier only after an ID word.
_LETTER_LED = (
    r"\b(?:[a-z]{1,2}[0-9]{6,8}(?:[(\[][0-9a][)\]]|[0-9a-z]\b)"
    r"|[xyz]-[0-9]{7,8}-[0-9a-zA-Z]\b|[xyz] [0-9]{7,8} [0-9a-zA-Z]\b"
    r"|[a-z]{6}[0-9]{2}[a-z][0-9]{2}[a-z][0-9]{3}[a-z]\b"
    r"|[a-z]{4}[0-9]{6}[hm][a-z]{5}[0-9a-z][0-9]\b"
    r"|[A-Z]{3}[ABCFGHJLPT][A-Z][0-9]{4}[A-Z]\b)"
)
# What every match holds (in 99 of the labelled corpus' 3,000 records): the compiled scan
# searches the pattern only where its RE2::Set pass found this (native.SET_GATED).
LETTER_LED_PREFILTER = (
    r"\b[a-z]{1,2}[0-9]{6}|[A-Z][A-Z][0-9]{4}[A-Z]\b|\b[xyz][ -][0-9]{7}"
    r"|\b[a-z]{6}[0-9]{2}[a-z][0-9]{2}|\b[a-z]{4}[0-9]{6}[hm]"
)
_PAN_WORDS = re.compile(rb"(?i)\bpan\b|permanent account")


def _letter_led_id(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A letter-led identifier of ``_LETTER_LED`` after an ID word, checked upper-cased."""
    if _glued(data, start, end):
        return None
    before = _clause(data[max(0, start - _CONTEXT) : start])
    if _ID_WORDS.search(before) is None and _PAN_WORDS.search(before) is None:
        return None
    return (start, end) if _valid_national_id(data[start:end].decode("ascii").upper()) else None


DETECTORS = (
    PatternDetector(
        NATIONAL_ID,
        RANK[NATIONAL_ID],
        # grouped by spaces too: "3 5099 00736 90 7" (Thai PIN), "450401 3150"
        compile_pattern(
            # a NIE's letter set apart by a hyphen or a space too: "X-1234567-L"
            r"\b(?:[0-9]|[A-Z]{1,6}[0-9]|[XYZ][ \-][0-9])(?:[0-9A-Z.\-/+]| {1,4}[0-9A-Z]){5,24}"
            # a check character in brackets (Hong Kong: "A123456(3)"), else the last one
            r"(?:[(\[][0-9A][)\]]| {0,4}[0-9A-Za-z]\b)"
        ),
        _national_id,
        triggers=DIGIT_TRIGGERS,
        prefilter=r"[0-9](?:[0-9A-Z.\-/+]| {1,4}[0-9A-Z]){5}",
    ),
    PatternDetector(
        NATIONAL_ID,
        RANK[NATIONAL_ID],
        compile_pattern(_LETTER_LED),
        _letter_led_id,
        triggers=DIGIT_TRIGGERS,
        prefilter=LETTER_LED_PREFILTER,
    ),
)
