"""How long a writer waits while a run is created on PostgreSQL, and what a run costs.

Bulk-loads a population (`--accounts`, about ten sessions each), then one thread appends
messages without pause through the service layer while the main thread creates runs.
Two ways of holding the run barrier alternate, run by run:

* `snapshot` (what consentry does): writers are held only until the run has read its
  clock and taken its snapshot (`SqlUnitOfWork.freeze`);
* `commit` (the first version of the barrier, for comparison): writers are held until
  the run commits, i.e. for the whole manifest.

Reports, per mode, the run creation time and the longest append that overlapped a run,
against the median append outside runs. Prints one JSON line.

    .venv/bin/python benchmarks/api/barrier_stall.py --accounts 10000 --runs 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from typing import Any

from _pg import throwaway_database

from consentry.adapters.sql.engine import upgrade
from consentry.adapters.sql.uow import SqlUnitOfWork
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.demo.bulk import load_population
from consentry.domain.policy import DEFAULT_POLICY
from consentry.service import accounts, runs, sessions


def _snapshot_only(self: SqlUnitOfWork) -> None:
    """`freeze` as the first barrier had it: the snapshot, but writers held to the end."""
    assert self._conn is not None
    self._conn.exec_driver_sql("SELECT pg_current_snapshot()")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per mode")
    args = parser.parse_args()
    with throwaway_database() as url:
        upgrade(url)
        app = build(Settings(database_url=url), migrate=False)
        stats = load_population(
            app.engine, accounts=args.accounts, seed=7, policy=DEFAULT_POLICY, short_texts=True
        )
        with app.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        ctx = app.ctx
        account = accounts.sign_up(ctx, plan="free", training="on").account_id
        session = sessions.start_session(ctx, account_id=account, kind="chat").session.id
        appends: list[tuple[float, float]] = []  # (start, end), monotonic
        stop = threading.Event()

        def writer() -> None:
            while not stop.is_set():
                start = time.monotonic()
                sessions.add_message(
                    ctx, account_id=account, session_id=session, role="user", content="hi"
                )
                appends.append((start, time.monotonic()))

        thread = threading.Thread(target=writer)
        thread.start()
        windows: dict[str, list[tuple[float, float]]] = {"snapshot": [], "commit": []}
        freeze = SqlUnitOfWork.freeze
        try:
            for _ in range(args.runs):
                for mode in windows:
                    time.sleep(1.0)
                    SqlUnitOfWork.freeze = freeze if mode == "snapshot" else _snapshot_only  # type: ignore[method-assign]
                    start = time.monotonic()
                    runs.create_run(ctx, purpose="model_training")
                    windows[mode].append((start, time.monotonic()))
            time.sleep(1.0)
        finally:
            SqlUnitOfWork.freeze = freeze  # type: ignore[method-assign]
            stop.set()
            thread.join()
        busy = [w for ws in windows.values() for w in ws]
        quiet = [e - s for s, e in appends if not any(s < we and e > ws for ws, we in busy)]
        out: dict[str, Any] = {
            "accounts": args.accounts,
            "sessions": stats.sessions,
            "messages": stats.messages,
            "append_ms_median_outside_runs": round(statistics.median(quiet) * 1e3, 2),
        }
        for mode, ws in windows.items():
            worst = [
                max((e - s for s, e in appends if s < we and e > ws), default=0.0) for ws, we in ws
            ]
            out[mode] = {
                "run_s": [round(we - ws, 3) for ws, we in ws],
                "longest_append_during_run_ms": [round(x * 1e3, 1) for x in worst],
            }
        out["loadavg"] = list(os.getloadavg())
        print(json.dumps(out))
        app.engine.dispose()


if __name__ == "__main__":
    main()
