"""The event loop's CPU per request beside the process's, in process (issue 22).

Like routes_cpu.py and append_cpu.py (their request helper and bodies): each measurement
is a child process that builds consentry from a `src/` folder over a throwaway SQLite
file, signs up `--clients` accounts (one session each), warms up, then sends
`--requests` requests of `--endpoint` (append, session, privacy, choice) into the ASGI
app, `--concurrency` at a time. It reports, per request, the CPU of the thread that runs
the event loop (``time.thread_time`` there: the ASGI layers, the routes, the hand-offs;
the one thread every request crosses) and of the whole process (``time.process_time``:
the worker threads' work too). `--src` folders alternate in `--rounds` rounds, all
endpoints in each round.

    .venv/bin/python benchmarks/api/loop_cpu.py --src A/src --src B/src --rounds 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from pathlib import Path
from typing import Any

from append_cpu import CONTENT, _call, app_and_sessions
from append_cpu import _measure as measure_child
from routes_cpu import _request

ENDPOINTS = ("append", "session", "privacy", "choice")


async def _child(args: argparse.Namespace, url: str) -> dict[str, Any]:
    app, pairs = await app_and_sessions(args.clients, url)
    message = json.dumps({"role": "user", "content": CONTENT}).encode()

    async def client(index: int, count: int) -> None:
        token, messages = pairs[index % len(pairs)]
        for n in range(count):
            if args.endpoint == "append":
                await _call(app, "POST", messages, token, message)
            else:
                method, path, body = _request(args.endpoint, n)
                await _call(app, method, path, token, body)

    per = args.requests // args.concurrency
    await asyncio.gather(*(client(i, max(2, per // 5)) for i in range(args.concurrency)))
    cpu0, loop0 = time.process_time(), time.thread_time()
    await asyncio.gather(*(client(i, per) for i in range(args.concurrency)))
    cpu, loop = time.process_time() - cpu0, time.thread_time() - loop0
    done = per * args.concurrency
    return {"cpu_ms": round(cpu / done * 1000, 4), "loop_ms": round(loop / done * 1000, 4)}


def _measure(src: str, args: argparse.Namespace) -> dict[str, Any]:
    """A child on a throwaway SQLite database (``load.database``), `src` on its path."""
    child = ["--endpoint", args.endpoint, "--requests", str(args.requests)]
    child += ["--clients", str(args.clients), "--concurrency", str(args.concurrency)]
    return measure_child(src, argparse.Namespace(db="sqlite"), __file__, child)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", action="append", help="a src/ folder (repeat to compare)")
    parser.add_argument("--endpoint", action="append", choices=ENDPOINTS)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.endpoint = args.endpoint[0]
        print(json.dumps(asyncio.run(_child(args, args.child))))
        return
    sources = args.src or [str(Path(__file__).resolve().parents[2] / "src")]
    endpoints = args.endpoint or list(ENDPOINTS)
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for index in range(args.rounds):
        for endpoint in endpoints:
            for src in sources if index % 2 == 0 else list(reversed(sources)):
                one = argparse.Namespace(**{**vars(args), "endpoint": endpoint})
                got = _measure(src, one)
                results.setdefault((endpoint, src), []).append(got)
                load = Path("/proc/loadavg").read_text().split()[0]
                line = {"src": src, "endpoint": endpoint, "round": index, **got, "load": load}
                print(json.dumps(line), flush=True)
    for (endpoint, src), got in results.items():
        medians = {k: statistics.median(g[k] for g in got) for k in ("loop_ms", "cpu_ms")}
        print(json.dumps({"src": src, "endpoint": endpoint, "median": medians}))


if __name__ == "__main__":
    main()
