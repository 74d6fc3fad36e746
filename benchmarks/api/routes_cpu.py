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
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent


async def _call(app: Any, method: str, path: str, token: str | None, body: bytes | None) -> bytes:
    headers = [(b"host", b"127.0.0.1")]
    if body is not None:
        headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(body)).encode()))
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    out: list[bytes] = []
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body or b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        else:
            out.append(message.get("body", b""))

    await app(scope, receive, send)
    if status[0] >= 300:
        raise RuntimeError(f"{method} {path}: {status[0]} {b''.join(out)[:200]!r}")
    return b"".join(out)


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


def _measure(src: str, args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH))
    from load import database

    workdir = Path(tempfile.mkdtemp(prefix="h3-routes-cpu-"))
    try:
        with database(args.db, workdir) as url:
            env = {**os.environ, "PYTHONPATH": os.path.abspath(src)}
            command = [sys.executable, __file__, "--child", url, *sys.argv[1:]]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-3000:])
            return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


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
    sources = args.src or ["/work/main/src"]
    results: dict[str, list[float]] = {src: [] for src in sources}
    for index in range(args.rounds):
        for src in sources if index % 2 == 0 else list(reversed(sources)):
            got = _measure(src, args)
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
