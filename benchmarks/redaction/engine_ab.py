"""Two compiled engines compared in one process (CPU time, alternating), shared by the
round scripts (``round5_ab``, ``round6_ab``): each builds its "after" and "before"
engines, this checks they propose the same candidates and prints the medians."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

from .corpus import build_corpus
from .outside.corpus import build as build_outside

Engines = Callable[[], tuple[Any, Any]]
"""Returns ``(after, before)``: two engines with a ``candidates(bytes)`` method."""


def cpu_per_pass(engine: Any, datas: Sequence[bytes]) -> float:
    """CPU seconds of one pass of ``engine`` over ``datas``."""
    start = time.process_time()
    for d in datas:
        engine.candidates(d)
    return time.process_time() - start


def compare(name: str, datas: list[bytes], rounds: int, engines: Engines) -> None:
    """Print the median and best CPU per pass of both engines over ``datas``."""
    now, before = engines()
    for d in datas:
        if now.candidates(d) != before.candidates(d):
            raise SystemExit(f"{name}: the engines find different candidates")
    times: dict[str, list[float]] = {"before": [], "after": []}
    for r in range(rounds):
        order = [("before", before), ("after", now)]
        for label, engine in order if r % 2 == 0 else order[::-1]:
            times[label].append(cpu_per_pass(engine, datas))
    size = sum(map(len, datas)) / 1e6
    b, a = sorted(times["before"]), sorted(times["after"])
    mid = rounds // 2
    print(
        f"- {name} ({len(datas)} texts, {size:.2f} MB): before {b[mid] * 1000:.1f} ms "
        f"({size / b[mid]:.1f} MB/s), after {a[mid] * 1000:.1f} ms ({size / a[mid]:.1f} MB/s) "
        f"(medians of {rounds}); **×{b[mid] / a[mid]:.2f}**, bests ×{b[0] / a[0]:.2f}"
    )


def main(engines: Engines, description: str | None) -> None:
    """Compare on the labelled corpus, the outside suite and clean prose, as Markdown."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--records", type=int, default=3000)
    args = parser.parse_args()
    labelled = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(args.records)]
    compare("labelled corpus", labelled, args.rounds, engines)
    outside = [r.text.encode("utf-8", "surrogatepass") for r in build_outside()]
    compare("outside suite", outside, args.rounds, engines)
    prose = b"Could you book a table for two at seven tonight, near the station? " * 11
    compare("clean prose", [prose] * 3000, args.rounds, engines)
