"""Where the compiled scan's time goes, and what an RE2::Set gate in front of it would save.

    .venv/bin/python -m benchmarks.redaction.scan_profile --records 3000

Issue 16 asks for ≥ 50 MB/s per core on the labelled corpus; the compiled scan
(``native.build(DEFAULT_DETECTORS).candidates``) runs at 5–8. Before
restructuring ``_native.cpp`` this script measures, on the labelled corpus, in
one process and in CPU time (best of 3 passes after a warm-up pass):

1. the full compiled scan, and the same scan over as many clean texts of the
   records' mean size (what the detectors' passes cost with nothing to find);
2. the same scan with every Python validator it calls back wrapped in a CPU
   timer, so the share of the time spent in Python call-backs (phonenumbers,
   stdnum, key-word and shape validators) is measured, not guessed; the timer's
   own cost per call is measured and subtracted;
3. each built-in detector alone (an engine holding only that detector);
4. a candidate prefilter, an ``RE2::Set`` of patterns run once per text
   before the detectors (google-re2's binding of the same C++ class), for
   (a) every pattern detector's full pattern and (b) every detector's
   ``prefilter``: the Set's own cost against the time the detectors it rules out
   would save (each detector timed again on only the texts the Set lets through);
5. the whole-validator ports of ``native.GATE_PINS`` against their Python
   validators called back (candidates checked equal on every record first);
6. the phone and national-id gates against their reject-only form before issue
   16's speed round (same check of the candidates).

The answer is in docs/bench/redaction.md ("The speed target, profiled").
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import re2

from consentry.redaction import _native, credentials, fieldnumbers, nationalids, native
from consentry.redaction.model import Finding

from .corpus import build_corpus

Run = Callable[[bytes], object]


def _cpu(run: Run, datas: Sequence[bytes], repeats: int = 3) -> float:
    """Best CPU seconds of ``repeats`` passes over ``datas`` after a warm-up pass."""
    for d in datas:
        run(d)
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for d in datas:
            run(d)
        best = min(best, time.process_time() - start)
    return best


def _engine(specs: list[tuple[object, ...]]) -> Any:
    # a whole built-in scan gets the prefilter Set native.build gives it (native.SET_GATED)
    whole = len(specs) == len(native._BUILTIN)
    tables = native._tables(native.prefilter_tables(native._BUILTIN) if whole else None)
    return _native.Engine(specs, tables, credentials.jwt_header_ok, Finding)


def _specs() -> list[tuple[object, ...]]:
    specs = [native._spec(d) for d in native._BUILTIN]
    if any(s is None for s in specs):
        raise SystemExit("a built-in detector has no compiled spec")
    return [s for s in specs if s is not None]


def callback_share(datas: Sequence[bytes]) -> tuple[float, float, int, Counter[str]]:
    """(full scan CPU, CPU inside Python call-backs, call-backs, call-backs per validator)."""
    spent = [0.0]
    calls = [0]
    by_name: Counter[str] = Counter()
    cpu_by_name: Counter[str] = Counter()

    def timed(function: Callable[..., object]) -> Callable[..., object]:
        name = f"{function.__module__.rsplit('.', 1)[-1]}.{function.__qualname__}"

        def wrapper(*args: object) -> object:
            by_name[name] += 1
            start = time.process_time()
            try:
                return function(*args)
            finally:
                took = time.process_time() - start
                spent[0] += took
                cpu_by_name[name] += took
                calls[0] += 1

        return wrapper

    specs = []
    for spec in _specs():
        if spec[0] == "pattern" and spec[5] == "python":
            spec = (*spec[:7], timed(spec[7]), *spec[8:])  # type: ignore[arg-type]
        specs.append(spec)
    engine = _engine(specs)
    for d in datas:
        engine.candidates(d)
    spent[0], calls[0] = 0.0, 0
    by_name.clear()
    cpu_by_name.clear()
    start = time.process_time()
    for d in datas:
        engine.candidates(d)
    total = time.process_time() - start
    in_python, counted = spent[0], calls[0]
    counts = Counter({f"{n} ({cpu_by_name[n] * 1000:.1f} ms)": c for n, c in by_name.items()})
    probe = timed(lambda: None)
    spent[0] = 0.0
    for _ in range(20000):
        probe()
    per_call_overhead = spent[0] / 20000  # the timer's own cost inside its window
    return total, in_python - per_call_overhead * counted, counted, counts


def _set(patterns: Sequence[str]) -> Run:
    options = re2.Options()
    options.max_mem = 256 << 20
    pattern_set = re2.Set.SearchSet(options)
    for pattern in patterns:
        pattern_set.Add(pattern)
    pattern_set.Compile()
    match: Run = pattern_set._set.Match
    return match


def set_gate(datas: Sequence[bytes], which: str) -> tuple[float, float, int]:
    """(Set CPU per pass, detector CPU it would save, detectors in the Set)."""
    members: list[tuple[int, str]] = []
    for i, detector in enumerate(native._BUILTIN):
        spec = native._spec(detector)
        regex = getattr(detector, "regex", None)
        if which == "patterns" and spec is not None and spec[0] == "pattern" and regex is not None:
            members.append((i, regex.pattern))
        elif which == "prefilters" and getattr(detector, "prefilter", None):
            members.append((i, detector.prefilter))  # type: ignore[attr-defined]
    match = _set([p for _, p in members])
    set_cpu = _cpu(match, datas)
    present = [set(match(d)) for d in datas]  # type: ignore[call-overload]
    if any(not p for p in present):
        # an empty answer may also mean the Set's DFA ran out of memory: not skipped
        present = [p or set(range(len(members))) for p in present]
    saved = 0.0
    for j, (i, _) in enumerate(members):
        engine = _engine([_specs()[i]])
        let_through = [d for d, p in zip(datas, present, strict=True) if j in p]
        alone = _cpu(engine.candidates, datas, repeats=1)
        gated = _cpu(engine.candidates, let_through, repeats=1) if let_through else 0.0
        saved += alone - gated
    return set_cpu, saved, len(members)


def ported_gates_ab(datas: Sequence[bytes], rounds: int = 5) -> tuple[list[float], list[float]]:
    """CPU per pass with the whole-validator ports of native.GATE_PINS and with their
    Python validators called back instead, alternating passes in one process; the
    candidates are checked equal on every text first."""
    specs = _specs()
    called_back = [
        (*s[:8], "", [])
        if s[0] == "pattern" and s[5] == "python" and s[7] in native.GATE_PINS
        else s
        for s in specs
    ]
    ported, python = _engine(specs), _engine(called_back)
    for d in datas:
        if ported.candidates(d) != python.candidates(d):
            raise SystemExit("a ported gate finds other candidates than its Python validator")
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for engine, out in ((ported, times[0]), (python, times[1])):
            start = time.process_time()
            for d in datas:
                engine.candidates(d)
            out.append(time.process_time() - start)
    return times


def context_gates_ab(datas: Sequence[bytes], rounds: int = 5) -> tuple[list[float], list[float]]:
    """CPU per pass with the phone and national-id gates as they are and as they were
    before issue 16's speed round (their first context pattern only: glued, digit count
    and the not-phone / ID words), alternating passes in one process, candidates equal."""
    earlier = (fieldnumbers._phone, nationalids._national_id)
    specs = _specs()
    before = [
        (*s[:9], list(s[9][:1]))
        if s[0] == "pattern" and s[5] == "python" and s[7] in earlier
        else s
        for s in specs
    ]
    now, then = _engine(specs), _engine(before)
    for d in datas:
        if now.candidates(d) != then.candidates(d):
            raise SystemExit("the context gates find other candidates than before")
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for engine, out in ((now, times[0]), (then, times[1])):
            start = time.process_time()
            for d in datas:
                engine.candidates(d)
            out.append(time.process_time() - start)
    return times


def per_detector(datas: Sequence[bytes]) -> list[tuple[float, str]]:
    """CPU per pass of each built-in detector alone, costliest first."""
    rows = []
    for detector, spec in zip(native._BUILTIN, _specs(), strict=True):
        regex = getattr(detector, "regex", None)
        label = regex.pattern[:44] if regex is not None else type(detector).__name__
        kind = f"{spec[5]}" if spec[0] == "pattern" else str(spec[0])
        cpu = _cpu(_engine([spec]).candidates, datas, repeats=1)
        rows.append((cpu, f"{getattr(detector, 'type', '-')} [{kind}] `{label}`"))
    return sorted(rows, reverse=True)


def main() -> None:
    """Print the profile as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=3000)
    args = parser.parse_args()
    datas = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(args.records)]
    size = sum(map(len, datas)) / 1e6
    full = _cpu(_engine(_specs()).candidates, datas)
    print(f"labelled corpus: {len(datas)} records, {size:.2f} MB\n")
    print(f"- full compiled scan: {full * 1000:.1f} ms CPU, **{size / full:.1f} MB/s**")
    # The same number of texts of the corpus's mean size with nothing to find: what
    # the detectors' passes alone cost (no match, no validator, no call-back).
    clean = (b"Could you book a table for two at seven tonight, near the station? " * 11)[
        : len(b"".join(datas)) // len(datas)
    ]
    idle = _cpu(_engine(_specs()).candidates, [clean] * len(datas))
    print(
        f"- same scan over {len(datas)} clean texts of the mean record size "
        f"({len(clean)} bytes): {idle * 1000:.1f} ms, "
        f"{len(clean) * len(datas) / 1e6 / idle:.1f} MB/s"
    )
    total, in_python, calls, by_name = callback_share(datas)
    print(
        f"- Python call-backs: {calls} calls, {in_python * 1000:.1f} ms of {total * 1000:.1f} ms "
        f"(**{in_python / total:.0%}**); the rest, C++ and RE2, alone would run at "
        f"{size / max(total - in_python, 1e-9):.1f} MB/s"
    )
    listed = ", ".join(f"{name}: {count}" for name, count in by_name.most_common())
    print(f"  - call-backs per pass (validator (CPU incl. the timer): calls): {listed}")
    ported, python = ported_gates_ab(datas)
    median_ported, median_python = sorted(ported)[2], sorted(python)[2]
    print(
        f"- ported gates (native.GATE_PINS) against their Python call-backs, same candidates, "
        f"5 alternating passes each: {median_python * 1000:.1f} → {median_ported * 1000:.1f} ms "
        f"(medians), **×{median_python / median_ported:.2f}**; "
        f"bests ×{min(python) / min(ported):.2f}"
    )
    now, then = context_gates_ab(datas)
    print(
        f"- phone and national-id gates now against before issue 16's speed round, same "
        f"candidates, 5 alternating passes each: {sorted(then)[2] * 1000:.1f} → "
        f"{sorted(now)[2] * 1000:.1f} ms (medians), **×{sorted(then)[2] / sorted(now)[2]:.2f}**; "
        f"bests ×{min(then) / min(now):.2f}"
    )
    for which in ("patterns", "prefilters"):
        set_cpu, saved, count = set_gate(datas, which)
        print(
            f"- RE2::Set gate of {count} {which}: the Set costs {set_cpu * 1000:.1f} ms, "
            f"the detectors it rules out cost {saved * 1000:.1f} ms → net "
            f"{(saved - set_cpu) * 1000:+.1f} ms"
        )
    print("\n| CPU ms per pass | detector [validator] |\n|---:|---|")
    for cpu, label in per_detector(datas):
        print(f"| {cpu * 1000:.2f} | {label} |")


if __name__ == "__main__":
    main()
