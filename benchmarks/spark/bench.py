"""Benchmark: the embedded path vs the Spark job (local[1] vs local[2]) on one population.

    .venv/bin/python benchmarks/spark/bench.py prepare --dir /tmp/sparkbench --accounts 10000
    .venv/bin/python benchmarks/spark/bench.py embedded --dir /tmp/sparkbench
    .venv/bin/python benchmarks/spark/bench.py spark --dir /tmp/sparkbench --master 'local[1]'
    .venv/bin/python benchmarks/spark/bench.py spark --dir /tmp/sparkbench --master 'local[2]'

The population comes from the bulk generator (consentry.demo.bulk) with exact counts:
`--sessions` sessions of `--messages` messages per account. Each step prints one JSON
line with its timings; results go in docs/bench/spark.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from consentry.adapters.sql.engine import make_engine, upgrade
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import DEFAULT_POLICY

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def prepare(d: Path, accounts: int, sessions: float, messages: float) -> dict[str, object]:
    from consentry.demo.bulk import load_population
    from consentry.demo.population import Mix
    from consentry.lake.export import LakeExporter

    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    url = f"sqlite:///{d / 'sor.db'}"
    upgrade(url)
    engine = make_engine(url)
    t0 = time.perf_counter()
    stats = load_population(
        engine,
        accounts=accounts,
        seed=11,
        policy=DEFAULT_POLICY,
        mix=Mix(sessions=sessions, messages=messages, exact_counts=True),
        short_texts=True,
    )
    t1 = time.perf_counter()
    LakeExporter(engine, str(d / "lake")).export(now=NOW)
    t2 = time.perf_counter()
    engine.dispose()
    return {
        "step": "prepare",
        "accounts": stats.accounts,
        "sessions": stats.sessions,
        "messages": stats.messages,
        "feedback": stats.feedback,
        "load_s": round(t1 - t0, 1),
        "lake_export_s": round(t2 - t1, 1),
    }


def embedded(d: Path) -> dict[str, object]:
    from consentry.service import retention, runs
    from consentry.service.training_export import export_run

    clock = TestClock(NOW)
    app = build(Settings(database_url=f"sqlite:///{d / 'sor.db'}"), migrate=False, clock=clock)
    t0 = time.perf_counter()
    run = runs.create_run(app.ctx, purpose="model_training")
    t1 = time.perf_counter()
    out = d / "out-embedded"
    shutil.rmtree(out, ignore_errors=True)
    export_run(app.ctx, run_id=run.id, out_dir=str(out))
    t2 = time.perf_counter()
    sweep = retention.sweep_expired(app.ctx)
    t3 = time.perf_counter()
    (d / "embedded_run.json").write_text(
        json.dumps({"id": run.id, "secret": run.pseudonym_secret, "cutoff": run.cutoff.isoformat()})
    )
    return {
        "step": "embedded",
        "run_sessions": run.sessions,
        "run_messages": run.messages,
        "run_feedback": run.feedback,
        "create_run_s": round(t1 - t0, 1),
        "export_s": round(t2 - t1, 1),
        "sweep_s": round(t3 - t2, 1),
        "purged_sessions": sweep.purged.sessions,
        "purged_messages": sweep.purged.messages,
    }


def spark(d: Path, master: str, partitions: int) -> dict[str, object]:
    from consentry.domain.clock import parse_iso
    from consentry.spark.export import export_run
    from consentry.spark.runs import create_run
    from consentry.spark.session import spark_session
    from consentry.spark.sweep import sweep_lake

    ref = json.loads((d / "embedded_run.json").read_text())
    session = spark_session(master, shuffle_partitions=partitions, app="consentry-bench")
    t0 = time.perf_counter()
    run = create_run(
        session,
        lake=str(d / "lake"),
        purpose="model_training",
        cutoff=parse_iso(ref["cutoff"]),
        policy=DEFAULT_POLICY,
        run_id=ref["id"],
        secret=ref["secret"],
    )
    t1 = time.perf_counter()
    out = d / f"out-spark-{''.join(c for c in master if c.isdigit())}"
    shutil.rmtree(out, ignore_errors=True)
    manifest = export_run(session, lake=str(d / "lake"), run_id=run.id, out_dir=str(out))
    t2 = time.perf_counter()
    lake_copy = d / "lake-sweep"
    shutil.rmtree(lake_copy, ignore_errors=True)
    shutil.copytree(d / "lake", lake_copy)
    t3 = time.perf_counter()
    swept = sweep_lake(session, lake=str(lake_copy), now=NOW, policy=DEFAULT_POLICY)
    t4 = time.perf_counter()
    embedded_manifest = json.loads((d / "out-embedded" / run.id / "manifest.json").read_text())
    same = {k: v for k, v in manifest.items() if k != "shards"} == {
        k: v for k, v in embedded_manifest.items() if k != "shards"
    }
    session.stop()
    return {
        "step": "spark",
        "master": master,
        "run_sessions": run.sessions,
        "run_messages": run.messages,
        "create_run_s": round(t1 - t0, 1),
        "export_s": round(t2 - t1, 1),
        "sweep_s": round(t4 - t3, 1),
        "purged_sessions": swept.sessions,
        "purged_messages": swept.messages,
        "manifest_equal_to_embedded": same,
        "shards_equal_to_embedded": manifest["shards"] == embedded_manifest["shards"],
        "proof_problems": len(swept.proof),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("step", choices=["prepare", "embedded", "spark"])
    p.add_argument("--dir", default="/tmp/sparkbench")
    p.add_argument("--accounts", type=int, default=10_000)
    p.add_argument("--sessions", type=float, default=10)
    p.add_argument("--messages", type=float, default=4)
    p.add_argument("--master", default="local[2]")
    p.add_argument("--partitions", type=int, default=8)
    a = p.parse_args()
    d = Path(a.dir)
    if a.step == "prepare":
        result = prepare(d, a.accounts, a.sessions, a.messages)
    elif a.step == "embedded":
        result = embedded(d)
    else:
        result = spark(d, a.master, a.partitions)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
