"""Issue 16's sixth speed round toggled off and on in one process (CPU time, alternating).

    .venv/bin/python -m benchmarks.redaction.round6_ab --rounds 7

The round runs RE2 anchored at the positions where a detector's match can start
(``native.START_RULES``: key words, ``-`` flags, quoted values, headers) instead of
one unanchored search over the whole text, where those positions are sparse. "Off"
builds the same engine without the start tables, which is what the scan ran before the
round; the candidates of both are checked equal on every text first. Each pass times
one engine over all texts; the order alternates per round.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from consentry.redaction import _native, credentials, native
from consentry.redaction.engine import DEFAULT_DETECTORS
from consentry.redaction.model import Finding

from .corpus import build_corpus
from .outside.corpus import build as build_outside


def engines() -> tuple[Any, Any]:
    """(the scan as built now, the scan without anchored starts)."""
    specs = [s for s in map(native._spec, DEFAULT_DETECTORS) if s is not None]
    if len(specs) != len(DEFAULT_DETECTORS):
        raise SystemExit("a built-in detector has no compiled spec")
    prefilters = native.prefilter_tables(DEFAULT_DETECTORS)
    starts = native.start_tables(DEFAULT_DETECTORS)
    if not starts:
        raise SystemExit("no detector has a start rule (native.START_RULES)")
    now = _native.Engine(
        specs, native._tables(prefilters, starts), credentials.jwt_header_ok, Finding
    )
    before = _native.Engine(specs, native._tables(prefilters), credentials.jwt_header_ok, Finding)
    return now, before


def compare(name: str, datas: list[bytes], rounds: int) -> None:
    """Print the median and best CPU per pass of both engines over ``datas``."""
    now, before = engines()
    for d in datas:
        if now.candidates(d) != before.candidates(d):
            raise SystemExit(f"{name}: the engines find different candidates")
    times: dict[str, list[float]] = {"before": [], "after": []}
    for r in range(rounds):
        order = [("before", before), ("after", now)]
        for label, engine in order if r % 2 == 0 else order[::-1]:
            start = time.process_time()
            for d in datas:
                engine.candidates(d)
            times[label].append(time.process_time() - start)
    size = sum(map(len, datas)) / 1e6
    b, a = sorted(times["before"]), sorted(times["after"])
    mid = rounds // 2
    print(
        f"- {name} ({len(datas)} texts, {size:.2f} MB): before {b[mid] * 1000:.1f} ms "
        f"({size / b[mid]:.1f} MB/s), after {a[mid] * 1000:.1f} ms ({size / a[mid]:.1f} MB/s) "
        f"(medians of {rounds}); **×{b[mid] / a[mid]:.2f}**, bests ×{b[0] / a[0]:.2f}"
    )


def main() -> None:
    """Print the comparison as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--records", type=int, default=3000)
    args = parser.parse_args()
    labelled = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(args.records)]
    compare("labelled corpus", labelled, args.rounds)
    outside = [r.text.encode("utf-8", "surrogatepass") for r in build_outside()]
    compare("outside suite", outside, args.rounds)
    prose = b"Could you book a table for two at seven tonight, near the station? " * 11
    compare("clean prose", [prose] * 3000, args.rounds)


if __name__ == "__main__":
    main()
