"""The compiled scan of the built-in detectors, when it is built.

``_native`` (``_native.cpp``, C++ over RE2) runs what :class:`~.engine.Redactor`
does between encoding a text and replacing its findings: every detector's
candidate loop and validator, dropping our own placeholders, byte to str
offsets and overlap resolution. The Python detectors stay the reference: the
engine uses the compiled scan only when every detector of a Redactor is one of
the built-in ones below, and ``tests/unit/redaction/test_native.py`` proves both
find the same spans. Patterns and tables are handed over from the Python
modules here, so they exist once.

The extension is optional: without a C++ compiler and ``libre2-dev`` the package
installs without it and the filter runs in Python (same findings, about 6x
slower). ``CONSENTRY_FILTER_NATIVE=0`` switches it off at run time.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import re
from collections.abc import Sequence
from types import ModuleType
from typing import Any, Protocol

import re2

from . import (
    blockscalars,
    commands,
    credentials,
    credpairs,
    fieldnumbers,
    nationalids,
    nestedvalues,
    pii,
    storedhashes,
    token_shapes,
    tokens,
)
from .checksums import IBAN_LENGTHS
from .detector import Detector, PatternDetector, RawCandidate
from .model import CREDENTIAL_RANK_LIMIT, PRIVATE_KEY, SECRET, Finding
from .native_ports import GATE_HELPERS, GATE_PINS
from .native_ports import GATES as _GATES
from .native_ports import VALIDATORS as _VALIDATORS
from .pattern_shapes import byte_table, prefilter_check
from .replacement import PSEUDONYM_HEX_CHARS

_native: ModuleType | None
_IMPORT_ERROR = ""
try:
    from . import _native
except ImportError as _error:  # not built: the Python scan runs instead
    _native = None
    _IMPORT_ERROR = str(_error)

ENV_SWITCH = "CONSENTRY_FILTER_NATIVE"
_BUILTIN: tuple[Detector, ...] = (*credentials.DETECTORS, *pii.DETECTORS)

# The C++ ports of Python validators and their pins live in native_ports.py.


def _port_current(function: Any) -> bool:
    """False when ``function`` or a helper of it changed since its C++ port was checked."""
    if function in GATE_PINS and GATE_PINS[function] != function_digest(function):
        return False
    return function not in GATE_HELPERS or GATE_HELPERS[function][0] == helpers_digest(function)


def helpers_digest(function: Any) -> str:
    """GATE_HELPERS' digest: of its helpers' function_digest (through lru_cache) or pattern."""
    pins = [repr(h.pattern) if isinstance(h, re.Pattern) else function_digest(inspect.unwrap(h))
            for h in GATE_HELPERS[function][1]]  # fmt: skip
    return hashlib.sha256("".join(pins).encode()).hexdigest()[:16]


# The compiled scan searches most detectors only in regions of the text: runs of
# the bytes their pattern can consume around what every match holds (the table in
# _native.cpp). Each such rule was worked out from one pattern; the digest of that
# pattern (sha256, 16 hex digits) is pinned here, and a detector whose pattern has
# changed is searched over the whole text until its rule is checked again and its
# digest updated (tests/unit/redaction/test_native.py fails meanwhile).
REGION_RULES: dict[str, str] = {
    "jwt": "27ff5af6d1422c4c",
    "url_password": "45ff4fb0220b6a4b",
    "password": "e9e21539c78677bc",
    "keyword_secret": "1bb0bf1c40d9e7fb",
    "email": "b89234764244e360",
    "phone": "87af0e36e2c54996",
    "cards": "fa37bb0d2489037c",
    "ssn": "22bc836c6c44e0cb",
    "ssn_keyword": "5218950e68e5ff36",
    "iban": "6de7d1529dc0f697",
    "ipv4": "78be42896a850899",
    "ipv6": "673a0c15b5bff46a",
    "mailbox": "127b98c1445e387d",  # mailboxes: a pattern validated in Python (region_tables)
}
_PYTHON_REGION_RULES = ("mailbox",)


def region_tables(detectors: Sequence[Detector]) -> list[tuple[int, str]]:
    """(index, region rule) of the Python-validated pattern detectors REGION_RULES pins."""
    out = []
    for i, detector in enumerate(detectors):
        spec = _spec(detector)
        if spec is None or spec[0] != "pattern" or spec[5] != "python":
            continue
        digest = pattern_digest(str(spec[3]))
        out += [(i, rule) for rule in _PYTHON_REGION_RULES if REGION_RULES[rule] == digest]
    return out


# Detectors the compiled scan searches only where their ``prefilter`` (a necessary
# condition of the pattern, which the Python scan's prefilter Set relies on too) occurs,
# all checked in one RE2::Set pass per text. Chosen by measurement (issue 16, speed;
# docs/bench/redaction.md): each such pass costs ~3.3 ms per 2 MB of the labelled corpus
# while its prefilter occurs in at most a fifth of the records; the Set costs less than
# two. Named by prefilter: a changed prefilter leaves the Set (searched on every text).
SET_GATED: frozenset[str] = frozenset(
    {
        r"[A-Za-z0-9_-]{23}\.[A-Za-z0-9_-]{6}\.",  # Discord bot token
        r"[0-9]{16}:",  # Asana
        r"_[0-9][A-Za-z0-9]{20}",  # ngrok
        ":APA91b",  # Firebase Cloud Messaging keys and tokens
        r"[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-",  # keys in a UUID's layout
        r"(?i)value[\"']?[ \t]*[:=]",  # name-value lists
        r"(?i)ssn|social security",  # SSN after its key word
        r"[0-9]{3}\.[0-9]{2}\.[0-9]{4}",  # dotted SSN
        r"[0-9]\.[0-9]{1,3}/[0-9]",  # IPv4 block
        r"::|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}[%/]",  # IPv6 network
        r"(?i)authorization|bearer|x-",  # headers (checked by its words, see SHAPED)
        r"JQQJ|\+A(?:S[bt]|Eh|Rm|Ba|MC|CR)|Az(?:Ca|Fu|Se)|AIoT|AZEG|APIM|ACDb",  # Azure keys
        r"e(?:yA|w[ko0])[igJKN]",  # JWTs whose header opens with white space
        nationalids.LETTER_LED_PREFILTER,  # letter-led ids
        r"@\[",  # e-mail at an address literal (mailboxes)
        # round fifteen: a trigger per word cost each a text search (callgrind +11 %)
        storedhashes.SCHEME_PREFILTER,  # {SSHA} and other LDAP schemes
        storedhashes.MARKED_PREFILTER,  # MySQL, SQL Server, pwdump, NetNTLM hashes
        credpairs.PREFILTER,  # HTTPBasicAuth(user, "…") and other sign-in calls
        commands.TOOL_PREFILTER,  # docker login -p, sqlcmd -P, net user …
        commands.BASIC_PREFILTER,  # Basic <base64>
        blockscalars.PREFILTER,  # password: | and its indented line
        nestedvalues.PREFILTER,  # "password": {"value": …} and other wrapped values
        nestedvalues.LIST_PREFILTER,  # "password": ["…"], parse_qs' lists
        nestedvalues.WRAP_PREFILTER,  # String::from("…"), SecretValue.unsafePlainText("…")
    }
)
# Of those, the ones checked by shape or words (pattern_shapes.prefilter_check: memchr
# and byte tables) instead of in the Set. Chosen by measurement (docs/bench/redaction.md,
# round nine): the Discord token's counted runs cost the Set's DFA more than the check;
# the other four shapes cost more to check (their anchors ':' '.' are common) or the same.
# The headers' words occur in a tenth of the text; in the Set they cost what they saved.
SHAPED: frozenset[str] = frozenset(
    {r"[A-Za-z0-9_-]{23}\.[A-Za-z0-9_-]{6}\.", r"(?i)authorization|bearer|x-"}
)


# Detectors whose matches can only start where a cheap byte test holds (the rules of
# ``Starts`` in _native.cpp): where such positions are sparse in a text, the compiled scan
# runs RE2 anchored at each instead of one search over the whole text (issue 16, speed).
# Pinned by pattern digest as REGION_RULES are; a "keyword" rule reads its key words from
# the detector's prefilter ``(?i)word|word|…``, which every match starts with.
# Chosen by measurement (docs/bench/redaction.md, sixth round): anchored at its ~5 key
# words per record, the secret assignments' pattern costs more than one whole-text pass
# (17.5 against 14.7 ms per 2 MB, even with the key words found 16 bytes at a time), and
# the headers' word starts gain nothing, so those detectors search the whole text.
START_RULES: dict[str, str] = {
    "2ab3a2294d44d736": "keyword",  # keywords: password assignments
    "8d169abac4f21453": "dash",  # commands: --password / --secret flags
    "d3eab9c1d8b07133": "quoted",  # tokens: quoted generated values
    "16a1f50c729f20b1": "digit_chain",  # pii: other card numbers (12 to 19 digits)
    "1c96531117fdb929": "iban_any_case",  # spellings: IBANs in any case
    "87af0e36e2c54996": "phone_in_context",  # pii: phone numbers in three layouts
}
_KEY_WORDS = re.compile(r"\(\?i\)[a-z_-]+(?:\|[a-z_-]+)*")


def start_tables(detectors: Sequence[Detector]) -> list[tuple[int, str, list[str]]]:
    """(index, start rule, key words) of the detectors START_RULES names, for the scan."""
    out = []
    for i, detector in enumerate(detectors):
        regex = getattr(detector, "regex", None)
        rule = START_RULES.get(pattern_digest(regex.pattern)) if regex is not None else None
        spec = _spec(detector)
        if rule is None or spec is None or spec[0] != "pattern" or spec[6]:
            continue  # only whole-text pattern detectors (not regional ones) take a rule
        words: list[str] = []
        if rule == "keyword":
            prefilter = getattr(detector, "prefilter", None) or ""
            if not _KEY_WORDS.fullmatch(prefilter):
                continue
            words = prefilter[4:].split("|")
        out.append((i, rule, words))
    return out


def function_digest(function: Any) -> str:
    """The digest GATE_PINS pins a validator by: its source and the constants it names."""
    constants = {
        name: function.__globals__[name]
        for name in sorted(function.__code__.co_names)
        if isinstance(function.__globals__.get(name), bytes | str | int | float | tuple | frozenset)
    }
    described = inspect.getsource(function) + repr(
        {name: sorted(v) if isinstance(v, frozenset) else v for name, v in constants.items()}
    )
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def pattern_digest(pattern: str) -> str:
    """The digest REGION_RULES pins a pattern by."""
    return hashlib.sha256(pattern.encode()).hexdigest()[:16]


class NativeScan(Protocol):
    """What the engine calls on the compiled scan."""

    def candidates(self, data: bytes) -> list[RawCandidate]:
        """Every detector's candidates in byte offsets, as the Python scan collects them."""
        ...

    def findings(self, data: bytes, is_ascii: bool) -> tuple[Finding, ...]:
        """Resolved findings in str offsets (placeholders of ours left out)."""
        ...

    def redact(self, data: bytes, is_ascii: bool) -> tuple[str | None, tuple[Finding, ...]]:
        """Text with typed placeholders (None when nothing was found) and the findings."""
        ...


