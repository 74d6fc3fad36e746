"""Consent appends over HTTP with and without the ledger's Merkle tree (issue 21 target:
appends keep their throughput within 5 %).

Two servers (uvicorn subprocesses, one worker each) on two fresh databases: one as
shipped, one whose per-append tree step is patched out (:func:`app_without_tree`, the
same patch as ``bench_ledger.py --only append``). `--clients` keep-alive clients toggle
their account's training choice (``PUT /v1/me/privacy``, one ledger append each) in
blocks of `--per-block` requests, alternating A/B block by block in the same run, so load
on the machine hits both alike. Per block: appends per second (wall) and the server's CPU
per append (from /proc). One JSON line per database.

    .venv/bin/python benchmarks/ledger/append_http.py --db sqlite --db postgres --blocks 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
from fastapi import FastAPI

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "api"))
from load import RawClient, cpu_seconds, database, process_tree, server  # noqa: E402


def app_without_tree() -> FastAPI:
    """The application with the tree's per-append step patched out (the baseline)."""
    import importlib

    from consentry.entrypoints.api.server import app_from_env

    patched = 0
    for name in ("store", "ledger_store"):  # ledger_store once the store is split
        try:
            module = importlib.import_module(f"consentry.adapters.sql.{name}")
        except ImportError:
            continue
        if hasattr(module, "append_to_tree"):
            module.append_to_tree = lambda conn, **kw: {}
            patched += 1
    assert patched, "no store module appends to the tree"
    return app_from_env()


def put(path: str, headers: dict[str, str], body: dict[str, str]) -> bytes:
    payload = json.dumps(body).encode()
    lines = [f"PUT {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


class Target:
    def __init__(self, base: str, pid: int) -> None:
        self.base, self.pid = base, pid
        self.clients: list[tuple[RawClient, list[bytes]]] = []

    async def prepare(self, n: int) -> None:
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as http:
            for _ in range(n):
                made = await http.post("/v1/accounts", json={"plan": "free", "training": "on"})
                made.raise_for_status()
                headers = {"Authorization": f"Bearer {made.json()['token']}"}
                toggles = [put("/v1/me/privacy", headers, {"training": v}) for v in ("off", "on")]
                self.clients.append((RawClient(self.base), toggles))

    async def block(self, per_block: int) -> tuple[float, float]:
        """Appends per second and server CPU ms per append over one block."""
        per_client = per_block // len(self.clients)
        # Fresh connections each block: the server closes idle keep-alive connections
        # (5 s) while the other server's block runs.
        for raw, _ in self.clients:
            raw.close()
            await raw.connect()
        pids = process_tree(self.pid)
        cpu0, t0 = cpu_seconds(pids), time.perf_counter()

        async def run(raw: RawClient, toggles: list[bytes]) -> None:
            for i in range(per_client):
                status = await raw.send(toggles[i % 2])
                if status != 200:
                    raise RuntimeError(f"PUT /v1/me/privacy answered {status}")

        await asyncio.gather(*(run(raw, toggles) for raw, toggles in self.clients))
        wall, cpu = time.perf_counter() - t0, cpu_seconds(pids) - cpu0
        n = per_client * len(self.clients)
        return n / wall, 1000 * cpu / n


async def compare(targets: dict[str, Target], clients: int, blocks: int, per_block: int) -> dict:
    for target in targets.values():
        await target.prepare(clients)
        await target.block(per_block)  # warm-up
    rate: dict[str, list[float]] = {name: [] for name in targets}
    cpu: dict[str, list[float]] = {name: [] for name in targets}
    for i in range(blocks):
        order = list(targets) if i % 2 == 0 else list(reversed(targets))
        for name in order:
            r, c = await targets[name].block(per_block)
            rate[name].append(r)
            cpu[name].append(c)
    for target in targets.values():
        for raw, _ in target.clients:
            raw.close()
    on, off = "tree", "no_tree"
    med = {name: statistics.median(rate[name]) for name in targets}
    med_cpu = {name: statistics.median(cpu[name]) for name in targets}
    return {
        "appends_per_s": {k: round(v, 1) for k, v in med.items()},
        "server_cpu_ms_per_append": {k: round(v, 2) for k, v in med_cpu.items()},
        "throughput_change_pct": round(100 * (med[on] / med[off] - 1), 1),
        "cpu_change_pct": round(100 * (med_cpu[on] / med_cpu[off] - 1), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--per-block", type=int, default=400)
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(HERE), os.environ.get("PYTHONPATH", "")]
    ).rstrip(os.pathsep)
    for kind in args.db or ["sqlite"]:
        workdir = Path(tempfile.mkdtemp(prefix="consentry-append-"))
        load_before = os.getloadavg()
        try:
            with ExitStack() as stack:
                targets = {}
                for name, factory in (
                    ("tree", "consentry.entrypoints.api.server:app_from_env"),
                    ("no_tree", "append_http:app_without_tree"),
                ):
                    folder = workdir / name
                    folder.mkdir()
                    url = stack.enter_context(database(kind, folder))
                    base, pid = stack.enter_context(server(url, 1, folder, factory))
                    targets[name] = Target(base, pid)
                result = asyncio.run(compare(targets, args.clients, args.blocks, args.per_block))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(
            json.dumps(
                {
                    "bench": "consent-appends-http",
                    "db": kind,
                    "clients": args.clients,
                    "blocks": args.blocks,
                    "per_block": args.per_block,
                    **result,
                    "loadavg_before": [round(x, 2) for x in load_before],
                    "loadavg_after": [round(x, 2) for x in os.getloadavg()],
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
