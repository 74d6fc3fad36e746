"""Runs consentry, Presidio's pattern recognizers and detect-secrets over the outside suite.

    .venv/bin/python -m benchmarks.redaction.outside.run

(needs the ``bench`` extra: presidio-analyzer and detect-secrets). Prints, per tool
and per type of the suite: values, recall (the whole value covered by the tool's
findings, of any type), partial leaks (part of the value covered, part not),
misses; then precision (findings that overlap a value / all findings), the
false-positive rate on the negatives (negative records with any finding), and
MB/s per core (input UTF-8 bytes per second of process CPU time, one thread,
after a warm-up).

How each tool is asked:

* consentry: ``Redactor().redact(text).findings`` (the compiled scan when built;
  ``--python-scan`` for the Python one);
* Presidio 2.2.366: ``AnalyzerEngine`` with a ``NoOpNlpEngine`` and its rule-based
  recognizers for e-mail, phone, card, US SSN, IBAN and IP (no spaCy model), all
  results at score threshold 0 (see ``benchmarks/redaction/evaluate.py``);
* detect-secrets 1.5: the line-based plugin pass that ``scan_file`` runs
  (``core.scan._process_line_based_plugins``, all plugins and default filters
  under ``default_settings()``), each record as a file ``record.txt``. It reports
  lines, not spans: a flagged line counts as a finding covering the whole line.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Sequence

from consentry.redaction import Redactor

from ..evaluate import presidio_engine
from .corpus import Record, build

Span = tuple[int, int]
Tool = Callable[[str], list[Span]]


def consentry_tool(native: bool = True) -> Tool:
    """consentry's built-in detectors."""
    redactor = Redactor(native=native)

    def run(text: str) -> list[Span]:
        return [(f.start, f.end) for f in redactor.redact(text).findings]

    return run


def presidio_tool() -> Tool:
    """Presidio's six rule-based recognizers."""
    analyze = presidio_engine()

    def run(text: str) -> list[Span]:
        return [(s, e) for _, s, e in analyze(text)]

    return run


def detect_secrets_tool() -> Tool:
    """detect-secrets' plugins, line by line; a flagged line is one finding."""
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import default_settings

    settings = default_settings()
    settings.__enter__()  # in force for the whole run: `run` keeps the manager alive

    def run(text: str) -> list[Span]:
        assert settings is not None
        lines = text.split("\n")
        flagged = {
            s.line_number
            for s in _process_line_based_plugins(list(enumerate(lines, 1)), "record.txt")
        }
        spans = []
        pos = 0
        for number, line in enumerate(lines, 1):
            if number in flagged:
                spans.append((pos, pos + len(line)))
            pos += len(line) + 1
        return spans

    return run


def score(records: Sequence[Record], found: Sequence[list[Span]]) -> dict[str, Counter[str]]:
    """Per type: values, recalled, partial, missed; '*' holds findings and false positives."""
    stats: dict[str, Counter[str]] = {"*": Counter()}
    for rec, spans in zip(records, found, strict=True):
        total = stats["*"]
        total["findings"] += len(spans)
        overlapping = [(s, e) for s, e in spans if s < rec.end and rec.start < e]
        if rec.label == "NEGATIVE":
            total["negatives"] += 1
            total["fp_records"] += bool(spans)
            continue
        total["tp_findings"] += len(overlapping)
        c = stats.setdefault(rec.label, Counter())
        c["values"] += 1
        covered = _covered_chars(rec.start, rec.end, overlapping)
        if covered == rec.end - rec.start:
            c["recalled"] += 1
        elif covered:
            c["partial"] += 1
        else:
            c["missed"] += 1
    return stats


def _covered_chars(start: int, end: int, spans: list[Span]) -> int:
    covered = 0
    pos = start
    for s, e in sorted(spans):
        s, e = max(s, pos), min(e, end)
        if e > s:
            covered += e - s
            pos = e
    return covered


def throughput(tool: Tool, texts: Sequence[str]) -> float:
    """MB/s of process CPU time after a warm-up."""
    for t in texts[:50]:
        tool(t)
    size = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
    start = time.process_time()
    for t in texts:
        tool(t)
    return size / (time.process_time() - start) / 1e6


