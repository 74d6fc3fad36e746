"""The fast stage, measured: the compiled C++/RE2 scan against one Hyperscan (Vectorscan) pass.

    .venv/bin/python -m benchmarks.redaction.fast_stage

Issue 16 asks whether a multi-pattern engine (the ``hyperscan`` package, whose
wheels ship Vectorscan) should propose the candidates instead of the C++ scan.
This script times, on the same texts and in the same process (CPU time, one
thread):

* ``C++ candidates``: ``native.build(DEFAULT_DETECTORS).candidates`` — every
  detector's RE2 search *and* its validator (C++ ports, Python call-backs);
* ``C++ ported only``: the same for the detectors with a C++ port;
* ``Hyperscan pass``: one ``hyperscan.Database.scan`` per text over every
  built-in pattern (RE2 syntax compiled as PCRE with ``HS_FLAG_PREFILTER``,
  UTF-8/UCP, start of match) and the provider-token prefixes as literals —
  only the proposing pass: no validator runs and no overlap is resolved, so it
  is a lower bound for a Hyperscan-based filter.

Texts: the labelled corpus (benchmarks/redaction/corpus.py), Faker prose, and
the outside suite. The answer, and what it means, is in docs/bench/redaction.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from consentry.redaction import native, tokens
from consentry.redaction.detector import PatternDetector
from consentry.redaction.engine import DEFAULT_DETECTORS

from .corpus import build_corpus
from .outside.corpus import build as build_outside


def _cpu_mbps(run: Callable[[bytes], object], datas: Sequence[bytes], repeats: int = 3) -> float:
    """MB per CPU-second: the best of ``repeats`` passes after one whole warm-up pass
    (a single pass after a short warm-up measured a cold scan 7x slower under load)."""
    for d in datas:
        run(d)
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for d in datas:
            run(d)
        best = min(best, time.process_time() - start)
    return sum(map(len, datas)) / best / 1e6


def hyperscan_database() -> tuple[object, int, list[str]]:
    """Every built-in pattern in one Hyperscan database; the patterns it refused."""
    import hyperscan

    patterns: list[bytes] = []
    flags: list[int] = []
    refused: list[str] = []
    base = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP | hyperscan.HS_FLAG_PREFILTER
    for detector in DEFAULT_DETECTORS:
        if isinstance(detector, PatternDetector):
            source = detector.regex.pattern
            flag = base | hyperscan.HS_FLAG_SOM_LEFTMOST
            try:
                db = hyperscan.Database()
                db.compile(expressions=[source.encode()], flags=[flag])
            except hyperscan.error:
                try:
                    db = hyperscan.Database()
                    db.compile(expressions=[source.encode()], flags=[base])
                    flag = base
                except hyperscan.error:
                    refused.append(source[:60])
                    continue
            patterns.append(source.encode())
            flags.append(flag)
    for prefix in tokens.prefix_order():
        escaped = "".join("\\" + c if not c.isalnum() else c for c in prefix)
        patterns.append(escaped.encode())
        flags.append(hyperscan.HS_FLAG_SOM_LEFTMOST)
    db = hyperscan.Database()
    db.compile(expressions=patterns, ids=list(range(len(patterns))), flags=flags)
    return db, len(patterns), refused


def hyperscan_gate() -> tuple[object, list[int], list[int]]:
    """One Hyperscan database whose match ids are detector indexes (``HS_FLAG_SINGLEMATCH``).

    Each built-in detector's pattern (prefilter mode, so a superset of its matches),
    the provider prefixes (the token detector) and the PEM header (the private-key
    detector); detectors whose pattern Hyperscan refuses always run. Returns the
    database, the ids of its expressions and the always-run detector indexes.
    """
    import hyperscan

    base = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP | hyperscan.HS_FLAG_PREFILTER
    single = base | hyperscan.HS_FLAG_SINGLEMATCH
    expressions: list[bytes] = []
    ids: list[int] = []
    always: list[int] = []
    for index, detector in enumerate(DEFAULT_DETECTORS):
        if isinstance(detector, tokens.ProviderTokenDetector):
            for prefix in tokens.prefix_order():
                escaped = "".join("\\" + c if not c.isalnum() else c for c in prefix)
                expressions.append(escaped.encode())
                ids.append(index)
            continue
        if isinstance(detector, PatternDetector):
            source = detector.regex.pattern.encode()
        else:  # the private-key detector: every match starts with its header
            source = b"-----BEGIN"
        try:
            probe = hyperscan.Database()
            probe.compile(expressions=[source], flags=[single])
        except hyperscan.error:
            always.append(index)
            continue
        expressions.append(source)
        ids.append(index)
    db = hyperscan.Database()
    db.compile(expressions=expressions, ids=ids, flags=[single] * len(expressions))
    return db, ids, always


def gated_scan() -> tuple[Callable[[bytes], object], Callable[[bytes], object]]:
    """The C++ scan run only for the detectors the Hyperscan gate says may match.

    Returns (scan, check): ``check`` asserts, for one text, that the gated scan's
    candidates equal the full C++ scan's (Hyperscan's prefilter mode never drops a
    match, so skipping a detector that it does not report loses nothing).
    """
    db, _, always = hyperscan_gate()
    full = native.build(DEFAULT_DETECTORS)
    assert full is not None
    engines: dict[tuple[int, ...], native.NativeScan | None] = {}

    def scan(data: bytes) -> list[object]:
        hit = set(always)

        def on_match(ident: int, *_: object) -> None:
            hit.add(ident)

        db.scan(data, match_event_handler=on_match)  # type: ignore[attr-defined]
        key = tuple(sorted(hit))
        engine = engines.get(key)
        if engine is None:
            engine = native.build([DEFAULT_DETECTORS[i] for i in key]) if key else None
            engines[key] = engine
        return [] if engine is None else list(engine.candidates(data))

    def check(data: bytes) -> None:
        assert sorted(scan(data)) == sorted(full.candidates(data)), data[:80]  # type: ignore[type-var]

    return scan, check


def main() -> None:
    """Print MB/s per core of each stage on each set of texts."""
    from faker import Faker

    fake = Faker()
    fake.seed_instance(7)
    sets = {
        "labelled corpus": [r.text.encode() for r in build_corpus(1500)],
        "Faker prose": [fake.paragraph(nb_sentences=40).encode() for _ in range(300)],
        "outside suite": [r.text.encode("utf-8", "surrogatepass") for r in build_outside()],
    }
    full = native.build(DEFAULT_DETECTORS)

    def has_port(d: object) -> bool:
        spec = native._spec(d)  # type: ignore[arg-type]
        return spec is not None and not (spec[0] == "pattern" and spec[5] == "python")

    ported_detectors = [d for d in DEFAULT_DETECTORS if has_port(d)]
    ported = native.build(ported_detectors)
    assert full is not None
    assert ported is not None
    db, count, refused = hyperscan_database()
    hits = [0]

    def on_match(*_: object) -> None:
        hits[0] += 1

    def hs_scan(data: bytes) -> None:
        db.scan(data, match_event_handler=on_match)  # type: ignore[attr-defined]

    gated, check = gated_scan()
    print(f"Hyperscan database: {count} patterns; refused: {refused or 'none'}\n")
    print(
        "| texts | MB | C++ candidates (all detectors) | C++ ported only | Hyperscan pass "
        "| Hyperscan gate + C++ scan of the detectors it reports |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, datas in sets.items():
        valid = [d for d in datas if _is_utf8(d)]  # Hyperscan's UTF-8 mode needs valid input
        for d in valid:
            check(d)  # same candidates as the full scan, and every engine built before timing
        size = sum(map(len, valid)) / 1e6
        a = _cpu_mbps(full.candidates, valid)
        b = _cpu_mbps(ported.candidates, valid)
        c = _cpu_mbps(hs_scan, valid)
        d = _cpu_mbps(gated, valid)
        print(f"| {name} | {size:.2f} | {a:.1f} | {b:.1f} | {c:.1f} | {d:.1f} |")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


if __name__ == "__main__":
    main()
