"""The floor under consentry's appends (issue 22): a minimal app beside the real one.

The floor app does only the essential work of `POST /v1/me/sessions/{id}/messages`:
hash the bearer token, find the account, check the session belongs to it, insert one
row, commit, answer 201 JSON. On SQLite it uses one `sqlite3` connection per worker,
called straight from the event loop (WAL, ``synchronous=FULL`` as consentry's
default, ``BEGIN IMMEDIATE``); on PostgreSQL a few `psycopg` async connections per
worker (``synchronous_commit`` left on). Both servers are started by the same command
(`load.server`: ``python -m uvicorn --factory ... --workers N --no-access-log``) and
loaded by the same C generator, ``wrk`` (one thread, 64 connections, a Lua script that
posts each request with the next of 64 account/session pairs), alternating floor and
consentry ``--rounds`` times. One JSON line per measurement: appends/s, p50/p99 from
wrk, server CPU per append (uvicorn and its workers, from /proc; PostgreSQL's backends
not included) and, on consentry's lines, the ratio to the floor of the same round.

    .venv/bin/python benchmarks/api/floor.py --db sqlite --db postgres --workers 1 --workers 2
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
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

HERE = Path(__file__).resolve().parent
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, token_hash TEXT UNIQUE NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, account_id TEXT NOT NULL"
    " REFERENCES accounts(id))",
    "CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, session_id TEXT NOT NULL"
    " REFERENCES sessions(id), role TEXT NOT NULL, content TEXT NOT NULL, at TEXT NOT NULL)",
)
PG_POOL = 4  # async connections per floor worker


def _error(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": code}}, status_code=status)


def _parse(token_header: str | None, body: Any) -> tuple[str, str, str] | JSONResponse:
    if not token_header or not token_header.startswith("Bearer "):
        return _error(401, "unauthenticated")
    if not isinstance(body, dict) or body.get("role") not in ("user", "assistant"):
        return _error(400, "invalid_input")
    content = body.get("content")
    if not isinstance(content, str) or not content:
        return _error(400, "invalid_input")
    digest = hashlib.sha256(token_header[7:].encode()).hexdigest()
    return digest, body["role"], content


def _sqlite_app(path: str) -> FastAPI:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    synchronous = os.environ.get("CONSENTRY_SQLITE_SYNCHRONOUS", "FULL")  # consentry's knob
    conn.execute(f"PRAGMA synchronous={'NORMAL' if synchronous == 'NORMAL' else 'FULL'}")
    app = FastAPI()

    @app.post("/v1/me/sessions/{session_id}/messages", status_code=201)
    async def append(session_id: str, request: Request) -> JSONResponse:
        parsed = _parse(request.headers.get("authorization"), await request.json())
        if isinstance(parsed, JSONResponse):
            return parsed
        digest, role, content = parsed
        row = conn.execute("SELECT id FROM accounts WHERE token_hash = ?", (digest,)).fetchone()
        if row is None:
            return _error(401, "unauthenticated")
        owner = conn.execute("SELECT account_id FROM sessions WHERE id = ?", (session_id,))
        found = owner.fetchone()
        if found is None or found[0] != row[0]:
            return _error(404, "not_found")
        message_id, at = "msg_" + secrets.token_hex(12), datetime.now(UTC).isoformat()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?)",
                (message_id, session_id, role, content, at),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return JSONResponse({"message_id": message_id, "at": at}, status_code=201)

    return app


def _postgres_app(url: str) -> FastAPI:
    import psycopg

    pool: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        opened = [await psycopg.AsyncConnection.connect(url) for _ in range(PG_POOL)]
        for conn in opened:
            pool.put_nowait(conn)
        yield
        for conn in opened:
            await conn.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/v1/me/sessions/{session_id}/messages", status_code=201)
    async def append(session_id: str, request: Request) -> JSONResponse:
        parsed = _parse(request.headers.get("authorization"), await request.json())
        if isinstance(parsed, JSONResponse):
            return parsed
        digest, role, content = parsed
        conn = await pool.get()
        try:
            cursor = await conn.execute(
                "SELECT a.id FROM accounts a JOIN sessions s ON s.account_id = a.id"
                " WHERE a.token_hash = %s AND s.id = %s",
                (digest, session_id),
            )
            if await cursor.fetchone() is None:
                await conn.rollback()
                return _error(404, "not_found")
            message_id, at = "msg_" + secrets.token_hex(12), datetime.now(UTC).isoformat()
            await conn.execute(
                "INSERT INTO messages VALUES (%s, %s, %s, %s, %s)",
                (message_id, session_id, role, content, at),
            )
            await conn.commit()
        except BaseException:
            await conn.rollback()
            raise
        finally:
            pool.put_nowait(conn)
        return JSONResponse({"message_id": message_id, "at": at}, status_code=201)

    return app


def floor_app() -> FastAPI:
    """The floor application, for ``uvicorn --factory floor:floor_app``."""
    url = os.environ["FLOOR_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        app = _sqlite_app(url.removeprefix("sqlite:///"))
    else:
        app = _postgres_app(url)
    app.add_api_route("/healthz", lambda: {"status": "ok"})  # what load.server polls
    return app


# --- the runner -------------------------------------------------------------------------

LUA = """
local pairs_ = {%s}
local body = '%s'
local i = 0
request = function()
  i = i %% #pairs_ + 1
  local p = pairs_[i]
  return wrk.format("POST", "/v1/me/sessions/" .. p[2] .. "/messages",
    {["Authorization"] = "Bearer " .. p[1], ["Content-Type"] = "application/json"}, body)
