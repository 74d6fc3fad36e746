"""What the holdout's, the fresh set's and the fourth set's ``run.py`` share (issue 16).

Each set's records are made by the outside suite's ``corpus.build`` (its templates, its
label corrections) and scored by its ``run.score``: per type, recall (the whole value
covered), partial leaks, misses; the false-positive rate on the negatives. Values of
types SPEC §4 does not ask for (``NOT_ASKED:*`` in ``values.jsonl``) are scored apart,
in their source's own line. Flags: ``--check-scans`` runs the compiled scan and the
Python one (``native=False``, as ``CONSENTRY_FILTER_NATIVE=0``) and fails unless every
record gets the same findings; ``--seeds N`` scores the same values in N other
template draws (a value found in one template and missed in another shows a context
the filter depends on); ``--misses N`` prints the misses and false positives grouped
by source file.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from consentry.redaction import Redactor

from .outside.corpus import Record, build, load_values
from .outside.run import _covered_chars, report, score

Records = tuple[list[Record], list[Record], dict[int, str]]
"""The scored records, the not-asked ones, and each scored record's source path."""


def apart(values: list[dict[str, str]]) -> list[Record]:
    """The not-asked values, each in its source's own line (or alone)."""
    out = []
    for v in values:
        if v["label"].startswith("NOT_ASKED:"):
            text = v.get("context") or v["value"]
            start = text.find(v["value"])
            if start < 0:
                text, start = v["value"], 0
            out.append(
                Record(text, v["label"], v["label"], start, start + len(v["value"]), v["source"])
            )
    return out


def templated(values_jsonl: Path, seed: int = 16) -> Records:
    """Every asked value through ``corpus.build`` with ``seed``, and the not-asked apart."""
    values = load_values(values_jsonl)
    asked = [v for v in values if not v["label"].startswith("NOT_ASKED:")]
    return build(asked, seed=seed), apart(values), {i: v["path"] for i, v in enumerate(asked)}


def bad(rec: Record, spans: list[tuple[int, int]]) -> bool:
    """A negative with a finding, or a value not covered whole."""
    if rec.label == "NEGATIVE":
        return bool(spans)
    overlapping = [(s, e) for s, e in spans if s < rec.end and rec.start < e]
    return _covered_chars(rec.start, rec.end, overlapping) < rec.end - rec.start


def arguments(description: str | None, seeds: bool = True) -> argparse.ArgumentParser:
    """The flags every set's run takes (``seeds``: with ``--seeds``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--python-scan", action="store_true", help="consentry without _native")
    parser.add_argument("--check-scans", action="store_true", help="compiled == Python scan")
    parser.add_argument("--misses", type=int, default=0, help="print this many misses/FPs")
    if seeds:
        parser.add_argument(
            "--seeds", type=int, default=0, help="also score N other template draws (seeds 17...)"
        )
    return parser


def _spans(redactor: Redactor, recs: list[Record]) -> list[list[tuple[int, int]]]:
    return [[(f.start, f.end) for f in redactor.redact(r.text).findings] for r in recs]


def other_draws(redactor: Redactor, n: int, draw: Callable[[int], Records]) -> None:
    """Recall, partial leaks and false positives in template draws 17 to 16 + n."""
    print(f"\nother template draws (seeds 17-{16 + n}):")
    print("| seed | recall | partial | false positives |")
    print("|---:|---:|---:|---:|")
    for seed in range(17, 17 + n):
        recs = draw(seed)[0]
        per_type = score(recs, _spans(redactor, recs))
        total = per_type.pop("*")
        values = sum(c["values"] for c in per_type.values())
        recalled = sum(c["recalled"] for c in per_type.values())
        partial = sum(c["partial"] for c in per_type.values())
        print(
            f"| {seed} | {recalled / values:.3f} | {partial} "
            f"| {total['fp_records']}/{total['negatives']} |"
        )


def run(
    name: str,
    args: argparse.Namespace,
    sets: Records,
    where: Callable[[str, str], str],
    draw: Callable[[int], Records] | None = None,
) -> None:
    """Scan a set's records and print its tables; ``where(source, path)`` names a
    source file in the misses; ``draw(seed)`` rebuilds the records for ``--seeds``."""
    recs, not_asked, paths = sets
    redactor = Redactor(native=not args.python_scan)
    found = _spans(redactor, recs)
    positives = sum(r.label != "NEGATIVE" for r in recs)
    sources = sorted({r.source for r in recs})
    print(
        f"{name}: {len(recs)} records ({positives} values, {len(recs) - positives} negatives), "
        f"{len({r.label for r in recs}) - 1} types, sources {', '.join(sources)}\n"
    )
    print(report({"consentry": score(recs, found)}, {"consentry": float("nan")}))
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    for rec, spans in zip(recs, found, strict=True):
        c = by_source[rec.source]
        c["negatives" if rec.label == "NEGATIVE" else "values"] += 1
        c["fp" if rec.label == "NEGATIVE" else "missed"] += bad(rec, spans)
    print("\n| source | values | missed or partial | negatives | false positives |")
    print("|---|---:|---:|---:|---:|")
    for source, c in sorted(by_source.items()):
        print(f"| {source} | {c['values']} | {c['missed']} | {c['negatives']} | {c['fp']} |")
    stats = score(not_asked, _spans(redactor, not_asked))
    print("\nNot asked by SPEC §4 (scored apart, in the source's own line):")
    for label, c in sorted(stats.items()):
        if label != "*":
            print(f"  {label}: {c['recalled']}/{c['values']} found ({c['partial']} partial)")
    seeds: int = getattr(args, "seeds", 0)
    if draw is not None and seeds:
        other_draws(redactor, seeds, draw)
    if args.check_scans:
        other = Redactor(native=args.python_scan)
        differ = sum(
            [(f.type, f.start, f.end) for f in redactor.redact(r.text).findings]
            != [(f.type, f.start, f.end) for f in other.redact(r.text).findings]
            for r in recs + not_asked
        )
        print(f"\ncompiled and Python scans: {differ} records with different findings")
        if differ:
            sys.exit(1)
    if args.misses:
        _print_misses(recs, found, paths, where, args.misses)


def _print_misses(
    recs: list[Record],
    found: list[list[tuple[int, int]]],
    paths: dict[int, str],
    where: Callable[[str, str], str],
    limit: int,
) -> None:
    groups: dict[str, list[str]] = defaultdict(list)
    for i, (rec, spans) in enumerate(zip(recs, found, strict=True)):
        if bad(rec, spans):
            kind = "FP" if rec.label == "NEGATIVE" else rec.label
            groups[f"{kind} {rec.source}:{where(rec.source, paths[i])}"].append(
                f"{rec.text[:160]!r} value={rec.text[rec.start : rec.end][:60]!r} -> {spans}"
            )
    print()
    for group, items in sorted(groups.items(), key=lambda g: -len(g[1]))[:limit]:
        print(f"## {group} ({len(items)})")
        for line in items[:3]:
            print("   ", line)


def file_name(path: str) -> str:
    """A source file's short name (its last path part)."""
    return path.split("/")[-1]


def templated_main(
    name: str, doc: str | None, values_jsonl: Path, where: Callable[[str], str] = file_name
) -> None:
    """The whole run of a set whose values go through ``corpus.build``'s templates
    (``templated``): flags from ``arguments(doc)``, misses grouped by ``where(path)``."""

    def draw(seed: int = 16) -> Records:
        return templated(values_jsonl, seed)

    run(name, arguments(doc).parse_args(), draw(), lambda _source, path: where(path), draw)
