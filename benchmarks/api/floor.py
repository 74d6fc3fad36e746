"""The floor under consentry's endpoints (issue 22): a minimal app beside the real one.

The floor app (``floor_apps.py``) does only the essential work of the endpoint measured
(``--endpoint``): the message append (default), session create, privacy read or choice
change. On SQLite it uses one `sqlite3` connection per worker, called straight from the
event loop (WAL, ``synchronous=FULL`` as consentry's default, ``BEGIN IMMEDIATE``); on
PostgreSQL a few `psycopg` async connections per worker (``synchronous_commit`` left on).
Both servers are started by the same command (`load.server`: ``python -m uvicorn
--factory ... --workers N --no-access-log``) and loaded by the same C generator, ``wrk``
(one thread, 64 connections, a Lua script that sends each request with the next of 64
account/session pairs), alternating floor and consentry ``--rounds`` times. One JSON line
per measurement: requests/s, p50/p99 from wrk, server CPU per request (uvicorn and its
workers, from /proc; PostgreSQL's backends not included) and, on consentry's lines, the
ratio to the floor of the same round.

    .venv/bin/python benchmarks/api/floor.py --db sqlite --db postgres --workers 1 --workers 2
    .venv/bin/python benchmarks/api/floor.py --endpoint session --endpoint privacy \
        --endpoint choice --db sqlite --workers 1 --rounds 2 --duration 8 --warmup 2
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from floor_apps import ENDPOINTS, SCHEMA, SEED_HEAD, TERMS

HERE = Path(__file__).resolve().parent

LUA = """
local pairs_ = {%s}
local bodies = {%s}
local method, prefix, suffix, by_session = '%s', '%s', '%s', %s
local headers = {["Content-Type"] = "application/json"}
local i, n = 0, 0
request = function()
  i = i %% #pairs_ + 1
  n = n + 1
  local p = pairs_[i]
  local path = prefix
  if by_session then path = prefix .. p[2] .. suffix end
  headers["Authorization"] = "Bearer " .. p[1]
  local body = bodies[math.floor((n - 1) / #pairs_) %% #bodies + 1]
  return wrk.format(method, path, headers, body)
end
"""


def _request(endpoint: str) -> tuple[str, str, str, list[str | None]]:
    """Method, path before and after the session id ("" after: no session in the path),
    and the bodies sent in turn (each pass over the 64 pairs takes the next)."""
    from load import CONTENT

    if endpoint == "append":
        body = json.dumps({"role": "user", "content": CONTENT})
        return "POST", "/v1/me/sessions/", "/messages", [body]
    if endpoint == "session":
        return "POST", "/v1/me/sessions", "", [json.dumps({"kind": "chat"})]
    if endpoint == "privacy":
        return "GET", "/v1/me/privacy", "", [None]
    choices = [json.dumps({"training": value}) for value in ("off", "on")]
    return "PUT", "/v1/me/privacy", "", choices


def _seed_floor(url: str, clients: int) -> list[tuple[str, str]]:
    pairs = [(secrets.token_urlsafe(32), f"ses_{uuid.uuid4().hex}") for _ in range(clients)]
    rows = [
        (f"acc_{i}", hashlib.sha256(t.encode()).hexdigest(), TERMS)
        for i, (t, _) in enumerate(pairs)
    ]
    sessions = [(s, f"acc_{i}") for i, (_, s) in enumerate(pairs)]
    accounts = "INSERT INTO accounts (id, token_hash, terms_accepted) VALUES (?, ?, ?)"
    owned = "INSERT INTO sessions (id, account_id) VALUES (?, ?)"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for statement in (*SCHEMA, SEED_HEAD):
                conn.execute(statement)
            conn.executemany(accounts, rows)
            conn.executemany(owned, sessions)
        return pairs
    import psycopg

    with psycopg.connect(url) as conn:
        for statement in (*SCHEMA, SEED_HEAD):
            conn.execute(statement.replace("INTEGER PRIMARY KEY", "BIGINT PRIMARY KEY"))
        with conn.cursor() as cursor:
            cursor.executemany(accounts.replace("?", "%s"), rows)
            cursor.executemany(owned.replace("?", "%s"), sessions)
    return pairs


def _seed_consentry(base: str, clients: int) -> list[tuple[str, str]]:
    import httpx
    from load import prepare

    async def run() -> list[tuple[str, str]]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            got = await prepare(client, clients)
        return [(h["Authorization"].removeprefix("Bearer "), s) for h, s in got]

    return asyncio.run(run())


@contextmanager
def _database(kind: str, workdir: Path, name: str, consentry: bool) -> Iterator[str]:
    from load import database

    if consentry:
        with database(kind, workdir) as url:
            yield url
        return
    if kind == "sqlite":
        yield f"sqlite:///{workdir / (name + '.db')}"
        return
    from _pg import throwaway_database

    with throwaway_database() as url:
        yield url.replace("postgresql+psycopg://", "postgresql://")


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _wrk(base: str, pairs: list[tuple[str, str]], args: argparse.Namespace, workdir: Path) -> str:
    method, prefix, suffix, bodies = _request(args.endpoint)
    table = ", ".join(f"{{'{t}', '{s}'}}" for t, s in pairs)
    listed = ", ".join("nil" if b is None else f"'{b}'" for b in bodies)
    script = workdir / "request.lua"
    by_session = "true" if suffix else "false"
    script.write_text(LUA % (table, listed, method, prefix, suffix, by_session))
    command = ["wrk", "-t1", f"-c{args.connections}", "--latency", "-s", str(script)]
    return subprocess.run(
        [*command, f"-d{int(args.duration)}s", "--timeout", "10s", base],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _profiler(
    path: str | None, pid: int, seconds: float, gil: bool = False
) -> subprocess.Popen[bytes] | None:
    """py-spy recording a flame graph (SVG) of the server's processes while wrk runs;
    with `gil`, only the thread holding the GIL is sampled (CPU in Python, not waits)."""
    if path is None:
        return None
    spy = Path(sys.executable).parent / "py-spy"
    command = [str(spy), "record", "-o", path, "-d", str(int(seconds)), "-p", str(pid)]
    if path.endswith(".txt"):  # collapsed stacks, for reading (or grep) rather than looking
        command += ["--format", "raw"]
    if gil:
        command.append("--gil")
    return subprocess.Popen(
        [*command, "--subprocesses", "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure(target: str, kind: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    from load import cpu_seconds, process_tree, server

    workdir = Path(tempfile.mkdtemp(prefix="consentry-floor-"))
    consentry = target != "floor"
    factory = "consentry.entrypoints.api.server:app_from_env"
    factory = factory if consentry else "floor_apps:floor_app"
    try:
        with _database(kind, workdir, "floor", consentry) as url:
            pairs = [] if consentry else _seed_floor(url, args.connections)
            os.environ["FLOOR_DATABASE_URL"] = url
            os.environ["FLOOR_ENDPOINT"] = args.endpoint
            before = [args.before_src] if target == "before" else []
            os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE), *before])
            with server(url, workers, workdir, factory) as (base, pid):
                if consentry:
                    pairs = _seed_consentry(base, args.connections)
                warm = argparse.Namespace(**{**vars(args), "duration": args.warmup})
                _wrk(base, pairs, warm, workdir)
                pids = process_tree(pid)
                profile = args.profile and args.profile.replace("{target}", target)
                spy = _profiler(profile, pid, args.duration, args.profile_gil)
                load_before, cpu0 = os.getloadavg()[0], cpu_seconds(pids)
                out = _wrk(base, pairs, args, workdir)
                cpu = cpu_seconds(pids) - cpu0
                if spy is not None:
                    spy.wait()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    ok = total - errors
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if "99" not in latency:
        raise RuntimeError(f"no latency distribution in wrk's output:\n{out}")
    return {
        "target": target,
        "endpoint": args.endpoint,
        "db": kind,
        "workers": workers,
        "synchronous": args.sqlite_synchronous if kind == "sqlite" else None,
        "group_commit": args.group_commit and kind == "sqlite" and target == "consentry",
        "requests_per_s": round(ok / args.duration, 1),
        "errors": errors,
        "p50_ms": round(_ms(latency["50"]), 1),
        "p99_ms": round(_ms(latency["99"]), 1),
        "server_cpu_ms_per_request": round(cpu / ok * 1000, 3) if ok else None,
        "loadavg": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--endpoint", action="append", choices=ENDPOINTS, help="what is measured (default: append)"
    )
    parser.add_argument("--workers", action="append", type=int)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=12.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2, help="floor/consentry alternations")
    parser.add_argument("--only", choices=["floor", "consentry"])
    parser.add_argument(
        "--profile",
        help="a py-spy flame graph of each server here (SVG; collapsed stacks if .txt); "
        "`{target}` in it becomes floor, consentry or before",
    )
    parser.add_argument(
        "--profile-gil", action="store_true", help="profile only the thread holding the GIL"
    )
    parser.add_argument(
        "--before-src",
        help="also serve consentry imported from this src/ folder (e.g. `git archive` of an "
        "older commit), as target `before`, in the same rounds",
    )
    parser.add_argument(
        "--group-commit",
        action="store_true",
        help="run consentry with CONSENTRY_SQLITE_GROUP_COMMIT=1",
    )
    parser.add_argument(
        "--sqlite-synchronous",
        choices=["FULL", "NORMAL"],
        default="FULL",
        help="SQLite's synchronous setting for both servers (consentry's default: FULL)",
    )
    args = parser.parse_args()
    os.environ["CONSENTRY_SQLITE_SYNCHRONOUS"] = args.sqlite_synchronous
    os.environ["CONSENTRY_SQLITE_GROUP_COMMIT"] = "1" if args.group_commit else "0"
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    for endpoint in args.endpoint or ["append"]:
        for kind in args.db or ["sqlite", "postgres"]:
            for workers in args.workers or [1, 2]:
                for _ in range(args.rounds):
                    _round(
                        argparse.Namespace(**{**vars(args), "endpoint": endpoint}), kind, workers
                    )


def _round(args: argparse.Namespace, kind: str, workers: int) -> None:
    """The floor, then consentry (and `before`), one JSON line each."""
    floor: dict[str, Any] | None = None
    targets = ["floor", "consentry"] + (["before"] if args.before_src else [])
    for target in targets:
        if args.only and target != args.only:
            continue
        try:
            result = measure(target, kind, workers, args)
        except (RuntimeError, subprocess.CalledProcessError) as error:
            failed = {"target": target, "endpoint": args.endpoint, "db": kind, "workers": workers}
            print(json.dumps({**failed, "error": str(error)}), flush=True)
            continue
        if floor is not None and floor["requests_per_s"]:
            ratio = result["requests_per_s"] / floor["requests_per_s"]
            result["ratio_to_floor"] = round(ratio, 3)
            cpu = floor["server_cpu_ms_per_request"]
            if cpu and result["server_cpu_ms_per_request"]:
                result["cpu_ratio_to_floor"] = round(result["server_cpu_ms_per_request"] / cpu, 2)
        floor = result if target == "floor" else floor
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
