"""Load benchmark: message appends per second and p50/p99 latency over loopback HTTP.

Starts its own uvicorn server (a subprocess on a free port on 127.0.0.1) against a
throwaway SQLite file or PostgreSQL database, signs up one account with one session
per client, then has `--concurrency` async httpx clients append messages as fast as
they are answered for `--duration` seconds (after `--warmup`). Prints one JSON line per
database and removes what it created.

    .venv/bin/python benchmarks/api/load.py --db sqlite --db postgres --duration 20
    .venv/bin/python benchmarks/api/load.py --db sqlite --rate 1000   # open loop (issue 22)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from consentry.adapters.sql.engine import upgrade

PG_ADMIN_URL = os.environ.get(
    "CONSENTRY_BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
CONTENT = "Could you explain how the retention period is computed for my chats? " * 3


def process_tree(pid: int) -> list[int]:
    """The pid and its descendants (uvicorn workers), from /proc."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of the processes, in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        upgrade(url)
        yield url
        return
    name = f"consentry_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def server(url: str, workers: int, workdir: Path, factory: str) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {
        **os.environ,
        "CONSENTRY_DATABASE_URL": url,
        "CONSENTRY_ADMIN_TOKEN": "bench-admin-token-" + "b" * 24,  # 32 characters or more
        # Every simulated user signs up from 127.0.0.1: the per-address limit is off here.
        "CONSENTRY_SIGNUPS_PER_HOUR": "0",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    log = (workdir / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded machine imports slowly
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = (workdir / "server.log").read_text(errors="replace")[-1500:]
                raise RuntimeError(f"the server did not start:\n{tail}")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


async def prepare(client: httpx.AsyncClient, clients: int) -> list[tuple[dict[str, str], str]]:
    pairs = []
    for _ in range(clients):
        signup = await client.post("/v1/accounts", json={"plan": "free", "training": "on"})
        signup.raise_for_status()
        headers = {"Authorization": f"Bearer {signup.json()['token']}"}
        created = await client.post("/v1/me/sessions", json={"kind": "chat"}, headers=headers)
        created.raise_for_status()
        pairs.append((headers, created.json()["session_id"]))
    return pairs


class RawClient:
    """A minimal HTTP/1.1 keep-alive client for the hot loop: a prebuilt request, the status
    line and Content-Length parsed, nothing else. httpx's own per-request CPU cost (several
    ms) would otherwise dominate a 2-core machine shared by client and server."""

    def __init__(self, base: str) -> None:
        host_port = base.removeprefix("http://")
        self.host, port = host_port.split(":")
        self.port = int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    @staticmethod
    def request(path: str, headers: dict[str, str], body: dict[str, str]) -> bytes:
        payload = json.dumps(body).encode()
        lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"Content-Length: {len(payload)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload

    async def send(self, request: bytes) -> int:
        assert self.reader is not None
        assert self.writer is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        if length:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(
    base: str,
    server_pid: int,
    clients: int,
    duration: float,
    warmup: float,
    profile: str | None,
    client_kind: str,
    rate: float | None = None,
) -> dict[str, object]:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        pairs = await prepare(client, clients)
        latencies: list[float] = []
        unsent = [0]
        errors = 0
        start = time.perf_counter()
        measure_from = start + warmup
        stop = measure_from + duration

        async def worker(headers: dict[str, str], session_id: str, index: int) -> None:
            """Closed loop: the next request when the last is answered. Open loop (`rate`):
            each connection sends at its own fixed times (`rate` over all connections)
            and a latency counts from the time the request was due, so a server that
            falls behind shows its queue (no coordinated omission); in the open loop an
            append counts when it is answered inside the measured window."""
            nonlocal errors
            gap = clients / rate if rate else 0.0
            due = start + index / rate if rate else 0.0
            path = f"/v1/me/sessions/{session_id}/messages"
            body = {"role": "user", "content": CONTENT}
            raw = RawClient(base) if client_kind == "raw" else None
            request = RawClient.request(path, headers, body)
            if raw is not None:
                await raw.connect()
            try:
                while (now := time.perf_counter()) < stop:
                    if rate:
                        if due >= stop:
                            break
                        await asyncio.sleep(max(0.0, due - now))
                        now, due = due, due + gap
                    try:
                        if raw is not None:
                            status = await raw.send(request)
                        else:
                            response = await client.post(path, json=body, headers=headers)
                            status = response.status_code
                    except (OSError, asyncio.IncompleteReadError, httpx.TransportError):
                        status = 0  # counted as an error; the raw client reconnects
                        if raw is not None:
                            raw.close()
                            await raw.connect()
                    done = time.perf_counter()
                    if (done if rate else now) >= measure_from:
                        if status == 201:
                            latencies.append(done - now)
                        else:
                            errors += 1
            finally:
                if raw is not None:
                    raw.close()
                if rate and due < stop:  # due in the window, never sent: the queue left
                    unsent[0] += int((stop - due) / gap) + 1

        async def measure() -> tuple[float, float]:
            await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
            pids = process_tree(server_pid)
            spy = None
            if profile:
                spy = subprocess.Popen(
                    [
                        str(Path(sys.executable).parent / "py-spy"),
                        "record",
                        "-o",
                        profile,
                        "-f",
                        "speedscope",
                        "-d",
                        str(int(duration)),
                        "-p",
                        str(server_pid),
                        "--subprocesses",
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            server0, client0 = cpu_seconds(pids), time.process_time()
            await asyncio.sleep(max(0.0, stop - time.perf_counter()))
            server1, client1 = cpu_seconds(pids), time.process_time()
            if spy is not None:
                spy.wait()
            return server1 - server0, client1 - client0

        load_before = os.getloadavg()
        *_, (server_cpu, client_cpu) = await asyncio.gather(
            *(worker(h, s, i) for i, (h, s) in enumerate(pairs)), measure()
        )
        load_after = os.getloadavg()
    latencies.sort()
    count = len(latencies)

    def pct(p: float) -> float:
        return round(latencies[min(count - 1, int(p * count))] * 1000, 2) if count else 0.0

    return {
        "appends": count,
        "errors": errors,
        "appends_per_s": round(count / duration, 1),
        "due_but_never_sent": unsent[0],
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if count else 0.0,
        "server_cpu_ms_per_append": round(server_cpu / count * 1000, 3) if count else None,
        "client_cpu_ms_per_append": round(client_cpu / count * 1000, 3) if count else None,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="hot-loop client: raw asyncio HTTP/1.1 (default) or httpx.AsyncClient",
    )
    parser.add_argument(
        "--factory",
        default="consentry.entrypoints.api.server:app_from_env",
        help="the application factory uvicorn serves",
    )
    parser.add_argument(
        "--rate",
        type=float,
        help="open loop: offer this many appends per second in all (spread over the "
        "connections) and time each from when it was due; default: closed loop",
    )
    parser.add_argument("--profile", help="write a py-spy speedscope profile of the server here")
    parser.add_argument(
        "--database-url",
        help="append into this existing, upgraded store (e.g. a `consentry demo --bulk` "
        "population, to measure at scale) instead of a throwaway one; it keeps the "
        "64 accounts the run adds",
    )
    args = parser.parse_args()
    kinds = args.db or ["sqlite", "postgres"]
    if args.database_url:
        kinds = ["postgres" if args.database_url.startswith("postgresql") else "sqlite"]
    for kind in kinds:
        workdir = Path(tempfile.mkdtemp(prefix="consentry-bench-"))
        given = contextlib.nullcontext(args.database_url) if args.database_url else None
        try:
            with (
                given or database(kind, workdir) as url,
                server(url, args.workers, workdir, args.factory) as (base, pid),
            ):
                profile = f"{args.profile}.{kind}.json" if args.profile else None
                result = asyncio.run(
                    load(
                        base,
                        pid,
                        args.concurrency,
                        args.duration,
                        args.warmup,
                        profile,
                        args.client,
                        args.rate,
                    )
                )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(
            json.dumps(
                {
                    "db": kind,
                    "store": args.database_url or "throwaway",
                    "concurrency": args.concurrency,
                    "workers": args.workers,
                    "client": args.client,
                    "offered_per_s": args.rate,
                    "cpus": os.cpu_count(),
                    **result,
                }
            )
        )


if __name__ == "__main__":
    main()
