"""CPU per request of session create / privacy read / choice change, in process (issue 22).

Like benchmarks/api/append_cpu.py: each measurement is a child process that builds
consentry from a `src/` folder over a throwaway SQLite file, signs up `--clients`
accounts, then sends `--requests` requests of `--endpoint` into the ASGI app
(`--concurrency` at a time) and reports time.process_time per request. `--src` folders
alternate in rounds. `--profile FILE`: the child runs under yappi (CPU clock, all
threads; installed with `pip install --target DIR yappi`, DIR in CONSENTRY_BENCH_YAPPI)
and writes the function stats (sorted by tsub and ttot) to FILE.

    .venv/bin/python benchmarks/api/routes_cpu.py --endpoint session --src A/src --src B/src
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from append_cpu import _call, _measure

BENCH = Path(__file__).resolve().parent


def _request(endpoint: str, n: int) -> tuple[str, str, bytes | None]:
    if endpoint == "session":
        return "POST", "/v1/me/sessions", b'{"kind":"chat"}'
    if endpoint == "privacy":
        return "GET", "/v1/me/privacy", None
    value = "off" if n % 2 == 0 else "on"
    return "PUT", "/v1/me/privacy", json.dumps({"training": value}).encode()


async def _child(args: argparse.Namespace, url: str) -> dict[str, Any]:
    from consentry.bootstrap import build
    from consentry.config.settings import Settings
    from consentry.entrypoints.api.app import create_app

    os.environ["CONSENTRY_DATABASE_URL"] = url
    os.environ.setdefault("CONSENTRY_SIGNUPS_PER_HOUR", "0")
    app = create_app(build(Settings.from_env(), migrate=False))
    tokens = []
    for _ in range(args.clients):
        signup = json.loads(
            await _call(app, "POST", "/v1/accounts", None, b'{"plan":"free","training":"on"}')
        )
        tokens.append(signup["token"])

    async def client(index: int, count: int) -> None:
        token = tokens[index % len(tokens)]
        for n in range(count):
            method, path, body = _request(args.endpoint, n)
            await _call(app, method, path, token, body)

    per = args.requests // args.concurrency
    await asyncio.gather(*(client(i, max(2, per // 5)) for i in range(args.concurrency)))
    if args.profile:
        # yappi is not a dependency: install it into a scratch folder named by
        # CONSENTRY_BENCH_YAPPI (pip install --target DIR yappi), never into the venv
        sys.path.insert(0, os.environ.get("CONSENTRY_BENCH_YAPPI", "/tmp/yappi"))
        import yappi

        yappi.set_clock_type("cpu")
        yappi.start(builtins=False)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(i, per) for i in range(args.concurrency)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    if args.profile:
        yappi.stop()
        stats = yappi.get_func_stats()
        with open(args.profile, "w") as out:
            for key in ("tsub", "ttot"):
                stats.sort(key, "desc")
                out.write(f"==== by {key}\n")
                for f in list(stats)[:90]:
                    where = f"{Path(f.module).name}:{f.lineno}"
                    out.write(
                        f"{f.ncall:8d} {f.tsub * 1e6 / (per * args.concurrency):9.1f}us"
                        f" {f.ttot * 1e6 / (per * args.concurrency):9.1f}us  {f.name} {where}\n"
                    )
    done = per * args.concurrency
    return {"cpu_ms_per_request": round(cpu / done * 1000, 4), "requests_per_s": round(done / wall)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--src", action="append")
    parser.add_argument("--endpoint", choices=["session", "privacy", "choice"], default="privacy")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(args, args.child))))
        return
    sources = args.src or [str(BENCH.parent.parent / "src")]
    results: dict[str, list[float]] = {src: [] for src in sources}
    for index in range(args.rounds):
        for src in sources if index % 2 == 0 else list(reversed(sources)):
            got = _measure(src, args, script=__file__)
            results[src].append(got["cpu_ms_per_request"])
            load = Path("/proc/loadavg").read_text().split()[0]
            print(json.dumps({"src": src, "round": index, **got, "loadavg": load}), flush=True)
    for src, values in results.items():
        print(
            json.dumps(
                {
                    "src": src,
                    "endpoint": args.endpoint,
                    "median": statistics.median(values),
                    "all": values,
                }
            )
        )


if __name__ == "__main__":
    main()
