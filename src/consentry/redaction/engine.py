"""The Redactor: run every detector, resolve overlaps, replace.

Pipeline for one text:

0. decode escaped ASCII characters (``%40``, ``&#64;``, ``\\u0040``: :mod:`.escapes`),
   then fold Unicode look-alikes, spaces, dashes and invisible characters
   (:mod:`.folding`; ASCII text only where it spells an address out), keeping a map to
   the original offsets;
1. encode once to UTF-8 (ASCII text needs no offset mapping);
2. every detector scans the bytes (RE2, linear) and validates its matches;
3. byte offsets become str offsets; the optional NER stage adds its findings;
4. overlapping candidates merge into one finding spanning their union, typed by
   the winner: credentials (private keys, JWTs, provider tokens, passwords) beat
   personal identifiers, then the longest span, then the most specific type;
5. each finding is replaced by a placeholder or a keyed pseudonym.

Any exception on the way becomes :class:`RedactionError`; the input text is never
returned unfiltered.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import cast

import re2

from . import credentials, pii, tokens
from .detector import (
    UNANCHORED,
    Candidate,
    Detector,
    PatternDetector,
    RawCandidate,
    RawMatch,
    compile_pattern,
    raw_matcher,
)
from .errors import RedactionError
from .escapes import Chained, TextMap, unescape
from .folding import fold
from .model import CREDENTIAL_RANK_LIMIT as _CREDENTIAL_RANK_LIMIT
from .model import Finding, RedactionResult
from .native import build as compiled_scan
from .ner import NerStage
from .replacement import Replacer, is_placeholder

NER_RANK = 60

DEFAULT_DETECTORS: tuple[Detector, ...] = (*credentials.DETECTORS, *pii.DETECTORS)
# Detectors whose ``collect`` appends exactly what ``scan`` yields (as plain tuples).
_BUILTIN_DETECTOR_TYPES = (
    PatternDetector,
    credentials.PrivateKeyDetector,
    tokens.ProviderTokenDetector,
)


def scanned_view(text: str) -> TextMap | None:
    """The text the detectors scan, escapes decoded and Unicode folded, with its map back to
    ``text``; None where neither changes it (step 0 of the pipeline above)."""
    unescaped = unescape(text)
    folded = fold(text if unescaped is None else unescaped.text)
    if folded is None:
        return unescaped
    return folded if unescaped is None else Chained(unescaped, folded)


class Redactor:
    """Detects and replaces sensitive data in text.

    ``Redactor()`` replaces with typed placeholders (``[EMAIL]``);
    ``Redactor(pseudonym_key=key)`` with keyed pseudonyms (``[EMAIL_3f9a2c1b]``),
    stable for one key and unlinkable across keys. ``ner`` plugs in an optional
    :class:`NerStage` for names and addresses (off by default). With the
    built-in detectors the scan runs compiled (:mod:`.native`) when that is
    built; ``native=False`` keeps it in Python (same findings, slower).
    """

    def __init__(
        self,
        pseudonym_key: bytes | None = None,
        *,
        ner: NerStage | None = None,
        detectors: Sequence[Detector] = DEFAULT_DETECTORS,
        native: bool = True,
    ) -> None:
        self._replace = Replacer(pseudonym_key)
        self._ner = ner
        self._detectors = tuple(detectors)
        self._use_native = native
        self._plan = _ScanPlan(self._detectors)
        self._native = compiled_scan(self._detectors) if native else None

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        # Both hold compiled RE2 objects, which do not pickle; rebuilt below.
        del state["_plan"], state["_native"]
        # Built-in detectors travel as their index, so that the copy holds the very
        # same instances (the compiled scan takes only those).
        state["_detectors"] = tuple(_builtin_index(d) for d in self._detectors)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._detectors = tuple(
            DEFAULT_DETECTORS[d] if isinstance(d, int) else d
            for d in cast("tuple[Detector | int, ...]", self._detectors)
        )
        self._plan = _ScanPlan(self._detectors)
        self._native = compiled_scan(self._detectors) if self._use_native else None

    @property
    def compiled(self) -> bool:
        """True when the scan runs in the compiled extension (see :mod:`.native`)."""
        return self._native is not None

    @property
    def stages(self) -> tuple[str, ...]:
        """The filter's stages in the order they run, as a run's manifest records them."""
        return ("patterns", "ner") if self._ner is not None else ("patterns",)

    def redact(self, text: str) -> RedactionResult:
        """Filtered text and the findings replaced in it (offsets into ``text``).

        Raises :class:`RedactionError` on any failure, never returning ``text``
        unfiltered.
        """
        if not isinstance(text, str):
            raise RedactionError(f"text must be str, not {type(text).__name__}")
        try:
            return self._redact(text)
        except RedactionError:
            raise
        except Exception as exc:
            raise RedactionError(f"filter failed: {type(exc).__name__}") from exc

    def _redact(self, text: str) -> RedactionResult:
        view = scanned_view(text)
        return self._redact_text(text) if view is None else self._redact_folded(text, view)

    def _redact_folded(self, text: str, folded: TextMap) -> RedactionResult:
        """Scan the folded text; each finding covers the original characters it came from.

        Pseudonyms are keyed on the folded value, so an obfuscated copy of a value
        gets the same pseudonym as the plain one.
        """
        inner = self._redact_text(folded.text, replace=False)
        findings = tuple(
            Finding(f.type, folded.start(f.start), folded.end(f.end)) for f in inner.findings
        )
        if not findings:
            return RedactionResult(text, ())
        pieces: list[str] = []
        pos = 0
        for f, g in zip(findings, inner.findings, strict=True):
            pieces.append(text[pos : f.start])
            pieces.append(self._replace(f.type, folded.text[g.start : g.end]))
            pos = f.end
        pieces.append(text[pos:])
        return RedactionResult("".join(pieces), findings)

    def _redact_text(self, text: str, *, replace: bool = True) -> RedactionResult:
        is_ascii = text.isascii()
        data = text.encode("ascii") if is_ascii else text.encode("utf-8", "surrogatepass")
        scan = self._native
        if scan is not None and self._ner is None:
            if self._replace.keyed or not replace:
                findings = scan.findings(data, is_ascii)
                return RedactionResult(
                    self._replaced(text, findings) if replace else text, findings
                )
            redacted, findings = scan.redact(data, is_ascii)
            return RedactionResult(text if redacted is None else redacted, findings)
        found: list[RawCandidate]
        if scan is not None:
            found = scan.candidates(data)
        else:
            found = []
            self._plan.collect(data, found)
        if found and b"[" in data:
            found = [c for c in found if not _is_own_placeholder(data, c)]
        if not is_ascii and found:
            found = _to_str_offsets(found, data)
        if self._ner is not None:
            found.extend(_ner_candidates(self._ner.find(text), len(text)))
        findings = _resolve(found)
        return RedactionResult(self._replaced(text, findings) if replace else text, findings)

    def _replaced(self, text: str, findings: Sequence[Finding]) -> str:
        if not findings:
            return text
        pieces: list[str] = []
        pos = 0
        for f in findings:
            pieces.append(text[pos : f.start])
            pieces.append(self._replace(f.type, text[f.start : f.end]))
            pos = f.end
        pieces.append(text[pos:])
        return "".join(pieces)


def _builtin_index(detector: Detector) -> Detector | int:
    for i, builtin in enumerate(DEFAULT_DETECTORS):
        if detector is builtin:
            return i
    return detector


class _ScanPlan:
    """Runs the detectors over one text, skipping those that cannot match.

    Built-in detectors with a ``prefilter`` (a necessary condition for any match,
    see ``PatternDetector``) are checked together in one ``re2.Set`` pass over the
    text: one linear scan instead of one per detector. A detector whose prefilter
    does not occur cannot yield anything and is skipped. ``RE2::Set`` reports the
    patterns that matched, or nothing at all when its DFA runs out of memory, so
    an empty answer is confirmed by one ordinary RE2 search of all prefilters
    (which falls back to the NFA instead of failing) before anything is skipped;
    if that search matches, every detector runs.
    """

    __slots__ = ("_all", "_confirm", "_set_match", "_steps")

    def __init__(self, detectors: Sequence[Detector]) -> None:
        prefilters: list[str] = []
        steps: list[tuple[Callable[[bytes, list[RawCandidate]], None], int]] = []
        for detector in detectors:
            prefilter = getattr(detector, "prefilter", None)
            index = -1
            if isinstance(detector, _BUILTIN_DETECTOR_TYPES) and prefilter is not None:
                index = len(prefilters)
                prefilters.append(prefilter)
            steps.append((_collector(detector), index))
        self._steps = tuple(steps)
        self._all = frozenset(range(len(prefilters)))
        self._set_match: Callable[[bytes], list[int]] | None = None
        self._confirm: RawMatch | None = None
        if prefilters:
            options = re2.Options()
            options.max_mem = 64 << 20
            prefilter_set = re2.Set.SearchSet(options)
            for pattern in prefilters:
                prefilter_set.Add(pattern)
            prefilter_set.Compile()
            self._set_match = prefilter_set._set.Match
            self._confirm = raw_matcher(compile_pattern("|".join(f"(?:{p})" for p in prefilters)))

    def collect(self, data: bytes, out: list[RawCandidate]) -> None:
        """Append every detector's candidates in ``data`` to ``out`` (in detector order)."""
        if self._set_match is None or self._confirm is None:
            for collect, _ in self._steps:
                collect(data, out)
            return
        present: Collection[int] = self._set_match(data)
        if not present and self._confirm(UNANCHORED, data, 0, len(data))[0][0] >= 0:
            present = self._all  # the set failed: run everything
        for collect, index in self._steps:
            if index < 0 or index in present:
                collect(data, out)


