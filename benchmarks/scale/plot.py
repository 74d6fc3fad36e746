"""Plot run creation and sweep cost against store size from results/store_*.json.

    .venv/bin/python benchmarks/scale/plot.py

Writes docs/bench/scale_runs.png and docs/bench/scale_sweep.png. Solid lines: the
current loader (SQLite with planner statistics) and PostgreSQL; dashed: SQLite's first
series, loaded without statistics; hollow markers: reruns when the machine was quieter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from _common import REPO, RESULTS

DOCS = REPO / "docs" / "bench"
# (label, database, results tag, colour, marker, line style)
SERIES = (
    ("sqlite", "sqlite", "_analyzed", "tab:blue", "o", "-"),
    ("sqlite, first series (no planner statistics)", "sqlite", "", "tab:cyan", "o", "--"),
    ("postgres", "postgres", "", "tab:orange", "s", "-"),
)
RERUNS = (
    ("sqlite (no statistics)", "sqlite", "tab:cyan", "o"),
    ("postgres", "postgres", "tab:orange", "s"),
)


def _entries(db: str, tag: str) -> list[dict[str, Any]]:
    path = RESULTS / f"store_{db}{tag}.json"
    return json.loads(path.read_text())["entries"] if path.exists() else []


def _rerun_entries(db: str) -> list[dict[str, Any]]:
    return _entries(db, "_rerun100k") + _entries(db, "_rerun")


def _finish(axes: tuple[Any, Any], titles: tuple[str, str], xlabel: str) -> None:
    for ax, title in zip(axes, titles, strict=True):
        ax.set_xscale("log")
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("seconds")
    axes[1].set_ylabel("MiB")
    axes[1].set_ylim(bottom=0)


def plot_runs(path: Path) -> None:
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(12, 4.5))
    for label, db, tag, color, marker, ls in SERIES:
        es = _entries(db, tag)
        if not es:
            continue
        xs = [e["stored"]["messages"] for e in es]
        kw = {"marker": marker, "color": color, "ls": ls, "label": label}
        ax_t.plot(xs, [e["run"]["seconds"] for e in es], **kw)
        ax_m.plot(xs, [e["run"]["peak_rss_mib"] for e in es], **kw)
    for label, db, color, marker in RERUNS:
        es = _rerun_entries(db)
        if not es:
            continue
        kw = {"marker": marker, "mfc": "none", "color": color, "ls": "none", "ms": 9}
        xs = [e["stored"]["messages"] for e in es]
        ax_t.plot(xs, [e["run"]["seconds"] for e in es], label=f"{label}: rerun, lower load", **kw)
        ax_m.plot(xs, [e["run"]["peak_rss_mib"] for e in es], **kw)
    ax_t.axhline(60, color="grey", ls=":", lw=1, label="target 60 s (10M messages)")
    ax_m.axhline(1024, color="grey", ls=":", lw=1, label="target 1 GiB")
    ax_t.set_yscale("log")
    _finish(
        (ax_t, ax_m),
        ("create_run: time", "create_run: peak RSS of the client process"),
        "messages stored (sessions × 10)",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _sweeps(es: list[dict[str, Any]], cohort: str) -> list[tuple[int, dict[str, Any]]]:
    return [
        (e["stored"]["messages"], s)
        for e in es
        for s in e.get("sweeps", [])
        if s["cohort"] == cohort
    ]


def plot_sweep(path: Path) -> None:
    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(12, 4.5))
    for label, db, tag, color, marker, ls in SERIES:
        es = _entries(db, tag)
        for cohort, what in (("A1", "100k expired"), ("A2", "1M expired")):
            pts = _sweeps(es, cohort)
            if not pts:
                continue
            kw = {"marker": marker, "color": color, "ls": ls, "label": f"{label}: {what}"}
            if cohort == "A2":
                kw["marker"] = "D" if db == "sqlite" else "P"
            xs = [p[0] for p in pts]
            ax_t.plot(xs, [p[1]["seconds"] for p in pts], **kw)
            ax_m.plot(xs, [p[1]["peak_rss_mib"] for p in pts], **kw)
    for label, db, color, marker in RERUNS:
        pts = _sweeps(_rerun_entries(db), "A1") + _sweeps(_rerun_entries(db), "A2")
        if not pts:
            continue
        kw = {"marker": marker, "mfc": "none", "color": color, "ls": "none", "ms": 9}
        xs = [p[0] for p in pts]
        ax_t.plot(xs, [p[1]["seconds"] for p in pts], label=f"{label}: rerun, lower load", **kw)
        ax_m.plot(xs, [p[1]["peak_rss_mib"] for p in pts], **kw)
    ax_t.axhline(30, color="grey", ls=":", lw=1, label="target 30 s (1M expired)")
    _finish(
        (ax_t, ax_m),
        ("sweep_expired: time", "sweep_expired: peak RSS of the client process"),
        "messages stored before the sweep",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    plot_runs(DOCS / "scale_runs.png")
    plot_sweep(DOCS / "scale_sweep.png")
    print(f"wrote {DOCS / 'scale_runs.png'} and {DOCS / 'scale_sweep.png'}")


if __name__ == "__main__":
    main()
