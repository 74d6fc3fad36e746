"""What the PostgreSQL run barrier costs a writer: appends with and without it.

Every write transaction on PostgreSQL first takes the run barrier in shared mode
(`adapters/sql/uow.py`), so that run creation can wait out writers in flight. This
times `sessions.add_message` through the service layer on a throwaway database,
alternating rounds with the barrier and rounds without it (the same unit of work with
`read_only=True`, which skips it), and the bare statement in an empty transaction.
Prints one JSON line.

    .venv/bin/python benchmarks/api/barrier_cost.py --rounds 5 --appends 1000
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import time
from typing import Any

from _pg import throwaway_database

from consentry.adapters.sql.uow import _SHARED, SqlUnitOfWork
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.service import accounts, sessions
from consentry.service.context import Context


def _appends(ctx: Context, account: str, session: str, n: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        sessions.add_message(
            ctx, account_id=account, session_id=session, role="user", content="hello there"
        )
    return (time.perf_counter() - wall) / n * 1e3, (time.process_time() - cpu) / n * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--appends", type=int, default=1000, help="appends per round")
    args = parser.parse_args()
    with throwaway_database() as url:
        app = build(Settings(database_url=url))

        def unbarred(**kwargs: Any) -> SqlUnitOfWork:
            kwargs.pop("read_only", None)
            return SqlUnitOfWork(app.engine, read_only=True, **kwargs)

        variants = {"barrier": app.ctx, "none": dataclasses.replace(app.ctx, uow=unbarred)}
        account = accounts.sign_up(app.ctx, plan="free", training="on").account_id
        session = sessions.start_session(app.ctx, account_id=account, kind="chat").session.id
        _appends(app.ctx, account, session, max(100, args.appends // 2))  # warm-up
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in variants}
        for _ in range(args.rounds):
            for label, ctx in variants.items():
                results[label].append(_appends(ctx, account, session, args.appends))
        statement: dict[str, float] = {}
        with app.engine.connect() as conn:
            for label, sql in (("select_1", "SELECT 1"), ("barrier", _SHARED)):
                start = time.perf_counter()
                for _ in range(2000):
                    conn.begin()
                    conn.exec_driver_sql(sql)
                    conn.rollback()
                statement[label] = round((time.perf_counter() - start) / 2000 * 1e3, 4)
        app.engine.dispose()
        out = {
            label: {
                "wall_ms_per_append_median": round(statistics.median(w for w, _ in xs), 3),
                "cpu_ms_per_append_median": round(statistics.median(c for _, c in xs), 3),
                "wall_ms_rounds": [round(w, 3) for w, _ in xs],
            }
            for label, xs in results.items()
        }
        out["empty_transaction_ms"] = statement
        out["rounds"], out["appends_per_round"] = args.rounds, args.appends
        out["loadavg"] = list(os.getloadavg())
        print(json.dumps(out))


if __name__ == "__main__":
    main()
