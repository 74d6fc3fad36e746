"""Runs consentry over the holdout: projects the outside suite does not use.

    .venv/bin/python -m benchmarks.redaction.holdout.run [--misses N] [--check-scans]

The records are made by the outside suite's ``corpus.build`` (same templates,
same seed, same label corrections) and scored by its ``run.score``: per type,
recall (the whole value covered), partial leaks, misses; the false-positive rate
on the negatives. ``--check-scans`` runs the compiled scan and the Python one
(``native=False``, as ``CONSENTRY_FILTER_NATIVE=0``) and fails unless every
record gets the same findings. Values of types SPEC §4 does not ask for
(``NOT_ASKED:*`` in ``values.jsonl``) are scored apart, in their source's own
sentence. ``--misses`` prints the misses and false positives grouped by source
file (for Nosey Parker and Kingfisher: by rule file).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

from consentry.redaction import Redactor

from ..outside.corpus import Record, build, load_values
from ..outside.run import _covered_chars, report, score

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
    """Recall and false positives with the same values in other templates.

    ``corpus.build`` draws each value's template with a seeded random generator,
    so the default table (seed 16) is one draw; a value found in one template and
    missed in another shows a context the filter depends on.
    """
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


def _bad(rec: Record, spans: list[tuple[int, int]]) -> bool:
    if rec.label == "NEGATIVE":
        return bool(spans)
    overlapping = [(s, e) for s, e in spans if s < rec.end and rec.start < e]
    return _covered_chars(rec.start, rec.end, overlapping) < rec.end - rec.start


def main() -> None:
    """Scan the holdout and print the per-type table."""
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
        f"holdout: {len(recs)} records ({positives} values, {len(recs) - positives} negatives), "
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
    print("\nNot asked by SPEC §4 (scored apart, in the source's own sentence):")
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
                groups[f"{kind} {rec.source}:{paths[i].rsplit('/', 1)[-1]}"].append(
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
