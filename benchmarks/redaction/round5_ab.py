"""Issue 16's fifth speed round toggled off and on in one process (CPU time, alternating).

    .venv/bin/python -m benchmarks.redaction.round5_ab --rounds 7

The round moved work out of the compiled scan's slow paths without changing a finding:
the ``Authorization:``/``X-…-Key:`` header validator ported whole into a C++ gate
(``commands._header``, pinned), hex UUIDs refused in C++ before
``tokens._base36_in_uuid_layout`` (pinned), a length table generated from python-stdnum behind the
national-id gate (``nationalids.length_table``), triggers for two detectors, and one
RE2::Set pass over the prefilters of ``native.SET_GATED``. "Off" builds the same engine
with each of them undone (both validators called back, no table, no triggers, no Set), which
is what the code before the round ran; the candidates of both are checked equal on every
text first. Each pass times one engine over all texts; the order alternates per round.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from consentry.redaction import _native, commands, credentials, native, tokens
from consentry.redaction.engine import DEFAULT_DETECTORS
from consentry.redaction.model import Finding

from .corpus import build_corpus
from .outside.corpus import build as build_outside

_TRIGGERED = ("[0-9]{15}[|%]", "-u|--user|--proxy-user|mysql|mariadb|sshpass|redis-cli")


def engines() -> tuple[Any, Any]:
    """(the scan as built now, the scan with the round's changes undone)."""
    specs = [native._spec(d) for d in DEFAULT_DETECTORS]
    before = []
    for detector, spec in zip(DEFAULT_DETECTORS, specs, strict=True):
        assert spec is not None
        undone = (commands._header, tokens._base36_in_uuid_layout)
        if spec[0] == "pattern" and spec[5] == "python" and spec[7] in undone:
            spec = (*spec[:8], "", [])
        if getattr(detector, "prefilter", None) in _TRIGGERED:
            spec = (*spec[:4], [], *spec[5:])
        before.append(spec)
    tables = native._tables()
    plain = {k: v for k, v in tables.items() if not k.startswith("national_id")}
    now = _native.Engine(
        specs,
        native._tables(native.prefilter_tables(DEFAULT_DETECTORS)),
        credentials.jwt_header_ok,
        Finding,
    )
    return now, _native.Engine(before, plain, credentials.jwt_header_ok, Finding)


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
