"""The detector port and the re2-backed pattern detector most detectors are.

A detector scans the UTF-8 bytes of the input and yields candidate spans (byte
offsets). Scanning uses google-re2, whose automata run in time linear in the
input; validators run in plain Python on the matched span (plus O(1) context),
so the whole scan stays linear. Matches of one pattern never overlap, so the
validators together touch each byte at most once per detector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple, Protocol

import re2

# Returns the (possibly narrowed) span to report, or None to reject the match.
Validator = Callable[[bytes, int, int], "tuple[int, int] | None"]
# Returns every span to report inside the match (sorted, non-overlapping, maybe none)
# and where to resume scanning: the match end, or a position inside the match after
# its start whose rest may belong to a finding that continues past the match.
MultiValidator = Callable[[bytes, int, int], "tuple[list[tuple[int, int]], int]"]


class Candidate(NamedTuple):
    """A detected span in byte offsets; ``rank`` orders overlapping candidates."""

    start: int
    end: int
    type: str
    rank: int


# What built-in detectors append in the engine's fast path: the fields of a
# Candidate as a plain tuple (a Candidate is one too).
RawCandidate = tuple[int, int, str, int]


class Detector(Protocol):
    """Anything that finds candidate spans in the UTF-8 bytes of a text."""

    def scan(self, data: bytes) -> Iterator[Candidate]:
        """Yield candidates in byte offsets of ``data``."""
        ...


def compile_pattern(pattern: str) -> re2._Regexp:
    """Compile a pattern with RE2 (UTF-8 mode, leftmost-first) or fail loudly."""
    options = re2.Options()
    options.max_mem = 64 << 20
    return re2.compile(pattern, options)


# google-re2's Python wrapper (``_Regexp.search``/``match``) builds a generator and a
# ``_Match`` object per call; the detectors call the compiled ``_re2.RE2.Match``
# directly instead. It takes (anchor, bytes, pos, endpos), considers the bytes
# around [pos, endpos) for ``\b``, and returns one (start, end) byte span per group
# (group 0 first), (-1, -1) for a group that did not participate or no match.
UNANCHORED = re2._Anchor.UNANCHORED
ANCHOR_START = re2._Anchor.ANCHOR_START
RawMatch = Callable[[object, bytes, int, int], "list[tuple[int, int]]"]


def raw_matcher(regex: re2._Regexp) -> RawMatch:
    """The bound ``Match`` method of the compiled RE2 object behind ``regex``."""
    match: RawMatch = regex._regexp.Match
    return match


@dataclass(frozen=True, slots=True)
class PatternDetector:
    """Findings of one RE2 pattern (or one of its groups), checked by a validator.

    ``groups`` lists the capture groups to report, first participating one wins
    (group 0 is the whole match). ``triggers`` are literal byte strings of which
    at least one must occur in the input for the pattern to run at all (a
    memchr-speed pre-filter). ``validate_many`` replaces ``validate`` when one
    match may hold several findings (a run of digit groups holding two card
    numbers). ``prefilter`` is a small RE2 pattern that matches somewhere in
    every input where ``regex`` does (a necessary condition); the engine checks
    all prefilters in one ``re2.Set`` pass and skips detectors whose prefilter
    is absent.
    """

    type: str
    rank: int
    regex: re2._Regexp
    validate: Validator | None = None
    groups: tuple[int, ...] = (0,)
    triggers: tuple[bytes, ...] = ()
    validate_many: MultiValidator | None = None
    prefilter: str | None = None
    _setup: tuple[Any, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Everything collect() needs, unpacked in one step per call.
        whole = self.groups == (0,)
        setup = (
            self.triggers,
            raw_matcher(self.regex),
            self.validate,
            self.validate_many,
            self.groups,
            whole,
            self.type,
            self.rank,
        )
        object.__setattr__(self, "_setup", setup)

    def __getstate__(self) -> list[object]:
        # The raw RE2 matchers in _setup cannot be pickled; rebuild them instead.
        return [getattr(self, f.name) for f in fields(self) if f.init]

    def __setstate__(self, state: list[object]) -> None:
        for f, value in zip([f for f in fields(self) if f.init], state, strict=True):
            object.__setattr__(self, f.name, value)
        self.__post_init__()

    def scan(self, data: bytes) -> Iterator[Candidate]:
        """Yield validated matches of the pattern in ``data``."""
        found: list[RawCandidate] = []
        self.collect(data, found)
        for cand in found:
            yield Candidate._make(cand)

    def collect(self, data: bytes, out: list[RawCandidate]) -> None:
        """Append validated matches of the pattern in ``data`` to ``out``.

        Same results as :meth:`scan`; the engine calls this to skip a generator
        and a ``Candidate`` namedtuple per match (plain tuples are appended).
        """
        triggers, search, validate, validate_many, groups, whole, kind, rank = self._setup
        if triggers:
            for trigger in triggers:
                if trigger in data:
                    break
            else:
                return
        n = len(data)
        pos = 0
        while pos <= n:
            spans = search(UNANCHORED, data, pos, n)
            start, end = spans[0]
            if start < 0:
                return
            pos = max(end, pos + 1) if end == start else end
            if not whole:
                start = end = -1
                for group in groups:
                    start, end = spans[group]
                    if start >= 0:
                        break
                if start < 0:
                    continue
            if validate_many is not None:
                spans_found, resume = validate_many(data, start, end)
                for found_start, found_end in spans_found:
                    out.append((found_start, found_end, kind, rank))
                if whole and start < resume < end:
                    pos = resume  # rescan the rest of the match
                continue
            if validate is not None:
                span = validate(data, start, end)
                if span is None:
                    continue
                if whole and span[1] != end:
                    # Narrowed (a card inside a digit run): rescan the rest, but always
                    # past the match's start. Extended (a key word's value read after
                    # the match): resume after it, so no byte is validated twice.
                    pos = max(span[1], start + 1)
                start, end = span
            out.append((start, end, kind, rank))


WORD_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
DIGIT_BYTES = frozenset(b"0123456789")
# Triggers of a pattern every match of which holds an ASCII digit: both scans skip it,
# with one memchr per digit, on text without digits (most prose).
DIGIT_TRIGGERS = tuple(bytes((c,)) for c in b"0123456789")


def byte_before(data: bytes, start: int) -> int:
    """The byte before ``start`` or 0x20 (a space) at the beginning."""
    return data[start - 1] if start > 0 else 0x20


def byte_at(data: bytes, index: int) -> int:
    """The byte at ``index`` or 0x20 (a space) past the end."""
    return data[index] if index < len(data) else 0x20


def is_word_byte(b: int) -> bool:
    """ASCII letter, digit or underscore."""
    return (48 <= b <= 57) or (65 <= b <= 90) or (97 <= b <= 122) or b == 95


def is_digit_byte(b: int) -> bool:
    """ASCII digit."""
    return 48 <= b <= 57
