"""Run creation and the retention sweep against store size, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/scale/bench_store.py --scale 10k,100k,1M --db sqlite,postgres

For each size N (sessions, ten messages each) a fresh database is bulk-loaded
(:mod:`consentry.demo.bulk`) with three cohorts:

* B — the realistic mix (plans, surfaces, imports deferring then choosing or blocked,
  opt-ins and opt-outs, deletions, incognito, holds), history 2025-06-21 → 2025-12-31;
* A1 — 1,000 commercial API accounts, 10,000 sessions / 100,000 messages, history
  2025-06-01 → 06-05 (30-day retention, R2), present from N = 100k;
* A2 — 10,000 such accounts, 100,000 sessions / 1,000,000 messages, history
  2025-06-06 → 06-20, present from N = 1M.

Then, each in a fresh child process (so its peak RSS is that operation's alone):
``create_run(model_training)`` with the cutoff after all history; a sweep with the clock
at 2025-07-05T00:00:01, when exactly A1 has expired (the fixed 100,000 messages, at 1M
and at 10M stored); and at 10M a second sweep at 2025-07-20T00:00:01, when A2 (1,000,000
messages) has expired. Nothing else is due at those instants, so the purged count is the
cohort's whatever the store size. The database is deleted afterwards.

On PostgreSQL the measured memory is the client process; the query work happens in the
server backend, which this does not measure. Results: results/store_<db>.json.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from _common import child, loadavg, peak_rss_mib, write_result
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import create_engine, func, select, text

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.engine import make_engine, upgrade
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.demo.bulk import load_population
from consentry.demo.population import Mix
from consentry.domain.clock import TestClock, iso, parse_iso
from consentry.domain.policy import DEFAULT_POLICY
from consentry.domain.types import Plan, Surface
from consentry.service import retention, runs

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
console = Console()
PG_ADMIN = os.environ.get(
    "CONSENTRY_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
UTC0 = datetime(2025, 1, 1, tzinfo=UTC)
CUTOFF = datetime(2026, 1, 1, tzinfo=UTC)
SWEEP_A1 = datetime(2025, 7, 5, 0, 0, 1, tzinfo=UTC)
SWEEP_A2 = datetime(2025, 7, 20, 0, 0, 1, tzinfo=UTC)
BENCH_MIX: dict[str, Any] = {"exact_counts": True, "sessions": 10, "messages": 10, "resume": 0.0}
COMMERCIAL: dict[str, Any] = {
    "plans": ((Plan.API, 1.0),),
    "commercial_surfaces": ((Surface.API, 1.0),),
    "delete_account": 0.0,
    "delete_session": 0.0,
    "safety_hold": 0.0,
    "legal_hold": 0.0,
}
COHORTS: dict[str, tuple[int, Mix]] = {
    "A1": (
        101,
        Mix(
            start=datetime(2025, 6, 1, tzinfo=UTC),
            until=datetime(2025, 6, 5, tzinfo=UTC),
            **BENCH_MIX,
            **COMMERCIAL,
        ),
    ),
    "A2": (
        102,
        Mix(
            start=datetime(2025, 6, 6, tzinfo=UTC),
            until=datetime(2025, 6, 20, tzinfo=UTC),
            **BENCH_MIX,
            **COMMERCIAL,
        ),
    ),
    "B": (103, Mix(start=datetime(2025, 6, 21, tzinfo=UTC), **BENCH_MIX)),
}


def parse_size(text_: str) -> int:
    text_ = text_.strip().lower()
    for suffix, factor in (("k", 1_000), ("m", 1_000_000)):
        if text_.endswith(suffix):
            return int(float(text_[:-1]) * factor)
    return int(text_)


def layout(sessions: int) -> dict[str, int]:
    """Accounts per cohort (ten sessions each) for a store of `sessions` sessions."""
    cohorts = {"A1": 1_000 if sessions >= 100_000 else 0}
    cohorts["A2"] = 10_000 if sessions >= 1_000_000 else 0
    cohorts["B"] = sessions // 10 - cohorts["A1"] - cohorts["A2"]
    return cohorts


# -- child steps (fresh processes) ---------------------------------------------------
@app.command("child-load")
def child_load(url: str, cohort: str, accounts: int) -> None:
    seed, mix = COHORTS[cohort]
    engine = make_engine(url)
    cpu = time.process_time()
    stats = load_population(
        engine,
        accounts=accounts,
        seed=seed,
        mix=mix,
        policy=DEFAULT_POLICY,
        short_texts=True,
        batch_accounts=2000,
    )
    engine.dispose()
    out = {
        **asdict(stats),
        "client_cpu_seconds": round(time.process_time() - cpu, 3),
        "peak_rss_mib": peak_rss_mib(),
        "loadavg": loadavg(),
    }
    print(json.dumps(out))


@app.command("child-run")
def child_run(url: str) -> None:
    built = build(Settings(database_url=url), migrate=False, clock=TestClock(CUTOFF))
    started, cpu = time.perf_counter(), time.process_time()
    run = runs.create_run(built.ctx, purpose="model_training")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    built.engine.dispose()
    out = {
        "seconds": round(seconds, 3),
        "client_cpu_seconds": round(cpu, 3),
        "peak_rss_mib": peak_rss_mib(),
        "run": {"sessions": run.sessions, "messages": run.messages, "feedback": run.feedback},
        "loadavg": loadavg(),
    }
    print(json.dumps(out))


@app.command("child-sweep")
def child_sweep(url: str, at: str) -> None:
    built = build(Settings(database_url=url), migrate=False, clock=TestClock(parse_iso(at)))
    started, cpu = time.perf_counter(), time.process_time()
    result = retention.sweep_expired(built.ctx)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    built.engine.dispose()
    out = {
        "seconds": round(seconds, 3),
        "client_cpu_seconds": round(cpu, 3),
        "peak_rss_mib": peak_rss_mib(),
        "purged": asdict(result.purged),
        "batches": result.batches,
        "loadavg": loadavg(),
    }
    print(json.dumps(out))


# -- databases -----------------------------------------------------------------------
def make_database(db: str, label: str, workdir: Path) -> str:
    if db == "sqlite":
        workdir.mkdir(parents=True, exist_ok=True)
        path = workdir / f"bench_{label}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        name = f"consentry_bench_{label}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    return url


def database_bytes(url: str) -> int:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    engine = create_engine(url)
    with engine.connect() as conn:
        size = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    engine.dispose()
    return size


def drop_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        out = {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in (
                ("accounts", t.accounts),
                ("sessions", t.sessions),
                ("messages", t.messages),
                ("activities", t.activities),
            )
        }
    engine.dispose()
    return out


# -- the benchmark ---------------------------------------------------------------------
@app.command("run")
def main(
    scale: Annotated[str, typer.Option(help="Store sizes in sessions, e.g. 10k,100k,1M.")] = (
        "10k,100k,1M"
    ),
    db: Annotated[str, typer.Option(help="sqlite, postgres or both.")] = "sqlite,postgres",
    workdir: Annotated[Path, typer.Option(help="Where SQLite files go.")] = Path(
        "/tmp/consentry-bench"
    ),
    keep: Annotated[bool, typer.Option(help="Keep the databases.")] = False,
    tag: Annotated[str, typer.Option(help="Suffix for the results file name.")] = "",
) -> None:
    sizes = [parse_size(s) for s in scale.split(",")]
    script = str(Path(__file__).resolve())
    for database in [d.strip() for d in db.split(",")]:
        results_path = f"store_{database}{tag}"
        entries: list[dict[str, Any]] = []
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
        ) as bar:
            for size in sizes:
                label = f"{size // 1000}k"
                entry: dict[str, Any] = {"size_sessions": size, "database": database}
                task = bar.add_task(f"{database} {label}: create database", total=None)
                url = make_database(database, label, workdir)
                try:
                    loads = []
                    for cohort, accounts in layout(size).items():
                        if accounts <= 0:
                            continue
                        bar.update(task, description=f"{database} {label}: load cohort {cohort}")
                        r = child([script, "child-load", url, cohort, str(accounts)], timeout=3600)
                        r["cohort"] = cohort
                        loads.append(r)
                    entry["load"] = loads
                    entry["stored"] = counts(url)
                    entry["database_bytes"] = database_bytes(url)
                    bar.update(task, description=f"{database} {label}: create_run")
                    entry["run"] = child([script, "child-run", url])
                    sweeps = []
                    if size >= 100_000:
                        bar.update(task, description=f"{database} {label}: sweep A1 (100k msgs)")
                        sweeps.append(
                            {"cohort": "A1", **child([script, "child-sweep", url, iso(SWEEP_A1)])}
                        )
                    if size >= 1_000_000:
                        bar.update(task, description=f"{database} {label}: sweep A2 (1M msgs)")
                        sweeps.append(
                            {"cohort": "A2", **child([script, "child-sweep", url, iso(SWEEP_A2)])}
                        )
                    entry["sweeps"] = sweeps
                finally:
                    if not keep:
                        drop_database(url)
                entries.append(entry)
                write_result(results_path, {"entries": entries, "cutoff": iso(CUTOFF)})
                r = entry["run"]
                console.print(
                    f"{database} {label}: stored {entry['stored']}, "
                    f"create_run {r['seconds']} s, peak {r['peak_rss_mib']} MiB, "
                    f"sweeps {[(s['cohort'], s['seconds'], s['purged']) for s in sweeps]}"
                )
                bar.update(task, description=f"{database} {label}: done", completed=1, total=1)
    if workdir.exists() and not keep:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    app()
