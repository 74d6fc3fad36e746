"""Two builds of ``_native`` in one process, alternated, for A/B runs across trees.

    .venv/bin/python -m benchmarks.redaction.builds_ab A.so B.so --rounds 15

Loads both compiled modules (each under its own module name), builds the same engine with
each (``DEFAULT_DETECTORS``, prefilters, start tables), checks that both give the same
candidates on every labelled record, then times a pass of each in turn, ``--rounds``
times, in process CPU. Prints both medians and the median of the per-round ratios A/B.
Alternating in one process takes the load of the machine out of the comparison better
than process pairs (``scan_speed``), whose per-process noise is ±10 % here; run it with
the two builds also in the other order, as the first of each round tends to be slower.
``--only 19,20`` builds both engines of those detectors alone (indices into
``DEFAULT_DETECTORS``, with their start and region rules, without the prefilter Set), to time one
detector's change without the noise of all the others.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
from types import ModuleType
from typing import Any

from consentry.redaction import credentials, native
from consentry.redaction.engine import DEFAULT_DETECTORS
from consentry.redaction.model import Finding

from .corpus import build_corpus
from .engine_ab import cpu_per_pass


def _load(path: str, name: str) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _engine_args(only: list[int]) -> tuple[list[Any], dict[str, object]]:
    """Specs and tables of every built-in detector, or of those at indices ``only``."""
    if not only:
        specs: list[Any] = [native._spec(d) for d in DEFAULT_DETECTORS]
        starts, regions = (
            native.start_tables(DEFAULT_DETECTORS),
            native.region_tables(DEFAULT_DETECTORS),
        )
        return specs, native._tables(native.prefilter_tables(DEFAULT_DETECTORS), starts, regions)
    chosen = [DEFAULT_DETECTORS[i] for i in only]
    tables = native._tables(None, native.start_tables(chosen), native.region_tables(chosen))
    return [native._spec(d) for d in chosen], tables


def _engine(module: ModuleType, specs: list[Any], tables: dict[str, object]) -> Any:
    """The build's engine; an older build that lacks a gate of today's ``native`` calls
    that detector's validator back, as it did with the ``native`` of its day."""
    while True:
        try:
            return module.Engine(specs, tables, credentials.jwt_header_ok, Finding)
        except ValueError as error:
            prefix = "unknown gate "
            if not str(error).startswith(prefix):
                raise
            gate = str(error)[len(prefix) :]
            specs = [(*s[:8], "", []) if len(s) > 8 and s[8] == gate else s for s in specs]


def main() -> None:
    """Print the medians and the median ratio A/B."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("a", help="path of build A's _native*.so")
    parser.add_argument("b", help="path of build B's _native*.so")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--only", default="", help="detector indices, comma-separated")
    parser.add_argument(
        "--allow-different",
        action="store_true",
        help="time builds whose candidates differ by design (prints on how many records)",
    )
    args = parser.parse_args()
    datas = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(args.records)]
    specs, tables = _engine_args([int(i) for i in args.only.split(",") if i])
    engines = [
        _engine(_load(path, f"build_{tag}._native"), specs, tables)
        for tag, path in (("a", args.a), ("b", args.b))
    ]
    differ = sum(engines[0].candidates(d) != engines[1].candidates(d) for d in datas)
    if differ and not args.allow_different:
        raise SystemExit("the two builds give different candidates")
    if differ:
        print(f"candidates differ on {differ} of {len(datas)} records (--allow-different)")
    times: list[list[float]] = [[], []]
    for _ in range(args.rounds):
        for k, engine in enumerate(engines):
            times[k].append(cpu_per_pass(engine, datas))
    mid = [sorted(t)[args.rounds // 2] * 1000 for t in times]
    ratios = sorted(a / b for a, b in zip(times[0], times[1], strict=True))
    print(
        f"A {mid[0]:.1f} ms, B {mid[1]:.1f} ms per pass; A/B median {ratios[len(ratios) // 2]:.3f}"
        f" (rounds {ratios[0]:.3f}-{ratios[-1]:.3f})"
    )


if __name__ == "__main__":
    main()
