"""Print the Markdown tables of docs/bench/scale.md from results/*.json.

.venv/bin/python benchmarks/scale/report.py
"""

from __future__ import annotations

import json
from typing import Any

from _common import RESULTS


def _f(x: float) -> str:
    return f"{x:,.2f}" if x < 100 else f"{x:,.0f}"


def decisions() -> None:
    path = RESULTS / "decisions.json"
    if not path.exists():
        return
    d = json.loads(path.read_text())
    print(f"`{d['command']}` — {d['when']}\n")
    print(
        "| decision | per second (wall) | per CPU second | µs per call (wall) "
        "| ≥ 200k per CPU s | load avg (1/5/15 min) |"
    )
    print("|---|---:|---:|---:|---|---|")
    for name, r in d["decisions"].items():
        print(
            f"| {name} | {r['per_second']:,} | {r['per_cpu_second']:,} | {r['us_per_call']} "
            f"| {'met' if r['met'] else 'missed'} | {' / '.join(map(str, r['loadavg']))} |"
        )
    m = d["mix"]
    met = "met" if m["met"] else "missed"
    print(
        f"| equal mix of the five | {m['per_second']:,} | {m['per_cpu_second']:,} | | {met} | |\n"
    )


def store(db: str, tag: str = "") -> None:
    path = RESULTS / f"store_{db}{tag}.json"
    if not path.exists():
        return
    d = json.loads(path.read_text())
    entries: list[dict[str, Any]] = d["entries"]
    print(f"**{db}** — `{d['command']}` — {d['when']}\n")
    print(
        "| sessions stored | messages stored | DB size | bulk load (s) | loader peak RSS (MiB) "
        "| create_run (s) | client CPU (s) | client peak RSS (MiB) | run: sessions / messages "
        "| load avg |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for e in entries:
        load_s = sum(x["seconds"] for x in e["load"])
        load_rss = max(x["peak_rss_mib"] for x in e["load"])
        r = e["run"]
        print(
            f"| {e['stored']['sessions']:,} | {e['stored']['messages']:,} "
            f"| {e['database_bytes'] / 2**20:,.0f} MiB | {_f(load_s)} | {load_rss} "
            f"| {r['seconds']} | {r.get('client_cpu_seconds', '–')} | {r['peak_rss_mib']} "
            f"| {r['run']['sessions']:,} / {r['run']['messages']:,} "
            f"| {' / '.join(map(str, r['loadavg']))} |"
        )
    print()
    print(
        "| messages stored | sweep | messages purged | sessions purged | batches | time (s) "
        "| client CPU (s) | client peak RSS (MiB) | load avg |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for e in entries:
        for s in e["sweeps"]:
            print(
                f"| {e['stored']['messages']:,} | {s['cohort']} | {s['purged']['messages']:,} "
                f"| {s['purged']['sessions']:,} | {s['batches']} | {s['seconds']} "
                f"| {s.get('client_cpu_seconds', '–')} | {s['peak_rss_mib']} "
                f"| {' / '.join(map(str, s['loadavg']))} |"
            )
    print()


if __name__ == "__main__":
    decisions()
    for tag in ("_analyzed", "", "_rerun100k", "_rerun"):
        store("sqlite", tag)
        store("postgres", tag)
