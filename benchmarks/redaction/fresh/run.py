"""Runs consentry over the fresh set: a third outside set, measured before tuning (issue 16).

    .venv/bin/python -m benchmarks.redaction.fresh.run [--misses N] [--check-scans]

As ``holdout/run.py``: the records are made by the outside suite's ``corpus.build``
(same templates, same seed, same label corrections) and scored by its
``run.score``, with one difference: a value of a PII type that came with its own
sentence (Recognizers-Text's ``Input``), and a negative that is such a sentence, is
scored in that sentence as it is, the value where its text first occurs, instead of
in a template (``--templated`` puts them in the templates too, as the holdout does:
Recognizers-Text's sentences nearly all say "my phone number is").
``--check-scans`` runs the compiled and the Python scan and fails
unless every record gets the same findings. Values of types SPEC §4 does not ask for
(``NOT_ASKED:*``) are scored apart, in their source's own line. ``--misses`` prints
the misses and false positives grouped by source file.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

from consentry.redaction import Redactor

from ..holdout.run import _bad
from ..outside.corpus import PII, Record, build, load_values
from ..outside.run import report, score

HERE = Path(__file__).parent


def _in_sentence(item: dict[str, str]) -> bool:
    """A PII value in its own sentence, or a sentence given as a PII look-alike."""
    context = item.get("context", "")
    if item["label"] == "NEGATIVE":
        return context in PII
    return item["label"] in PII and item["value"] in context


def records(templated_pii: bool = False) -> tuple[list[Record], list[Record], dict[int, str]]:
    """The scored records, the not-asked ones, and each scored record's source path
    (``templated_pii``: every item through ``build``, sentences or not, as the holdout)."""
    values = load_values(HERE / "values.jsonl")
    asked = [v for v in values if not v["label"].startswith("NOT_ASKED:")]
    if templated_pii:
        return build(asked), [], {i: v["path"] for i, v in enumerate(asked)}
    templated = iter(build([v for v in asked if not _in_sentence(v)]))
    built = []
    for v in asked:
        if not _in_sentence(v):
            built.append(next(templated))
        elif v["label"] == "NEGATIVE":
            built.append(
                Record(v["value"], "NEGATIVE", v["context"], 0, len(v["value"]), v["source"])
            )
        else:
            start = v["context"].index(v["value"])
            end = start + len(v["value"])
            built.append(Record(v["context"], v["label"], v["label"], start, end, v["source"]))
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


def main() -> None:
    """Scan the fresh set and print the per-type table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python-scan", action="store_true", help="consentry without _native")
    parser.add_argument("--check-scans", action="store_true", help="compiled == Python scan")
    parser.add_argument("--misses", type=int, default=0, help="print this many misses/FPs")
    parser.add_argument(
        "--templated",
        action="store_true",
        help="PII values in the outside suite's templates, not in their own sentence",
    )
    args = parser.parse_args()
    recs, apart, paths = records(templated_pii=args.templated)
    redactor = Redactor(native=not args.python_scan)
    found = [[(f.start, f.end) for f in redactor.redact(r.text).findings] for r in recs]
    positives = sum(r.label != "NEGATIVE" for r in recs)
    sources = sorted({r.source for r in recs})
    print(
        f"fresh: {len(recs)} records ({positives} values, {len(recs) - positives} negatives), "
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
                where = paths[i].rsplit("/", 1)[-1]
                if where == "output.json":  # secretlint: the rule and the case
                    where = "/".join(paths[i].split("/")[2:5:2])
                elif rec.source == "recognizers-text":
                    where = "/".join(paths[i].split("/")[2:4])
                groups[f"{kind} {rec.source}:{where}"].append(
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
