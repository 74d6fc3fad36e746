"""Benchmark (issue 26 item 3): ``spark export`` over the same population, lake in clear vs
lake sealed (crypto-shredding on: keys handed to the job, rows opened in the write tasks,
shards sealed under the run key).

    .venv/bin/python benchmarks/spark/shredded_export.py --sessions 200 --messages 10 --rounds 3

Two SQLite databases get the same population (same texts, same clock), one written with
``CONSENTRY_CRYPTO_SHREDDING`` off and one with it on; each is exported to a lake of its
own and gets a run. Then the two exports alternate (which one goes first alternates per
round) in one process and one local[2] Spark session. CPU is the whole process tree's
(this driver, the JVM and the Python workers: utime+stime+cutime+cstime from /proc),
before and after each export; wall is printed too. One JSON line per export, then the
minimum per mode.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu() -> float:
    """CPU seconds of this process and every live descendant (reaped children included)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = sum(int(f) for f in fields[11:15]) / TICK
    mine, frontier = {os.getpid()}, [os.getpid()]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in mine:
                mine.add(child)
                frontier.append(child)
    return sum(times.get(p, 0.0) for p in mine)


def populate(work: Path, shred: bool, sessions: int, messages: int) -> tuple[str, str, Any]:
    """A database with the population, its lake and a run on both: (lake, run id, keys)."""
    from consentry.adapters.crypto.places import KeyPlaces
    from consentry.adapters.sql.engine import upgrade
    from consentry.bootstrap import build
    from consentry.config.settings import Settings
    from consentry.domain.clock import TestClock
    from consentry.domain.types import Author
    from consentry.lake.export import LakeExporter
    from consentry.service import accounts, runs
    from consentry.service import sessions as svc

    os.environ["CONSENTRY_CRYPTO_SHREDDING"] = "1" if shred else "0"
    url = f"sqlite:///{work / f'sor-{shred}.db'}"
    upgrade(url)
    settings = Settings(database_url=url, sqlite_synchronous="NORMAL")
    clock = TestClock(datetime(2026, 1, 5, tzinfo=UTC))
    app = build(settings, migrate=False, clock=clock)
    text = "How do I reverse a list in Python? Mail me at jane.doe@example.com. "
    for i in range(sessions):
        uid = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
        sid = svc.start_session(app.ctx, account_id=uid, kind="chat").session.id
        mid = ""
        for j in range(messages):
            role = "assistant" if j % 2 else "user"
            mid = svc.add_message(
                app.ctx, account_id=uid, session_id=sid, role=role, content=f"{i}.{j} {text}",
                author=Author.SERVICE if j % 2 else Author.ACCOUNT,
            ).id  # fmt: skip
        svc.give_feedback(
            app.ctx, account_id=uid, session_id=sid, message_id=mid, rating="up",
            comment=f"great, thanks {i}",
        )  # fmt: skip
    clock.set(clock.now() + timedelta(days=1))
    lake = str(work / f"lake-{shred}")
    LakeExporter(app.engine, lake).export(now=clock.now())
    run = runs.create_run(app.ctx, purpose="model_training")
    keys = KeyPlaces.from_settings(app.settings).open_vault() if shred else None
    app.engine.dispose()
    return lake, run.id, (run, keys)


def main() -> None:
    from consentry.domain.policy import DEFAULT_POLICY
    from consentry.spark.export import export_run
    from consentry.spark.runs import create_run
    from consentry.spark.session import spark_session

    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shard-rows", type=int, default=50_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="h3-spark-shred-"))
    os.environ["CONSENTRY_SECRET_KEY"] = "b" * 40
    os.environ["CONSENTRY_KEK_FILE"] = str(work / "b.kek")
    os.environ["CONSENTRY_KEY_VAULT_URL"] = f"sqlite:///{work / 'keys.sqlite'}"
    os.environ["CONSENTRY_PURGE_LOG"] = str(work / "purges.jsonl")
    spark = spark_session("local[2]", shuffle_partitions=4, app="shredded-bench")
    modes = {}
    for shred in (False, True):
        lake, run_id, (run, keys) = populate(work, shred, args.sessions, args.messages)
        create_run(
            spark, lake=lake, purpose="model_training", cutoff=run.cutoff, policy=DEFAULT_POLICY,
            run_id=run_id, secret=run.pseudonym_secret,
        )  # fmt: skip
        modes["sealed" if shred else "clear"] = (lake, run_id, keys)
    best: dict[str, float] = {}
    for r in range(args.rounds):
        order = ["clear", "sealed"] if r % 2 == 0 else ["sealed", "clear"]
        for mode in order:
            lake, run_id, keys = modes[mode]
            cpu, wall = tree_cpu(), time.perf_counter()
            manifest = export_run(
                spark, lake=lake, run_id=run_id, out_dir=str(work / f"out-{mode}-{r}"),
                shard_rows=args.shard_rows, keys=keys,
            )  # fmt: skip
            cpu, wall = tree_cpu() - cpu, time.perf_counter() - wall
            best[mode] = min(best.get(mode, cpu), cpu)
            line = {"round": r, "mode": mode, "cpu_s": round(cpu, 3), "wall_s": round(wall, 3)}
            line["messages"] = manifest["counts"]["messages"]
            line["load"] = round(os.getloadavg()[0], 1)
            print(json.dumps(line), flush=True)
    ratio = best["sealed"] / best["clear"]
    print(json.dumps({"min_cpu_s": best, "ratio": round(ratio, 3)}), flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