def available() -> bool:
    """True when the extension is built and not switched off."""
    return _native is not None and os.environ.get(ENV_SWITCH, "1") != "0"


def status() -> tuple[bool, str]:
    """Whether the compiled scan is active for the built-in detectors, and why (one line).

    For ``consentry info`` and logs: ``(True, "compiled scan active (…)")``, or
    ``(False, <the reason>)`` when the extension is not built (with the import
    error) or is switched off with ``CONSENTRY_FILTER_NATIVE=0``.
    """
    if _native is None:
        return False, f"compiled scan not built, filtering in Python ({_IMPORT_ERROR})"
    if os.environ.get(ENV_SWITCH, "1") == "0":
        return False, f"compiled scan switched off by {ENV_SWITCH}=0, filtering in Python"
    if build(_BUILTIN) is None:  # pragma: no cover - a built-in detector without a spec
        return False, "compiled scan built but refuses the built-in detectors"
    origin = getattr(_native, "__file__", "?")
    return True, f"compiled scan active ({origin})"


def build(detectors: Sequence[Detector]) -> NativeScan | None:
    """A compiled scan running ``detectors`` in order, or None when any is not built in."""
    if _native is None or not available():
        return None
    specs = []
    for detector in detectors:
        spec = _spec(detector)
        if spec is None:
            return None
        specs.append(spec)
    tables = _tables(prefilter_tables(detectors), start_tables(detectors), region_tables(detectors))
    scan: NativeScan = _native.Engine(specs, tables, credentials.jwt_header_ok, Finding)
    return scan