def _collector(detector: Detector) -> Callable[[bytes, list[RawCandidate]], None]:
    """The built-in detectors' ``collect`` fast path, or a wrapper around ``scan``."""
    collect = getattr(detector, "collect", None)
    if collect is not None and isinstance(detector, _BUILTIN_DETECTOR_TYPES):
        return cast("Callable[[bytes, list[RawCandidate]], None]", collect)

    def from_scan(data: bytes, out: list[RawCandidate]) -> None:
        out.extend(detector.scan(data))

    return from_scan


def _is_own_placeholder(data: bytes, cand: RawCandidate) -> bool:
    start = cand[0]
    return data[start] == 0x5B and is_placeholder(data[start : cand[1]])  # "["


def _to_str_offsets(candidates: list[RawCandidate], data: bytes) -> list[RawCandidate]:
    """Map UTF-8 byte offsets to str offsets in one pass over the sorted offsets."""
    offsets = sorted({o for c in candidates for o in (c[0], c[1])})
    mapping: dict[int, int] = {}
    prev_byte = prev_char = 0
    for off in offsets:
        prev_char += len(data[prev_byte:off].decode("utf-8", "surrogatepass"))
        prev_byte = off
        mapping[off] = prev_char
    return [(mapping[s], mapping[e], t, r) for s, e, t, r in candidates]


