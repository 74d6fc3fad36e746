"""Each detector of ``native.START_RULES`` alone, with and without its anchored starts.

    .venv/bin/python -m benchmarks.redaction.starts_ab --rounds 7

For every built-in detector a start rule applies to: an engine holding only that
detector with its rule, the same without, and an empty engine (the per-text floor), over
the labelled corpus; candidates checked equal on every record first; CPU per pass, the
three engines in turn, median of ``--rounds``. Also the way to judge a new rule: add it to
START_RULES and see whether its detector gets faster alone.
"""

from __future__ import annotations

import argparse

from consentry.redaction import _native, credentials, native
from consentry.redaction.engine import DEFAULT_DETECTORS
from consentry.redaction.model import Finding

from .corpus import build_corpus
from .engine_ab import cpu_per_pass


def main() -> None:
    """Print one Markdown row per ruled detector."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--records", type=int, default=3000)
    args = parser.parse_args()
    datas = [r.text.encode("utf-8", "surrogatepass") for r in build_corpus(args.records)]
    print("| detector | rule | without (ms) | with (ms) | empty engine (ms) |")
    print("|---|---|---:|---:|---:|")
    for index, rule, words in native.start_tables(DEFAULT_DETECTORS):
        spec = native._spec(DEFAULT_DETECTORS[index])
        assert spec is not None
        engines = {
            "on": _native.Engine(
                [spec], native._tables(None, [(0, rule, words)]), credentials.jwt_header_ok, Finding
            ),
            "off": _native.Engine([spec], native._tables(), credentials.jwt_header_ok, Finding),
            "empty": _native.Engine([], native._tables(), credentials.jwt_header_ok, Finding),
        }
        for d in datas:
            if engines["on"].candidates(d) != engines["off"].candidates(d):
                raise SystemExit(f"detector {index}: different candidates with its starts")
        times: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(args.rounds):
            for name, engine in engines.items():
                times[name].append(cpu_per_pass(engine, datas))
        mid = {name: sorted(t)[args.rounds // 2] * 1000 for name, t in times.items()}
        pattern = DEFAULT_DETECTORS[index].regex.pattern[:40]  # type: ignore[attr-defined]
        print(f"| `{pattern}` | {rule} | {mid['off']:.2f} | {mid['on']:.2f} | {mid['empty']:.2f} |")


if __name__ == "__main__":
    main()