def prefilter_tables(detectors: Sequence[Detector]) -> list[tuple[int, str]]:
    """(index, prefilter) of the detectors in ``SET_GATED``, for the scan's RE2::Set."""
    return [
        (i, prefilter)
        for i, detector in enumerate(detectors)
        if (prefilter := getattr(detector, "prefilter", None)) in SET_GATED
    ]


def _tokens_spec(detector: tokens.ProviderTokenDetector) -> tuple[object, ...] | None:
    """The provider tokens' table: (prefix, body bytes, min, max, loose body bytes or "")
    in the order of the prefix pattern's alternatives."""
    # The compiled scan finds the literal prefixes without RE2; that only holds
    # for this exact pattern (see PrefixFinder in _native.cpp).
    expected = r"\b(?:" + "|".join(re2.escape(p) for p in tokens.prefix_order()) + ")"
    if detector.prefilter != expected:
        return None
    loose = detector.loose_prefixes()
    shapes = {
        prefix: (
            prefix,
            byte_table(f"[{shape.alphabet}]"),
            shape.min_body,
            shape.max_body,
            byte_table(tokens.loose_alphabet(shape.alphabet)) if prefix in loose else "",
        )
        for shape in token_shapes.SHAPES
        for prefix in shape.prefixes
    }
    ordered = [shapes[prefix] for prefix in tokens.prefix_order()]
    return ("tokens", SECRET, tokens.RANK, detector.prefilter, ordered)


