"""The compiled scan on text it has not seen: validators' caches cleared before each pass.

    .venv/bin/python -m benchmarks.redaction.cold_caches [BUILD.so] --rounds 5

The phone and national-id validators call phonenumbers and python-stdnum back through
``functools.lru_cache``d functions. ``builds_ab`` and ``scan_speed`` repeat passes over
the same records, so from the second pass on every library call is a cache hit; a
service filtering new conversations pays them. This alternates a pass with those caches
cleared ("cold") and one with them filled ("warm"), in process CPU, and prints both
medians (issue 16, speed; docs/bench/redaction.md, round nine).
"""

from __future__ import annotations

import argparse
import time

from consentry.redaction import native

from .builds_ab import _engine, _engine_args, _load
from .corpus import build_corpus
from .scan_callgrind import clear_library_caches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("build", nargs="?", default="", help="a _native*.so (default: installed)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--records", type=int, default=3000)
    args = parser.parse_args()
    specs, tables = _engine_args([])
    # the installed build as imported (loading its file again under another name fails:
    # pybind11 registers each type once per process)
    module = _load(args.build, "cold._native") if args.build else native._native
    if module is None:
        raise SystemExit("the compiled scan is not built")
    engine = _engine(module, specs, tables)
    datas = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(args.records)]

    def one_pass(cold: bool) -> float:
        if cold:
            clear_library_caches()
        start = time.process_time()
        for d in datas:
            engine.candidates(d)
        return time.process_time() - start

    one_pass(False)
    cold, warm = [], []
    for _ in range(args.rounds):
        cold.append(one_pass(True))
        warm.append(one_pass(False))
    mb = sum(map(len, datas)) / 1e6
    c, w = sorted(cold)[args.rounds // 2], sorted(warm)[args.rounds // 2]
    print(f"cold {c * 1000:.1f} ms ({mb / c:.1f} MB/s), warm {w * 1000:.1f} ms ({mb / w:.1f} MB/s)")


if __name__ == "__main__":
    main()
