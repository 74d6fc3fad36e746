"""Issue 16's ninth speed round: a build from before it against one after, in one process.

    git show 040fdf0:src/consentry/redaction/_native.cpp > /tmp/base.cpp   # build it alike
    .venv/bin/python -m benchmarks.redaction.round9_ab BASE.so NEW.so --rounds 9 [--order ba]

``builds_ab`` hands both builds the same tables; a build from before round nine would then
gate the headers' detector in its ``RE2::Set`` (the round added it to ``native.SET_GATED``),
which it never did. Here the base build gets the tables of its day: no header prefilter,
no shape or word checks (which it would ignore anyway), and the new build today's. The
candidates of both are checked equal on every labelled record first; then a pass of each
in turn, in process CPU. Prints both medians (with MB/s) and the median per-round ratio.
"""

from __future__ import annotations

import argparse
from typing import Any

from .builds_ab import _engine, _engine_args, _load
from .corpus import build_corpus
from .engine_ab import cpu_per_pass

HEADER = r"(?i)authorization|bearer|x-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base", help="a _native*.so built from before round nine")
    parser.add_argument("new", help="a _native*.so built from this tree")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--order", choices=("ab", "ba"), default="ab")
    args = parser.parse_args()
    specs, tables = _engine_args([])
    prefilters: list[tuple[int, str, Any]] = tables["prefilters"]  # type: ignore[assignment]
    before = tables | {"prefilters": [(i, p) for i, p, _ in prefilters if p != HEADER]}
    engines = {
        "base": _engine(_load(args.base, "round9_base._native"), specs, before),
        "new": _engine(_load(args.new, "round9_new._native"), specs, tables),
    }
    datas = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(3000)]
    for d in datas:
        if engines["base"].candidates(d) != engines["new"].candidates(d):
            raise SystemExit("the two builds give different candidates")
    names = ["base", "new"] if args.order == "ab" else ["new", "base"]
    times: dict[str, list[float]] = {k: [] for k in names}
    for _ in range(args.rounds):
        for k in names:
            times[k].append(cpu_per_pass(engines[k], datas))
    mb = sum(map(len, datas)) / 1e6
    mid = {k: sorted(v)[args.rounds // 2] for k, v in times.items()}
    ratios = sorted(a / b for a, b in zip(times[names[0]], times[names[1]], strict=True))
    a, b = names
    print(
        f"{a} {mid[a] * 1000:.1f} ms ({mb / mid[a]:.1f} MB/s), {b} {mid[b] * 1000:.1f} ms"
        f" ({mb / mid[b]:.1f} MB/s); {a}/{b} median {ratios[len(ratios) // 2]:.3f}"
        f" ({ratios[0]:.3f}-{ratios[-1]:.3f})"
    )


if __name__ == "__main__":
    main()
