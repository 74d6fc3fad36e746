"""The library validators of a git revision against today's, cold and warm, in one process.

    .venv/bin/python -m benchmarks.redaction.validators_ab BASE_REV --rounds 7 [--order ba]

Issue 16 (speed, text the filter has not seen; docs/bench/redaction.md, round ten).
Loads ``fieldnumbers.py`` and ``nationalids.py`` as they were at ``BASE_REV`` beside
today's, builds the installed compiled scan twice (the same detectors and tables, but
the phone and national-id library calls of the base in engine A and today's in engine
B), checks that both give the same candidates on every labelled record, then times
passes of each in turn: "cold" with every lru cache of both versions cleared before the
pass (text not seen before), "warm" with them filled. Prints the medians per pass and
the median ratio A/B of each kind.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import subprocess
import sys
import time
from types import ModuleType
from typing import Any

from consentry.redaction import fieldnumbers, nationalids, native

from .builds_ab import _engine, _engine_args
from .corpus import build_corpus


def _module_at(rev: str, name: str, replace: tuple[str, str] | None = None) -> ModuleType:
    """``consentry/redaction/NAME.py`` at ``rev``, as ``consentry.redaction._base_NAME``."""
    source = subprocess.run(
        ["git", "show", f"{rev}:src/consentry/redaction/{name}.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if replace:
        source = source.replace(*replace)
    full = f"consentry.redaction._base_{name}"
    spec = importlib.util.spec_from_loader(full, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "consentry.redaction"
    sys.modules[full] = module
    exec(compile(source, f"{rev}:{name}.py", "exec"), module.__dict__)
    return module


def _caches(*modules: ModuleType) -> list[Any]:
    seen: dict[int, Any] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper) and value.cache_info().maxsize:
                seen[id(value)] = value
    return list(seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base", help="git revision of the validators for engine A")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--order", choices=("ab", "ba"), default="ab")
    args = parser.parse_args()
    base_fn = _module_at(args.base, "fieldnumbers")
    base_ids = _module_at(args.base, "nationalids", (".fieldnumbers", "._base_fieldnumbers"))
    specs, tables = _engine_args([])
    if "phone_library" not in tables or "national_library" not in tables:
        raise SystemExit("a port is not current: the library calls are not made back")
    base_tables = dict(tables)
    base_tables["phone_library"] = (fieldnumbers._phone, *base_fn.native_library()[1:])
    port = tables["national_library"]
    assert isinstance(port, tuple)
    base_tables["national_library"] = (port[0], base_fn._other_number, base_ids._valid_national_id)
    module = native._native
    if module is None:
        raise SystemExit("the compiled scan is not built")
    engines = {"a": _engine(module, specs, base_tables), "b": _engine(module, specs, tables)}
    caches = _caches(fieldnumbers, nationalids, base_fn, base_ids)
    datas = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(args.records)]
    for d in datas:
        if engines["a"].candidates(d) != engines["b"].candidates(d):
            raise SystemExit("the two versions give different candidates")

    def one_pass(engine: Any, cold: bool) -> float:
        if cold:
            for cache in caches:
                cache.cache_clear()
        start = time.process_time()
        for d in datas:
            engine.candidates(d)
        return time.process_time() - start

    times: dict[tuple[str, bool], list[float]] = {}
    for _ in range(args.rounds):
        for cold in (True, False):
            for tag in args.order:
                if not cold:
                    one_pass(engines[tag], False)  # fill this version's caches
                times.setdefault((tag, cold), []).append(one_pass(engines[tag], cold))
    mb = sum(map(len, datas)) / 1e6
    for cold in (True, False):
        a, b = times[("a", cold)], times[("b", cold)]
        ma, mb_ = sorted(a)[args.rounds // 2], sorted(b)[args.rounds // 2]
        ratios = sorted(x / y for x, y in zip(a, b, strict=True))
        print(
            f"{'cold' if cold else 'warm'}: A {ma * 1000:.1f} ms ({mb / ma:.1f} MB/s), "
            f"B {mb_ * 1000:.1f} ms ({mb / mb_:.1f} MB/s) per pass; A/B median "
            f"{ratios[len(ratios) // 2]:.3f} (rounds {ratios[0]:.3f}-{ratios[-1]:.3f})"
        )


if __name__ == "__main__":
    main()