def report(results: dict[str, dict[str, Counter[str]]], speed: dict[str, float]) -> str:
    """Markdown: one table of recall per type and tool, then the totals."""
    tools = list(results)
    types = sorted({t for r in results.values() for t in r if t != "*"})
    head = "| type | values | " + " | ".join(f"{t} recall (partial)" for t in tools) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(tools)]
    for typ in types:
        n = results[tools[0]][typ]["values"]
        cells = []
        for tool in tools:
            c = results[tool].get(typ, Counter())
            cells.append(f"{c['recalled'] / n:.3f} ({c['partial']})" if n else "-")
        lines.append(f"| {typ} | {n} | " + " | ".join(cells) + " |")
    cells = []
    for tool in tools:
        values = sum(c["values"] for t, c in results[tool].items() if t != "*")
        recalled = sum(c["recalled"] for t, c in results[tool].items() if t != "*")
        cells.append(
            f"{recalled / values:.3f} ({sum(c['partial'] for c in results[tool].values())})"
        )
    total_values = sum(c["values"] for t, c in results[tools[0]].items() if t != "*")
    lines.append(f"| **all** | {total_values} | " + " | ".join(cells) + " |")
    lines += ["", "| tool | precision | false positives on negatives | MB/s per core |",
              "|---|---:|---:|---:|"]  # fmt: skip
    for tool in tools:
        t = results[tool]["*"]
        precision = t["tp_findings"] / t["findings"] if t["findings"] else float("nan")
        fp = t["fp_records"] / t["negatives"] if t["negatives"] else float("nan")
        lines.append(
            f"| {tool} | {precision:.3f} | {fp:.3f} ({t['fp_records']}/{t['negatives']}) "
            f"| {speed[tool]:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    """Run the three tools and print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python-scan", action="store_true", help="consentry without _native")
    parser.add_argument("--only", choices=["consentry", "presidio", "detect-secrets"])
    parser.add_argument(
        "--misses", type=int, default=0, help="print this many of consentry's misses"
    )
    parser.add_argument(
        "--harvested-labels",
        action="store_true",
        help="score against the labels as harvested, without corpus.correct_label",
    )
    args = parser.parse_args()
    records = build(harvested_labels=args.harvested_labels)
    texts = [r.text for r in records]
    tools: dict[str, Tool] = {"consentry": consentry_tool(not args.python_scan)}
    if args.only in (None, "presidio"):
        tools["presidio"] = presidio_tool()
    if args.only in (None, "detect-secrets"):
        tools["detect-secrets"] = detect_secrets_tool()
    if args.only and args.only != "consentry":
        del tools["consentry"]
    positives = sum(r.label != "NEGATIVE" for r in records)
    sources = sorted({r.source for r in records})
    size = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
    print(
        f"outside suite: {len(records)} records ({positives} values, {len(records) - positives} "
        f"negatives), {len({r.label for r in records}) - 1} types, {len(sources)} sources "
        f"({', '.join(sources)}), {size / 1e6:.3f} MB\n"
    )
    results = {}
    speed = {}
    found_by: dict[str, list[list[Span]]] = {}
    for name, tool in tools.items():
        found_by[name] = [tool(t) for t in texts]
        results[name] = score(records, found_by[name])
        speed[name] = throughput(tool, texts)
    print(report(results, speed))
    if args.misses and "consentry" in found_by:
        print()
        shown = 0
        for rec, spans in zip(records, found_by["consentry"], strict=True):
            overlapping = [(s, e) for s, e in spans if s < rec.end and rec.start < e]
            bad = (rec.label == "NEGATIVE" and spans) or (
                rec.label != "NEGATIVE"
                and _covered_chars(rec.start, rec.end, overlapping) < rec.end - rec.start
            )
            if bad and shown < args.misses:
                shown += 1
                print(f"{rec.label:15} {rec.group:15} {rec.text!r} -> {spans}")


if __name__ == "__main__":
    main()