def _ner_candidates(found: Iterable[Finding], length: int) -> list[Candidate]:
    out = []
    for f in found:
        if not isinstance(f, Finding) or not isinstance(f.type, str) or not f.type:
            raise RedactionError("NER stage returned something that is not a Finding")
        if not (0 <= f.start < f.end <= length):
            raise RedactionError("NER stage returned a finding outside the text")
        out.append(Candidate(f.start, f.end, f.type, NER_RANK))
    return out


def _winner_key(c: RawCandidate) -> tuple[int, int, int, int, str]:
    start, end, kind, rank = c
    return (0 if rank < _CREDENTIAL_RANK_LIMIT else 1, start - end, rank, start, kind)


def _sort_key(c: RawCandidate) -> tuple[int, int]:
    return (c[0], -c[1])


def _resolve(candidates: list[RawCandidate]) -> tuple[Finding, ...]:
    """Merge overlapping candidates into union spans typed by the winner."""
    if not candidates:
        return ()
    candidates.sort(key=_sort_key)
    findings: list[Finding] = []
    best = candidates[0]
    start, end = best[0], best[1]
    for c in candidates[1:]:
        if c[0] < end:
            if c[1] > end:
                end = c[1]
            if _winner_key(c) < _winner_key(best):
                best = c
            continue
        findings.append(Finding(best[2], start, end))
        best, start, end = c, c[0], c[1]
    findings.append(Finding(best[2], start, end))
    return tuple(findings)
