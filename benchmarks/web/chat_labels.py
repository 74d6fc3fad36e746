"""The chat list's training labels (issue 18): the set-based pass (the run builder's
eligibility SELECT for all of a user's chats) against the per-chat path it replaced
(every chat's full history, then `decide_eligibility`), in the same database and run,
interleaved; CPU time of this process (SQLite runs in-process, so that is all the work;
for PostgreSQL it leaves out the server's share), one JSON line per measurement.

    .venv/bin/python benchmarks/web/chat_labels.py --db sqlite --chats 100
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "ledger"))
from bench_ledger import app_for, database

from consentry.domain.clock import TestClock
from consentry.service import accounts, data_use, runs, sessions

START = datetime(2025, 9, 1, tzinfo=UTC)


def cpu_ms(fn: Callable[[], object]) -> float:
    t0 = time.process_time()
    fn()
    return 1000 * (time.process_time() - t0)


def bench(kind: str, n_chats: int, n_others: int, samples: int) -> None:
    with database(kind) as url:
        app = app_for(url)
        ctx = app.ctx
        user = accounts.sign_up(ctx, plan="free", training="on").account_id
        others = [accounts.sign_up(ctx, plan="free", training="on").account_id for _ in range(20)]
        ids = []
        for i in range(n_chats + n_others):
            owner = user if i < n_chats else others[i % len(others)]
            sid = sessions.start_session(ctx, account_id=owner, kind="chat").session.id
            for text in ("hello", "and more"):
                sessions.add_message(
                    ctx, account_id=owner, session_id=sid, role="user", content=text
                )
            if owner == user:
                ids.append(sid)
        assert isinstance(ctx.clock, TestClock)
        ctx.clock.set(START + timedelta(days=1))
        runs.create_run(ctx, purpose="model_training")
        accounts.record_choice(ctx, account_id=user, training="off")
        set_based: list[float] = []
        per_chat: list[float] = []
        for _ in range(samples):
            set_based.append(
                cpu_ms(lambda: data_use.session_uses(ctx, account_id=user, session_ids=ids))
            )
            per_chat.append(
                cpu_ms(
                    lambda: data_use.session_uses_by_facts(ctx, account_id=user, session_ids=ids)
                )
            )
        a = data_use.session_uses(ctx, account_id=user, session_ids=ids)
        b = data_use.session_uses_by_facts(ctx, account_id=user, session_ids=ids)
        same = {k: (v.runs, v.eligible_for) for k, v in a.items()} == {
            k: (v.runs, v.eligible_for) for k, v in b.items()
        }
        med_set, med_per = statistics.median(set_based), statistics.median(per_chat)
        print(
            json.dumps(
                {
                    "bench": "chat-labels",
                    "db": kind,
                    "chats": n_chats,
                    "other_sessions": n_others,
                    "samples": samples,
                    "cpu_ms_median_set_based": round(med_set, 1),
                    "cpu_ms_median_per_chat": round(med_per, 1),
                    "ratio": round(med_per / med_set, 1),
                    "same_labels": same,
                }
            ),
            flush=True,
        )
        app.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--others", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    for kind in args.db or ["sqlite"]:
        bench(kind, args.chats, args.others, args.samples)


if __name__ == "__main__":
    main()
