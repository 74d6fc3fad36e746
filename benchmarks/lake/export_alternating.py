"""Benchmark (issue 25): ``lake export`` alone, pointer vs Delta, alternating, in CPU time.

    .venv/bin/python benchmarks/lake/export_alternating.py --dir /tmp/h7lakebench \\
        --delta-src src --rounds 2

Reuses a directory ``bench_format.py`` prepared (``sor.db`` and ``base/src``, the tree with
the pointer-format lake): each round exports the same database into a fresh lake with
the pointer tree, then with ``--delta-src``, each in a fresh process, and prints the
export's own seconds, the process's wall seconds and its CPU seconds (user + system,
``getrusage(RUSAGE_CHILDREN)``), which the load of a shared machine disturbs far less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_format import EXPORT


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dir", default="/tmp/lakebench")
    p.add_argument("--delta-src", default="src", help="the src/ of the Delta tree")
    p.add_argument("--rounds", type=int, default=2)
    a = p.parse_args()
    d = Path(a.dir)
    trees = {"pointer": d / "base" / "src", "delta": Path(a.delta_src).resolve()}
    env = {**os.environ, "CONSENTRY_SECRET_KEY": "bench-lake-master-key-" + "x" * 20}
    for r in range(a.rounds):
        for fmt, src in trees.items():
            lake = d / f"alt-{fmt}-{r}"
            shutil.rmtree(lake, ignore_errors=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", EXPORT, f"sqlite:///{d / 'sor.db'}", str(lake)],
                env={**env, "PYTHONPATH": str(src)},
                check=True,
                capture_output=True,
                text=True,
            )
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            line = {
                "format": fmt,
                "round": r,
                "export_s": float(done.stdout.split()[-1]),
                "process_wall_s": round(wall, 1),
                "process_cpu_s": round(cpu, 1),
            }
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