end
"""


def _seed_floor(url: str, clients: int) -> list[tuple[str, str]]:
    pairs = [(secrets.token_urlsafe(32), f"ses_{uuid.uuid4().hex}") for _ in range(clients)]
    rows = [(f"acc_{i}", hashlib.sha256(t.encode()).hexdigest()) for i, (t, _) in enumerate(pairs)]
    sessions = [(s, f"acc_{i}") for i, (_, s) in enumerate(pairs)]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for statement in SCHEMA:
                conn.execute(statement)
            conn.executemany("INSERT INTO accounts VALUES (?, ?)", rows)
            conn.executemany("INSERT INTO sessions VALUES (?, ?)", sessions)
        return pairs
    import psycopg

    with psycopg.connect(url) as conn:
        for statement in SCHEMA:
            conn.execute(statement)
        with conn.cursor() as cursor:
            cursor.executemany("INSERT INTO accounts VALUES (%s, %s)", rows)
            cursor.executemany("INSERT INTO sessions VALUES (%s, %s)", sessions)
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
    from load import CONTENT

    body = json.dumps({"role": "user", "content": CONTENT})
    table = ", ".join(f"{{'{t}', '{s}'}}" for t, s in pairs)
    script = workdir / "append.lua"
    script.write_text(LUA % (table, body))
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
    factory = "consentry.entrypoints.api.server:app_from_env" if consentry else "floor:floor_app"
    try:
        with _database(kind, workdir, "floor", consentry) as url:
            pairs = [] if consentry else _seed_floor(url, args.connections)
            os.environ["FLOOR_DATABASE_URL"] = url
            before = [args.before_src] if target == "before" else []
            os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE), *before])
            with server(url, workers, workdir, factory) as (base, pid):
                if consentry:
                    pairs = _seed_consentry(base, args.connections)
                warm = argparse.Namespace(**{**vars(args), "duration": args.warmup})
                _wrk(base, pairs, warm, workdir)
                pids = process_tree(pid)
                profile = args.profile and args.profile.replace("{target}", target)
                spy = (
                    _profiler(profile, pid, args.duration, args.profile_gil) if consentry else None
                )
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
        "db": kind,
        "workers": workers,
        "synchronous": args.sqlite_synchronous if kind == "sqlite" else None,
        "group_commit": args.group_commit and kind == "sqlite" and target == "consentry",
        "appends_per_s": round(ok / args.duration, 1),
        "errors": errors,
        "p50_ms": round(_ms(latency["50"]), 1),
        "p99_ms": round(_ms(latency["99"]), 1),
        "server_cpu_ms_per_append": round(cpu / ok * 1000, 3) if ok else None,
        "loadavg": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--workers", action="append", type=int)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=12.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2, help="floor/consentry alternations")
    parser.add_argument("--only", choices=["floor", "consentry"])
    parser.add_argument(
        "--profile",
        help="a py-spy flame graph of consentry here (SVG; collapsed stacks if .txt); "
        "`{target}` in it becomes consentry or before",
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
    for kind in args.db or ["sqlite", "postgres"]:
        for workers in args.workers or [1, 2]:
            for _ in range(args.rounds):
                floor: dict[str, Any] | None = None
                targets = ["floor", "consentry"] + (["before"] if args.before_src else [])
                for target in targets:
                    if args.only and target != args.only:
                        continue
                    try:
                        result = measure(target, kind, workers, args)
                    except (RuntimeError, subprocess.CalledProcessError) as error:
                        failed = {"target": target, "db": kind, "workers": workers}
                        print(json.dumps({**failed, "error": str(error)}), flush=True)
                        continue
                    if floor is not None and floor["appends_per_s"]:
                        ratio = result["appends_per_s"] / floor["appends_per_s"]
                        result["ratio_to_floor"] = round(ratio, 3)
                    floor = result if target == "floor" else floor
                    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
