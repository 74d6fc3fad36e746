"""A compiled scan's instruction count, for callgrind: repeatable under load.

    valgrind --tool=callgrind --toggle-collect='*Engine::candidates*' \\
        .venv/bin/python -m benchmarks.redaction.scan_callgrind BUILD.so [--only 22] [--cold]

Builds the engine of ``DEFAULT_DETECTORS`` (or of the ``--only`` indices, as
``builds_ab --only``: no prefilter Set) with one build of ``_native``, makes a warm-up
pass with ``findings()`` (not counted: callgrind collects inside ``candidates`` only), then
one pass of ``candidates()`` over the labelled corpus. The warm-up fills the validators'
lru caches as the repeated passes of ``builds_ab`` do; ``--cold`` clears them before the
counted pass, as for text the process has not seen (issue 16, speed;
docs/bench/redaction.md, round nine). ``callgrind_annotate`` then shows where it goes.
"""

from __future__ import annotations

import argparse
import functools

from consentry.redaction import fieldnumbers, nationalids

from .builds_ab import _engine, _engine_args, _load
from .corpus import build_corpus


def clear_library_caches() -> int:
    """Clear the bounded lru caches of the phone and national-id validators; how many."""
    seen: dict[int, functools._lru_cache_wrapper[object]] = {}
    for module in (fieldnumbers, nationalids):
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper) and value.cache_info().maxsize:
                seen[id(value)] = value
    for cached in seen.values():
        cached.cache_clear()
    return len(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("build", help="path of a _native*.so")
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--only", default="", help="detector indices, comma-separated")
    parser.add_argument("--cold", action="store_true", help="clear the validators' caches")
    args = parser.parse_args()
    datas = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(args.records)]
    specs, tables = _engine_args([int(i) for i in args.only.split(",") if i])
    engine = _engine(_load(args.build, "counted._native"), specs, tables)
    for d in datas:
        engine.findings(d, d.isascii())
    if args.cold:
        clear_library_caches()
    for d in datas:
        engine.candidates(d)


if __name__ == "__main__":
    main()
