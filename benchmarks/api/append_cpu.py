"""CPU per append inside one process, no sockets (issue 22): A/B code versions.

Each measurement is a child process that builds consentry from a `src/` folder over a
throwaway SQLite file (or PostgreSQL database), signs up `--clients` accounts with one
session each through the ASGI app, then sends `--appends` appends straight into the ASGI
application (a prebuilt scope, `--concurrency` at a time, so FastAPI's thread pool
hand-offs are part of it) and reports the process's CPU time per append
(``time.process_time``: every thread, user + system). Without HTTP parsing and socket
writes this is the share of an append that is consentry's code, FastAPI and the
database driver; ``--src`` folders alternate in ``--rounds`` rounds, so two commits
are compared in one run at the same machine load.

    git archive <commit> src | tar -x -C /tmp/base
    .venv/bin/python benchmarks/api/append_cpu.py --src /tmp/base/src --src src --rounds 4
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

HERE = Path(__file__).resolve().parent
CONTENT = "Could you explain how the retention period is computed for my chats? " * 3


async def _call(app: Any, method: str, path: str, token: str | None, body: bytes | None) -> bytes:
    """One request straight into the ASGI app (also routes_cpu.py's; body None: a GET)."""
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


async def app_and_sessions(clients: int, url: str) -> tuple[Any, list[tuple[str, str]]]:
    """The application on `url` and `clients` (token, message path) pairs: one account
    that trains and one chat session each."""
    from consentry.bootstrap import build
    from consentry.config.settings import Settings
    from consentry.entrypoints.api.app import create_app

    os.environ["CONSENTRY_DATABASE_URL"] = url
    os.environ.setdefault("CONSENTRY_SIGNUPS_PER_HOUR", "0")
    app = create_app(build(Settings.from_env(), migrate=False))
    pairs = []
    for _ in range(clients):
        signup = b'{"plan":"free","training":"on"}'
        token = json.loads(await _call(app, "POST", "/v1/accounts", None, signup))["token"]
        made = json.loads(await _call(app, "POST", "/v1/me/sessions", token, b'{"kind":"chat"}'))
        pairs.append((token, f"/v1/me/sessions/{made['session_id']}/messages"))
    return app, pairs


async def _child(args: argparse.Namespace, url: str) -> dict[str, Any]:
    app, pairs = await app_and_sessions(args.clients, url)
    body = json.dumps({"role": "user", "content": CONTENT}).encode()

    async def client(index: int, count: int) -> None:
        token, path = pairs[index % len(pairs)]
        for _ in range(count):
            await _call(app, "POST", path, token, body)

    per = args.appends // args.concurrency
    await asyncio.gather(*(client(i, per // 5) for i in range(args.concurrency)))  # warm-up
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(i, per) for i in range(args.concurrency)))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    done = per * args.concurrency
    return {"cpu_ms_per_append": round(cpu / done * 1000, 4), "appends_per_s": round(done / wall)}


def _measure(
    src: str,
    args: argparse.Namespace,
    script: str = __file__,
    child_args: list[str] | None = None,
) -> dict[str, Any]:
    """``script --child URL`` (this one, routes_cpu.py, loop_cpu.py, ...) on a throwaway
    database of ``args.db``, ``src`` first on its path, with `child_args` (default: this
    process's arguments); its last line of JSON."""
    sys.path.insert(0, str(HERE))
    from load import database

    workdir = Path(tempfile.mkdtemp(prefix="consentry-append-cpu-"))
    try:
        with database(args.db, workdir) as url:
            env = {**os.environ, "PYTHONPATH": os.path.abspath(src)}
            given = sys.argv[1:] if child_args is None else child_args
            command = [sys.executable, script, "--child", url, *given]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-2000:])
            return dict(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", action="append", help="a src/ folder (repeat to compare)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--appends", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(args, args.child))))
        return
    sources = args.src or [str(HERE.parent.parent / "src")]
    results: dict[str, list[float]] = {src: [] for src in sources}
    for index in range(args.rounds):
        for src in sources if index % 2 == 0 else list(reversed(sources)):
            got = _measure(src, args)
            results[src].append(got["cpu_ms_per_append"])
            load = round(os.getloadavg()[0], 1)
            print(json.dumps({"src": src, "round": index, **got, "loadavg": load}), flush=True)
    for src, values in results.items():
        print(json.dumps({"src": src, "median_cpu_ms_per_append": statistics.median(values)}))


if __name__ == "__main__":
    main()
