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


def _cpu_mbps(run: Callable[[bytes], object], datas: Sequence[bytes]) -> float:
    for d in datas[:30]:
        run(d)
    start = time.process_time()
    for d in datas:
        run(d)
    return sum(map(len, datas)) / (time.process_time() - start) / 1e6


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

    print(f"Hyperscan database: {count} patterns; refused: {refused or 'none'}\n")
    print("| texts | MB | C++ candidates (all detectors) | C++ ported only | Hyperscan pass |")
    print("|---|---:|---:|---:|---:|")
    for name, datas in sets.items():
        size = sum(map(len, datas)) / 1e6
        a = _cpu_mbps(full.candidates, datas)
        b = _cpu_mbps(ported.candidates, datas)
        c = _cpu_mbps(hs_scan, datas)
        print(f"| {name} | {size:.2f} | {a:.1f} | {b:.1f} | {c:.1f} |")


if __name__ == "__main__":
    main()
