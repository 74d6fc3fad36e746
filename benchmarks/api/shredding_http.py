"""Issue 26 over HTTP: appends with crypto-shredding off and on, alternating, same run.

Each measurement is one `floor.py --only consentry` run (uvicorn as `serve` runs it,
loaded by wrk: one thread, 64 connections, the append's Lua script; see floor.py), with
``CONSENTRY_CRYPTO_SHREDDING`` off or on and, when on, its own key file, vault and purge
log in a fresh folder. The order is swapped every round. Reported per round: appends/s,
p99 and the server's CPU per append, and the on/off ratio of each; then the medians.

    .venv/bin/python benchmarks/api/shredding_http.py --db sqlite --rounds 4 --duration 8
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median
from typing import Any

HERE = Path(__file__).resolve().parent


def measure(on: bool, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="consentry-shred-") as keys:
        env = {**os.environ, "CONSENTRY_CRYPTO_SHREDDING": "1" if on else "0"}
        if on:
            env["CONSENTRY_KEK_FILE"] = f"{keys}/kek"
            env["CONSENTRY_KEY_VAULT_URL"] = f"sqlite:///{keys}/vault.sqlite"
            env["CONSENTRY_PURGE_LOG"] = f"{keys}/purges.jsonl"
        command = [
            sys.executable, str(HERE / "floor.py"), "--only", "consentry", "--rounds", "1",
            "--endpoint", "append", "--db", args.db, "--workers", str(args.workers),
            "--duration", str(args.duration), "--warmup", str(args.warmup),
        ]  # fmt: skip
        out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    result: dict[str, Any] = next(r for r in rows if r.get("target") == "consentry")
    if "error" in result or result["errors"]:
        raise SystemExit(f"a failed measurement: {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    args = parser.parse_args()
    cpu: dict[bool, list[float]] = {False: [], True: []}
    rate: dict[bool, list[float]] = {False: [], True: []}
    for i in range(args.rounds):
        got = {}
        for on in (False, True) if i % 2 == 0 else (True, False):
            got[on] = measure(on, args)
            cpu[on].append(got[on]["server_cpu_ms_per_request"])
            rate[on].append(got[on]["requests_per_s"])
        print(
            f"round {i}: off {got[False]['requests_per_s']:.0f}/s p99 {got[False]['p99_ms']} ms "
            f"CPU {got[False]['server_cpu_ms_per_request']:.3f} ms; on "
            f"{got[True]['requests_per_s']:.0f}/s p99 {got[True]['p99_ms']} ms CPU "
            f"{got[True]['server_cpu_ms_per_request']:.3f} ms; CPU ratio "
            f"{cpu[True][-1] / cpu[False][-1]:.3f}, rate ratio "
            f"{rate[True][-1] / rate[False][-1]:.3f}"
            f"; load {got[False]['loadavg']} {got[True]['loadavg']}",
            flush=True,
        )
    ratios = [on / off for off, on in zip(cpu[False], cpu[True], strict=True)]
    rates = [on / off for off, on in zip(rate[False], rate[True], strict=True)]
    print(
        f"{args.db}, {args.workers} worker(s), {args.rounds} rounds: server CPU per append on/off "
        f"median {median(ratios):.3f} ({' '.join(f'{r:.3f}' for r in ratios)}); "
        f"appends/s on/off median {median(rates):.3f}"
    )


if __name__ == "__main__":
    main()
