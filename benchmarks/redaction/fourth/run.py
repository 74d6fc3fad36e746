"""Runs consentry over the fourth set: a fourth outside set, measured before tuning (issue 16).

    .venv/bin/python -m benchmarks.redaction.fourth.run [--misses N] [--check-scans] [--seeds N]

As ``holdout/run.py``: the records are made by the outside suite's ``corpus.build``
(same templates, seed 16, same label corrections) and scored by its ``run.score``:
per type, recall (the whole value covered), partial leaks, misses; the false-positive
rate on the negatives. ``--check-scans`` runs the compiled and the Python scan and
fails unless every record gets the same findings. Values of types SPEC §4 does not
ask for (``NOT_ASKED:*``) are scored apart, in their source's own line. ``--seeds``
scores the same values in N other template draws (seeds 17...). ``--misses`` prints
the misses and false positives grouped by source file.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

from consentry.redaction import Redactor

from ..holdout.run import _bad
from ..outside.corpus import Record, build, load_values
from ..outside.run import report, score

HERE = Path(__file__).parent


def records(seed: int = 16) -> tuple[list[Record], list[Record], dict[int, str]]:
    """The scored records, the not-asked ones, and each scored record's source path."""
    values = load_values(HERE / "values.jsonl")
    asked = [v for v in values if not v["label"].startswith("NOT_ASKED:")]
    built = build(asked, seed=seed)
    paths = {i: v["path"] for i, v in enumerate(asked)}
    apart = []
    for v in values:
        if v["label"].startswith("NOT_ASKED:"):
            text = v.get("context") or v["value"]
            start = text.find(v["value"])
            if start < 0:
                text, start = v["value"], 0
            apart.append(
                Record(text, v["label"], v["label"], start, start + len(v["value"]), v["source"])
            )
    return built, apart, paths


def other_draws(redactor: Redactor, n: int) -> None:
    """Recall and false positives with the same values in other templates (seeds 17...)."""
    print(f"\nother template draws (seeds 17-{16 + n}):")
    print("| seed | recall | partial | false positives |")
    print("|---:|---:|---:|---:|")
    for seed in range(17, 17 + n):
        recs = records(seed)[0]
        found = [[(f.start, f.end) for f in redactor.redact(r.text).findings] for r in recs]
        per_type = score(recs, found)
        total = per_type.pop("*")
        values = sum(c["values"] for c in per_type.values())
        recalled = sum(c["recalled"] for c in per_type.values())
        partial = sum(c["partial"] for c in per_type.values())
        print(
            f"| {seed} | {recalled / values:.3f} | {partial} "
            f"| {total['fp_records']}/{total['negatives']} |"
        )


def _where(path: str) -> str:
    """A source file's short name (semgrep: folder and rule file)."""
    parts = path.split("/")
    return "/".join(parts[-2:]) if path.startswith("generic/") else parts[-1]


def main() -> None:
    """Scan the fourth set and print the per-type table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python-scan", action="store_true", help="consentry without _native")
    parser.add_argument("--check-scans", action="store_true", help="compiled == Python scan")
    parser.add_argument("--misses", type=int, default=0, help="print this many misses/FPs")
    parser.add_argument(
        "--seeds", type=int, default=0, help="also score N other template draws (seeds 17...)"
    )
    args = parser.parse_args()
    recs, apart, paths = records()
    redactor = Redactor(native=not args.python_scan)
    found = [[(f.start, f.end) for f in redactor.redact(r.text).findings] for r in recs]
    positives = sum(r.label != "NEGATIVE" for r in recs)
    sources = sorted({r.source for r in recs})
    print(
        f"fourth: {len(recs)} records ({positives} values, {len(recs) - positives} negatives), "
        f"{len({r.label for r in recs}) - 1} types, sources {', '.join(sources)}\n"
    )
    print(report({"consentry": score(recs, found)}, {"consentry": float("nan")}))
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    for rec, spans in zip(recs, found, strict=True):
        c = by_source[rec.source]
        c["negatives" if rec.label == "NEGATIVE" else "values"] += 1
        c["fp" if rec.label == "NEGATIVE" else "missed"] += _bad(rec, spans)
    print("\n| source | values | missed or partial | negatives | false positives |")
    print("|---|---:|---:|---:|---:|")
    for source, c in sorted(by_source.items()):
        print(f"| {source} | {c['values']} | {c['missed']} | {c['negatives']} | {c['fp']} |")
    apart_found = [[(f.start, f.end) for f in redactor.redact(r.text).findings] for r in apart]
    stats = score(apart, apart_found)
    print("\nNot asked by SPEC §4 (scored apart, in the source's own line):")
    for label, c in sorted(stats.items()):
        if label != "*":
            print(f"  {label}: {c['recalled']}/{c['values']} found ({c['partial']} partial)")
    if args.seeds:
        other_draws(redactor, args.seeds)
    if args.check_scans:
        other = Redactor(native=args.python_scan)
        differ = sum(
            [(f.type, f.start, f.end) for f in redactor.redact(r.text).findings]
            != [(f.type, f.start, f.end) for f in other.redact(r.text).findings]
            for r in recs + apart
        )
        print(f"\ncompiled and Python scans: {differ} records with different findings")
        if differ:
            sys.exit(1)
    if args.misses:
        groups: dict[str, list[str]] = defaultdict(list)
        for i, (rec, spans) in enumerate(zip(recs, found, strict=True)):
            if _bad(rec, spans):
                kind = "FP" if rec.label == "NEGATIVE" else rec.label
                groups[f"{kind} {rec.source}:{_where(paths[i])}"].append(
                    f"{rec.text[:160]!r} value={rec.text[rec.start : rec.end][:60]!r} -> {spans}"
                )
        print()
        ranked = sorted(groups.items(), key=lambda g: -len(g[1]))
        for group, items in ranked[: args.misses]:
            print(f"## {group} ({len(items)})")
            for line in items[:3]:
                print("   ", line)


if __name__ == "__main__":
    main()
