"""kill -9 of a real `consentry` process during `sweep` and `runs create` (R17, R20, R27).

A population is bulk-loaded into a SQLite file; each command is started as a child
process, SIGKILLed a random moment after it begins writing (the WAL file grows), and the
store is checked: no consent event lost, purge counts add up, no run row without its
whole manifest. The next launch is the rerun; a last one must complete.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from consentry.adapters.sql.engine import make_engine, upgrade
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.demo.bulk import load_population
from consentry.domain.clock import TestClock, iso, parse_iso
from consentry.domain.policy import DEFAULT_POLICY
from consentry.service import runs
from consentry.service.ledger import verify_ledger

from .conftest import budget

CONSENTRY = str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "consentry")
SWEEP_START = "2025-08-15T00:00:00Z"
RUN_CLOCK = "2025-12-31T00:00:00Z"


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash") / "population.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    load_population(engine, accounts=1500, seed=11, policy=DEFAULT_POLICY, short_texts=True)
    engine.dispose()
    return path


def _copy(population: Path, tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "crash.db"
    shutil.copy(population, path)
    return path, f"sqlite:///{path}"


def _launch_and_kill(
    args: list[str],
    db: Path,
    rng: random.Random,
    jitter: float,
    after: float | None = None,
    progressed: Callable[[], bool] | None = None,
) -> str:
    """Start `consentry args`; SIGKILL it `jitter`·U(0,1) s after `progressed()` first holds
    (some of its work is committed), or, with no such check, after its WAL file changes; with
    `after`, that many seconds after the launch instead.
    Returns "killed" or "finished" (it ended first)."""
    wal = Path(f"{db}-wal")

    def wal_state() -> tuple[int, int]:
        stat = wal.stat() if wal.exists() else None
        return (stat.st_size, stat.st_mtime_ns) if stat else (0, 0)

    before = wal_state()
    changed = progressed or (lambda: wal_state() != before)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    launched = time.monotonic()
    proc = subprocess.Popen(
        [CONSENTRY, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    if after is not None:
        time.sleep(max(0.0, launched + after - time.monotonic()))
    deadline = time.monotonic() + 30
    while after is None and proc.poll() is None and time.monotonic() < deadline:
        if changed():
            break
        time.sleep(0.002)
    time.sleep(rng.uniform(0, jitter))
    if proc.poll() is not None:
        return "finished"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return "killed"


def _tombstones_grew(db: Path) -> Callable[[], bool]:
    """A check that holds once a sweep has committed a batch since this call."""

    def count() -> int:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM tombstones").fetchone()[0])

    start = count()
    return lambda: count() > start


def _run_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT id FROM runs")).scalars())


def _counts(engine: Engine) -> dict[str, int]:
    queries = {
        "events": "SELECT count(*) FROM consent_events",
        # runs' run_manifest events (issue 21 item 4): in the ledger, not consent events
        "run_events": "SELECT count(*) FROM ledger_run_events",
        "messages": "SELECT count(*) FROM messages",
        "purged_sessions": "SELECT count(*) FROM sessions WHERE purged_at IS NOT NULL",
        "purged_feedback": "SELECT count(*) FROM feedback WHERE purged_at IS NOT NULL",
        "t_messages": "SELECT count(*) FROM tombstones WHERE item_type = 'message'",
        "t_sessions": "SELECT count(*) FROM tombstones WHERE item_type = 'session'",
        "t_feedback": "SELECT count(*) FROM tombstones WHERE item_type = 'feedback'",
        "sweep_messages": "SELECT coalesce(sum(messages), 0) FROM sweeps",
        "sweep_sessions": "SELECT coalesce(sum(sessions), 0) FROM sweeps",
        # a session with some but not all of its messages gone was purged half-way
        "half_purged": (
            "SELECT count(*) FROM sessions s WHERE s.purged_at IS NOT NULL AND EXISTS "
            "(SELECT 1 FROM messages m WHERE m.session_id = s.id)"
        ),
        "runs_partial": (
            "SELECT count(*) FROM runs r WHERE r.sessions_count != "
            "(SELECT count(*) FROM run_sessions x WHERE x.run_id = r.id) OR r.feedback_count != "
            "(SELECT count(*) FROM run_feedback x WHERE x.run_id = r.id)"
        ),
        "orphan_manifest": (
            "SELECT count(*) FROM run_sessions x WHERE x.run_id NOT IN (SELECT id FROM runs)"
        ),
    }
    with engine.connect() as conn:
        return {k: int(conn.execute(text(q)).scalar_one()) for k, q in queries.items()}


def _check_store(engine: Engine, start: dict[str, int], url: str) -> dict[str, int]:
    now = _counts(engine)
    assert now["events"] == start["events"], "R27: a consent event was lost"
    assert now["t_messages"] == start["messages"] - now["messages"], "R17: messages vs tombstones"
    assert now["t_sessions"] == now["purged_sessions"], "R17: sessions vs tombstones"
    assert now["t_feedback"] == now["purged_feedback"], "R17: feedback vs tombstones"
    assert now["sweep_messages"] == now["t_messages"], "R17: sweep counts vs tombstones"
    assert now["sweep_sessions"] == now["t_sessions"], "R17: sweep counts vs tombstones"
    assert now["half_purged"] == 0, "R17: a session purged half-way"
    assert now["runs_partial"] == 0, "R20: a run row without its whole manifest"
    assert now["orphan_manifest"] == 0, "R20: manifest rows without a run"
    app = build(Settings(database_url=url), migrate=False)
    try:
        ledger = verify_ledger(app.ctx)
        assert ledger.ok and ledger.events == start["events"] + now["run_events"], ledger
    finally:
        app.engine.dispose()
    return now


def test_sigkilled_sweeps_lose_nothing_and_a_rerun_completes_R17_R27(
    population: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db, url = _copy(population, tmp_path)
    engine = make_engine(url)
    start = _counts(engine)
    kills = budget(20, 100, request)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    outcomes: list[str] = []
    progress = []
    clock = parse_iso(SWEEP_START)
    while outcomes.count("killed") < kills and len(outcomes) < kills * 3:
        # A killed sweep is rerun at the same instant; once one finishes, the clock
        # moves on 3 days so that the next launch has new work.
        if outcomes and outcomes[-1] == "finished":
            clock += timedelta(days=3)
        args = ["sweep", "--database-url", url, "--test-clock", iso(clock), "--batch-size", "5"]
        grew = _tombstones_grew(db)
        outcomes.append(_launch_and_kill(args, db, rng, jitter=0.25, progressed=grew))
        progress.append(_check_store(engine, start, url)["t_messages"])
    done = subprocess.run(
        [CONSENTRY, *args], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout)["batches"] >= 0
    final = _check_store(engine, start, url)
    rerun = json.loads(
        subprocess.run(
            [CONSENTRY, *args], capture_output=True, text=True, check=True, timeout=60
        ).stdout
    )
    assert rerun["purged"]["messages"] == 0, "R17: idempotent"
    assert _counts(engine) == final
    with engine.connect() as conn:  # everything due at the clock is gone
        due = conn.execute(
            text("SELECT count(*) FROM sessions WHERE purged_at IS NULL AND purge_at <= :c"),
            {"c": clock.strftime("%Y-%m-%d %H:%M:%S.%f")},
        ).scalar_one()
    engine.dispose()
    assert due == 0
    assert outcomes.count("killed") >= min(kills, 20), (seed, outcomes)
    assert len(set(progress)) > 2, f"seed {seed}: kills never landed mid-sweep {progress}"
    print(  # the figure RELIABILITY.md quotes
        f"\nsweep: {outcomes.count('killed')} kills survived, "
        f"{final['t_messages']} messages purged in all, seed {seed}"
    )


def test_sigkilled_run_creation_leaves_no_partial_run_R20_R26(
    population: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    db, url = _copy(population, tmp_path)
    engine = make_engine(url)
    start = _counts(engine)
    kills = budget(20, 100, request)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    args = ["runs", "create", "model_training", "--database-url", url, "--test-clock", RUN_CLOCK]
    launched = time.monotonic()  # one complete run times the command
    subprocess.run([CONSENTRY, *args], capture_output=True, check=True, timeout=120)
    full = time.monotonic() - launched
    outcomes = []
    committed = 0  # kills that landed after the commit, before the process exited
    while outcomes.count("killed") < kills and len(outcomes) < kills * 3:
        before = len(_run_ids(engine))
        at = rng.uniform(0.55, 1.0) * full  # past the interpreter start, into the work
        outcomes.append(_launch_and_kill(args, db, rng, jitter=0.0, after=at))
        _check_store(engine, start, url)
        committed += outcomes[-1] == "killed" and len(_run_ids(engine)) > before
    done = json.loads(
        subprocess.run(
            [CONSENTRY, *args], capture_output=True, text=True, check=True, timeout=120
        ).stdout
    )
    _check_store(engine, start, url)
    engine.dispose()
    app = build(Settings(database_url=url), migrate=False, clock=TestClock(parse_iso(RUN_CLOCK)))
    try:
        every = runs.list_runs(app.ctx)
        assert done["run_id"] in {r.id for r in every}
        manifests = {  # same state, same cutoff: every committed run has one manifest
            tuple(runs.get_manifest(app.ctx, run_id=run.id).sessions) for run in every
        }
        assert len(manifests) == 1, "R20: the same state gives the same manifest"
        report = runs.audit_run(app.ctx, run_id=done["run_id"])  # so one audit covers all
        assert report.ok, report.findings[:3]
    finally:
        app.engine.dispose()
    assert outcomes.count("killed") >= min(kills, 20), (seed, outcomes)
    print(  # the figure RELIABILITY.md quotes
        f"\nruns create: {outcomes.count('killed')} kills survived "
        f"({outcomes.count('killed') - committed} before the commit, {committed} after it), "
        f"{outcomes.count('finished')} finished first, {len(every)} complete runs audited, "
        f"{done['counts']['sessions']} sessions each, seed {seed}"
    )
