"""Provider API keys and tokens, recognised by their documented shapes.

Each shape is a literal prefix, the alphabet of the body and the body's length
range, written from the provider's published token format (nothing is copied
from another project's rule set). One RE2 pass finds the prefixes; the body is
then matched anchored at each prefix, so the scan stays linear and the combined
automaton stays small.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import re2

from .checksums import entropy_at_least, looks_random
from .detector import (
    ANCHOR_START,
    UNANCHORED,
    Candidate,
    PatternDetector,
    RawCandidate,
    compile_pattern,
    is_word_byte,
    raw_matcher,
)
from .model import SECRET
from .token_shapes import SHAPES
from .tokenstandins import in_dotted_name, slack_stand_in

RANK = 20
MAX_LOOSE = 256  # the longest body read when a token misses its documented shape


def loose_alphabet(alphabet: str) -> str:
    """The bytes of a body read off its shape: the shape's alphabet, the token
    characters and ``.`` (GitHub's ``ghs_<id>_<JWT>``), so no part of it is left."""
    return f"[A-Za-z0-9_.{alphabet.rstrip('-')}-]"


def prefix_order() -> list[str]:
    """Every prefix, longest first: the order of the alternatives in the prefix pattern."""
    return sorted((p for s in SHAPES for p in s.prefixes), key=lambda p: (-len(p), p))


class ProviderTokenDetector:
    """Finds tokens of the :data:`SHAPES` above."""

    __slots__ = ("_bodies", "_loose", "_prefixes", "_search")

    def __init__(self) -> None:
        literals = prefix_order()
        self._prefixes = compile_pattern(r"\b(?:" + "|".join(re2.escape(p) for p in literals) + ")")
        self._search = raw_matcher(self._prefixes)
        self._bodies = {
            p.encode(): (raw_matcher(compile_pattern(f"[{s.alphabet}]+")), s.min_body, s.max_body)
            for s in SHAPES
            for p in s.prefixes
        }
        self._loose = {
            p.encode(): raw_matcher(compile_pattern(loose_alphabet(s.alphabet) + "+"))
            for s in SHAPES
            for p in s.prefixes
            if p in self.loose_prefixes()
        }

    @staticmethod
    def loose_prefixes() -> frozenset[str]:
        """The prefixes whose body may miss its shape (``_loose_end``): 4+ bytes ending
        in a separator; short ones (``pk_``, ``sk-``) and glued ones (``AKIA``) never."""
        return frozenset(p for s in SHAPES for p in s.prefixes if len(p) >= 4 and p[-1] in "_-.")

    def __reduce__(self) -> tuple[type[ProviderTokenDetector], tuple[()]]:
        return (ProviderTokenDetector, ())  # rebuilt from SHAPES (raw matchers do not pickle)

    @property
    def prefilter(self) -> str:
        """Every token starts with a match of this pattern (see ``PatternDetector``)."""
        pattern: str = self._prefixes.pattern
        return pattern

    def scan(self, data: bytes) -> Iterator[Candidate]:
        """Yield every well-formed provider token."""
        found: list[RawCandidate] = []
        self.collect(data, found)
        for cand in found:
            yield Candidate._make(cand)

    def collect(self, data: bytes, out: list[RawCandidate]) -> None:
        """Append every well-formed provider token to ``out`` (see :meth:`scan`)."""
        search = self._search
        bodies = self._bodies
        n = len(data)
        covered_to = 0
        pos = 0
        while pos <= n:
            start, body_start = search(UNANCHORED, data, pos, n)[0]
            if start < 0:
                return
            pos = body_start  # literal prefixes are never empty
            if start < covered_to or in_dotted_name(data, start):
                continue
            prefix = data[start:body_start]
            body, min_body, max_body = bodies[prefix]
            end = body(ANCHOR_START, data, body_start, n)[0][1]
            if end < 0:
                end = body_start
            covered_to = end
            while end > body_start and data[end - 1] == 0x2E:
                end -= 1  # a sentence's full stop after a token whose alphabet has '.'
            after = data[end] if end < n else 0x20
            if not min_body <= end - body_start <= max_body or is_word_byte(after) or after == 0x2D:
                loose = self._loose.get(prefix)
                if loose is None:
                    continue
                stop = min(n, body_start + MAX_LOOSE + 1)
                run_end = loose(ANCHOR_START, data, body_start, stop)[0][1]
                loose_end = None if run_end < 0 else _loose_end(data, body_start, run_end)
                if loose_end is None:
                    continue
                end = covered_to = loose_end
            if prefix == b"sk-" and not _random_openai_body(data[body_start:end]):
                continue
            found_body = data[body_start:end]
            if placeholder_body(found_body) or slack_stand_in(prefix, found_body):
                continue
            out.append((start, end, SECRET, RANK))


def placeholder_body(body: bytes) -> bool:
    """A stand-in after a real prefix: of 8+ letters and digits, 80 % or more are the usual
    stand-ins ``x``, ``X`` and ``0`` (``xoxb-0000000000-…-xxxx``, ``tvly-xxxx…``,
    ``…/services/Txxxxxxxx/Bxxxxxxxx/xxxx``). Other repeated letters (``AKIAZZZZ…``,
    ``shippo_live_aaaa…``) are labelled secrets in other projects' suites, and kept."""
    alnum = sum(48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122 for b in body)
    stand_ins = body.count(b"x") + body.count(b"X") + body.count(b"0")
    return alnum >= 8 and stand_ins * 5 >= alnum * 4


def _loose_end(data: bytes, body_start: int, end: int) -> int | None:
    """Where a known prefix's body ends when it misses the documented shape, or None.

    Rule tests and docs write tokens with a provider's prefix whose body is longer,
    shorter or of a wider alphabet than the provider documents (``tfp_`` + 45 where
    Typeform issues 59); a real token of another version of the format looks the
    same. Such a body (``data[body_start:end]``, read with the shape's alphabet, the
    token characters and ``.``, at most ``MAX_LOOSE`` bytes) counts when it mixes
    digits and letters, carries at least 4.5 bits per byte (so 23 bytes at least;
    detect-secrets' default limit for base64 strings: words with digits such as
    gitleaks' wrong-length GitLab cases, ``hellOworld380_testin``, stay below it, as
    placeholders do) and does not count up (``_counts_up``: ``aBcDeFgH…1234567890``,
    written for an example).
    """
    while end > body_start and data[end - 1] == 0x2E:
        end -= 1  # a sentence's full stop
    after = data[end] if end < len(data) else 0x20
    if is_word_byte(after) or after == 0x2D:
        return None
    body = data[body_start:end]
    if not (looks_random(body) and entropy_at_least(body, 4.5)):  # so 23 bytes at least
        return None
    return None if _counts_up(body) else end


def _counts_up(body: bytes) -> bool:
    """Five steps up in a run that only counts up or repeats a letter (``abcdef``,
    ``123456``, ``aAbBcCdDeEfF``, case ignored): a value made up for an example, not
    generated (a random body holds one with odds below 1e-5)."""
    ups = 0
    for a, b in itertools.pairwise(body):
        step = (b | 0x20) - (a | 0x20)
        if step == 1 and (a | 0x20) not in (0x39, 0x7A):
            ups += 1
            if ups == 5:
                return True
        elif step != 0:
            ups = 0
    return False


def _random_openai_body(body: bytes) -> bool:
    """``sk-`` alone is a common word prefix (``sk-learn``); demand a random body."""
    tail = body.rsplit(b"-", 1)[-1] if len(body) > 40 else body
    return looks_random(tail) and entropy_at_least(tail, 3.5)


def token_end_ok(data: bytes, end: int) -> bool:
    after = data[end] if end < len(data) else 0x20
    return not (is_word_byte(after) or after == 0x2D)


_TOKEN_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
# Punctuation that glues two runs of token characters into one word (``...zWQ!4o_N``):
# it neither ends a sentence nor separates code tokens when a token character follows.
_GLUE = frozenset(b"!~^*")
MAX_GLUE = 48


def glued_run(data: bytes, start: int, end: int) -> tuple[int, int]:
    """The token ``data[start:end]`` with the token characters glued to it (SPEC §4).

    A shape matched inside a longer word (``AT`` + a Discord token, a token with
    ``!4o_Nm`` appended) is redacted with the rest of that word, so no part of
    what may be the real value is left: token characters before ``start``, and
    after ``end`` a glue character (``! ~ ^ *``) followed by token characters.
    Reads at most ``MAX_GLUE`` bytes on each side (linear time).
    """
    n = len(data)
    first = start
    while first > 0 and start - first < MAX_GLUE and data[first - 1] in _TOKEN_CHARS:
        first -= 1
    last = end
    while (
        last + 1 < n
        and last - end < MAX_GLUE
        and data[last] in _GLUE
        and data[last + 1] in _TOKEN_CHARS
    ):
        last += 1
        while last < n and last - end < MAX_GLUE and data[last] in _TOKEN_CHARS:
            last += 1
    return first, last


def _base36_in_uuid_layout(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """8-4-4-4-12 groups of letters and digits that are not hex: a generated key.

    Several providers issue keys in a UUID's layout but over the whole alphabet
    (``v7zypoou-t6ld-uq7a-qsmm-j3y1mh0w5cf1``, ``api-5gykyl1b-wgrq-…``). A UUID
    (hex only) is an id, not a secret, and stays; the value must hold at least
    three letters beyond ``f`` and mix letters and digits.
    """
    if not token_end_ok(data, end):
        return None
    value = data[start:end]
    beyond_hex = len(value) - len(value.lower().translate(None, b"ghijklmnopqrstuvwxyz"))
    if beyond_hex < 3 or not looks_random(value):
        return None
    return glued_run(data, start, end)


_UPPER = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LOWER = frozenset(b"abcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset(b"0123456789")
_NOT_HEX_LETTERS = frozenset(b"ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ")
# Subresource-integrity hashes are public digests, not secrets.
_SRI = (b"sha256-", b"sha384-", b"sha512-")


def _quoted_generated(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A quoted literal that only a generator writes: the literal without its quotes.

    20-100 token characters between matching quotes, holding upper- and lower-case
    letters, three digits or more and a letter beyond hex, no ``.`` (names, hosts, versions) and at
    most two ``/`` (paths), at least 4.0 bits of entropy per character (nearly every
    character distinct): ``apiMetrics := "5po8TFGawiYNCc1ct4ofWkBqzIfA6IeO"``,
    ``getsmartsheet("MVE7…")``, ``return "ntJD0ER8…"`` with no key word near.
    Placeholders (no digits, or few distinct characters), hex digests, UUIDs and
    subresource-integrity hashes are left.
    """
    if data[end - 1] != data[start]:
        return None
    value = data[start + 1 : end - 1]
    chars = set(value)
    if (
        b"." in value
        or value.count(b"/") > 2
        or chars.isdisjoint(_UPPER)
        or chars.isdisjoint(_LOWER)
        or sum(c in _DIGITS for c in value) < 3  # 'UserSettingsV2Form' is a name
        or chars.isdisjoint(_NOT_HEX_LETTERS)
        or value.startswith(_SRI)
    ):
        return None
    return (start + 1, end - 1) if entropy_at_least(value, 4.0) else None


# Generated-key shapes that no single provider owns (not counted as providers).
SHAPE_DETECTORS = (
    PatternDetector(
        SECRET, RANK,
        compile_pattern(
            r"\b[A-Za-z0-9]{8}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{12}"
        ),
        _base36_in_uuid_layout, prefilter="[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-",
    ),
    PatternDetector(  # a generated literal in quotes, with or without a key word
        SECRET, RANK, compile_pattern(r"[\"'`][A-Za-z0-9_+/=-]{20,100}[\"'`]"),
        _quoted_generated, triggers=(b'"', b"'", b"`"), prefilter="[\"'`][A-Za-z0-9_+/=-]{20}",
    ),
)  # fmt: skip
