"""Benchmark (issue 25): the Delta lake vs the pointer-format lake it replaces, same run.

    .venv/bin/python benchmarks/lake/bench_format.py --dir /tmp/lakebench --accounts 10000 \
        --base 9124b79 --master 'local[2]'

One population (the bulk generator, as benchmarks/spark/bench.py) in one SQLite file;
then, in fresh processes, for the pointer format (``src/`` with ``consentry/lake`` and
``consentry/spark`` as they were at ``--base``, everything else, the compiled filter
included, identical) and for Delta (this tree): ``lake export`` (first, full) into its
own lake; the embedded run, export and sweep once (the reference); ``spark run-create``,
``spark export`` and ``spark sweep`` over each lake with benchmarks/spark/bench.py's
``spark`` step. The formats alternate (``--rounds``), so load on the shared machine
hits both. Prints one JSON line per step and a summary with the Delta/pointer ratios,
of wall time and of CPU time (``*_cpu_s``: user + system seconds of the step's whole
process tree, the Spark JVM included: this process becomes the child subreaper, so the
JVM that outlives its Python driver is reaped here and counted). On a shared machine the
CPU ratios are the ones to read; wall time moves with everyone else's load.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "spark" / "bench.py"
SWAPPED = ("src/consentry/lake", "src/consentry/spark")

EXPORT = """
import sys, time
from consentry.adapters.sql.engine import make_engine
from consentry.lake.export import LakeExporter
from datetime import UTC, datetime
engine = make_engine(sys.argv[1])
t0 = time.perf_counter()
LakeExporter(engine, sys.argv[2]).export(now=datetime(2026, 1, 2, tzinfo=UTC))
print(round(time.perf_counter() - t0, 2))
"""


def base_tree(d: Path, base: str, name: str = "base") -> Path:
    """This tree's src/ with the lake and Spark packages of commit `base` (in d/`name`)."""
    out = d / name
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(ROOT / "src", out / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for rel in SWAPPED:
        shutil.rmtree(out / rel)
        (out / rel).mkdir()
        files = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", base, rel],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        for name in files:
            body = subprocess.run(
                ["git", "show", f"{base}:{name}"], cwd=ROOT, check=True, capture_output=True
            ).stdout
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
    return out / "src"


PR_SET_CHILD_SUBREAPER = 36
CPU: dict[str, float] = {"last": 0.0}


def become_subreaper() -> None:
    """Orphaned descendants (the JVM a PySpark driver started) are re-parented to us."""
    if ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError("prctl(PR_SET_CHILD_SUBREAPER) failed")


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def reap_orphans() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def run(cmd: list[str], src: Path, env: dict[str, str]) -> str:
    """Run `cmd` with `src` on the path; its last stdout line. ``CPU["last"]``: the CPU
    seconds of its whole process tree."""
    full = {**os.environ, **env, "PYTHONPATH": str(src)}
    before = children_cpu()
    done = subprocess.run(cmd, env=full, check=True, capture_output=True, text=True, cwd=ROOT)
    reap_orphans()
    CPU["last"] = round(children_cpu() - before, 2)
    return done.stdout.strip().splitlines()[-1]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dir", default="/tmp/lakebench")
    p.add_argument("--accounts", type=int, default=10_000)
    p.add_argument("--base", required=True, help="commit with the pointer-format lake")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=8)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--delta-first", action="store_true", help="run Delta before pointer")
    p.add_argument(
        "--spark-only",
        action="store_true",
        help="again only the Spark steps, over the lakes and embedded reference that an"
        " earlier run left in --dir (lake-<format>-<round>)",
    )
    p.add_argument(
        "--delta-at",
        default=None,
        help="also run the Spark steps with lake/ and spark/ of this (Delta-format) commit"
        " over the Delta lake: separates the format's cost from features added since",
    )
    p.add_argument(
        "--trees",
        default=None,
        help="with --spark-only: the trees to run, comma-separated (pointer,delta,delta@C);"
        " their lines are printed, ratios only where the pointer format ran",
    )
    a = p.parse_args()
    become_subreaper()
    d = Path(a.dir)
    py = sys.executable
    env = {"CONSENTRY_SECRET_KEY": "bench-lake-master-key-" + "x" * 20}
    if not a.spark_only:
        prepared = run(
            [py, str(BENCH), "prepare", "--dir", str(d), "--accounts", str(a.accounts)],
            ROOT / "src",
            env,
        )
        print(prepared, flush=True)
        shutil.rmtree(d / "lake")  # prepare's own export; each format exports its own below
    trees = {"pointer": base_tree(d, a.base), "delta": ROOT / "src"}
    if a.delta_first:
        trees = {"delta": trees["delta"], "pointer": trees["pointer"]}
    if a.delta_at:
        trees[f"delta@{a.delta_at}"] = base_tree(d, a.delta_at, "delta-at")
    if a.trees:
        trees = {name: trees[name] for name in a.trees.split(",")}
    url = f"sqlite:///{d / 'sor.db'}"
    results: dict[str, dict[str, list[float]]] = {f: {} for f in trees}
    for r in range(0 if a.spark_only else a.rounds):
        for fmt, src in trees.items():
            if "@" in fmt:
                continue  # it reads the Delta lake this tree exports
            lake = d / f"lake-{fmt}-{r}"
            shutil.rmtree(lake, ignore_errors=True)
            seconds = float(run([py, "-c", EXPORT, url, str(lake)], src, env))
            results[fmt].setdefault("lake_export_s", []).append(seconds)
            results[fmt].setdefault("lake_export_cpu_s", []).append(CPU["last"])
            line = {"format": fmt, "round": r, "lake_export_s": seconds}
            print(json.dumps(line | {"lake_export_cpu_s": CPU["last"]}), flush=True)
    # The embedded reference (it sweeps the system of record, so after the exports).
    if not a.spark_only:
        print(run([py, str(BENCH), "embedded", "--dir", str(d)], ROOT / "src", env), flush=True)
    for r in range(a.rounds):
        for fmt, src in trees.items():
            link = d / "lake"
            if link.is_symlink() or link.exists():
                link.unlink()
            copy = d / f"lake-{fmt.replace('@', '-at-')}-{r}-spark"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(d / f"lake-{fmt.split('@')[0]}-{r}", copy)
            link.symlink_to(copy)
            t0 = time.perf_counter()
            cmd = [
                py,
                str(BENCH),
                "spark",
                "--dir",
                str(d),
                "--master",
                a.master,
                "--partitions",
                str(a.partitions),
            ]
            line = json.loads(run(cmd, src, env))
            line |= {"format": fmt, "round": r, "process_s": round(time.perf_counter() - t0, 1)}
            line["process_cpu_s"] = CPU["last"]
            for key in ("create_run_s", "export_s", "sweep_s", "process_s", "process_cpu_s"):
                results[fmt].setdefault(key, []).append(float(line[key]))
            print(json.dumps(line), flush=True)
    print(json.dumps({"summary": ratios(results), "accounts": a.accounts, "master": a.master}))


def ratios(results: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, float]]:
    """Each step's best time per tree and its ratio to the pointer format's best."""
    summary: dict[str, dict[str, float]] = {}
    for key, pointer in results.get("pointer", {}).items():  # with --spark-only, the Spark steps
        summary[key] = {"pointer": min(pointer)}
        for fmt, steps in results.items():
            if fmt != "pointer" and key in steps:
                summary[key][fmt] = min(steps[key])
                summary[key][f"{fmt} ratio"] = round(min(steps[key]) / min(pointer), 2)
    return summary


if __name__ == "__main__":
    main()