def _spec(detector: Detector) -> tuple[object, ...] | None:
    """The compiled scan's description of a built-in detector, None for any other.

    Only the built-in instances qualify: the compiled scan skips a detector when
    a necessary condition for *its* pattern fails (see ``Gates`` in _native.cpp).
    """
    if not any(detector is builtin for builtin in _BUILTIN):
        return None
    if isinstance(detector, credentials.PrivateKeyDetector):
        return (
            "private_key",
            PRIVATE_KEY,
            credentials.RANK[PRIVATE_KEY],
            credentials._PEM_HEADER.pattern,
            credentials._PEM_BODY.pattern,
        )
    if isinstance(detector, tokens.ProviderTokenDetector):
        return _tokens_spec(detector)
    if not isinstance(detector, PatternDetector) or detector.groups != (0,):
        return None
    function = detector.validate_many if detector.validate_many is not None else detector.validate
    validator = "" if function is None else _VALIDATORS.get(function)
    pattern: str = detector.regex.pattern
    triggers = list(detector.triggers)
    if validator is None and detector.validate_many is None:
        # No C++ port: the compiled scan runs the pattern and calls this very
        # Python validator back on each match (the same function, so the same spans).
        kind, rank = detector.type, detector.rank
        gate, words = _GATES.get(function, ("", ()))
        if not _port_current(function):
            gate, words = "", ()  # the validator changed since its port: call it back
        return (
            "pattern",
            kind,
            rank,
            pattern,
            triggers,
            "python",
            False,
            function,
            gate,
            list(words),
        )
    if validator is None or (validator == "cards") != (detector.validate_many is not None):
        return None
    regional = REGION_RULES.get(validator) == pattern_digest(pattern)
    return ("pattern", detector.type, detector.rank, pattern, triggers, validator, regional)


def _tables(
    prefilters: list[tuple[int, str]] | None = None,
    starts: list[tuple[int, str, list[str]]] | None = None,
    regions: list[tuple[int, str]] | None = None,
) -> dict[str, object]:
    """The tables the scan reads; ``prefilters`` (see ``prefilter_tables``) gate detectors,
    ``starts`` (see ``start_tables``) anchor them, ``regions`` (``region_tables``) bound them."""
    extra: dict[str, object] = {}
    if prefilters is not None:  # with its shape where SHAPED names it (checked without the Set)
        extra["prefilters"] = [
            (i, p, prefilter_check(p) if p in SHAPED else None) for i, p in prefilters
        ]
    if starts:
        extra["starts"] = starts
    if regions:
        extra["regions"] = regions
    if _port_current(fieldnumbers._phone):  # the library calls the ports make back
        extra["phone_library"] = fieldnumbers.native_library()
    if _port_current(f := nationalids._national_id):
        extra["national_library"] = (f, fieldnumbers._other_number, nationalids._valid_national_id)
    return extra | {
        "iban_lengths": IBAN_LENGTHS,
        "file_extensions": sorted(pii._FILE_EXTENSIONS),
        "placeholder_values": sorted(credentials._PLACEHOLDER_VALUES),
        "min_secret_entropy": credentials.MIN_SECRET_ENTROPY,
        "min_letters_only_entropy": credentials.MIN_LETTERS_ONLY_ENTROPY,
        "credential_rank_limit": CREDENTIAL_RANK_LIMIT,
        "pseudonym_hex_chars": PSEUDONYM_HEX_CHARS,
        "national_id_lengths": list(nationalids.length_table()),
        "national_id_probed": nationalids._PROBED_LENGTHS,
    }
