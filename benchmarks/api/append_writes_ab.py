"""The append's writes in one process (issue 22): ``Store.record_message`` (one statement
on PostgreSQL) against the four store methods it replaces (``add_activity``,
``record_activity``, ``insert_message``, ``publish``), alternating in blocks of writer
units of work that commit, so both sides meet the same machine load. Prints CPU
(``time.process_time``) and wall time per append's writes.

    .venv/bin/python benchmarks/api/append_writes_ab.py --db postgres --blocks 16
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load import database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--blocks", type=int, default=16)
    parser.add_argument("--per-block", type=int, default=300)
    args = parser.parse_args()

    from consentry.adapters.sql.uow import SqlUnitOfWork
    from consentry.bootstrap import build
    from consentry.config.settings import Settings
    from consentry.domain.ids import new_id
    from consentry.domain.types import Author, Role
    from consentry.service import accounts, sessions
    from consentry.service.context import UnitOfWork
    from consentry.service.records import MessageRecord

    with tempfile.TemporaryDirectory() as workdir, database(args.db, Path(workdir)) as url:
        core = build(Settings(database_url=url), migrate=False)
        signed = accounts.sign_up(core.ctx, plan="free", training="on")
        sid = sessions.start_session(core.ctx, account_id=signed.account_id, kind="chat")
        session_id = sid.session.id
        text = "Could you explain how the retention period is computed for my chats? " * 3

        def message() -> MessageRecord:
            at = core.ctx.clock.now()
            return MessageRecord(
                new_id("msg"), session_id, Role.USER, text, at, True, Author.ACCOUNT
            )

        def payload(m: MessageRecord) -> dict[str, object]:
            return {"session_id": session_id, "message_id": m.id, "covered": True}

        def four(uow: UnitOfWork) -> None:
            m = message()
            until = m.at + timedelta(days=365)
            uow.store.add_activity(session_id, at=m.at, covered=True, kind="message")
            uow.store.record_activity(session_id, at=m.at, covered=True, retain_until=until)
            uow.store.insert_message(m)
            uow.store.publish("message.added", payload(m), m.at)

        def one(uow: UnitOfWork) -> None:
            m = message()
            until = m.at + timedelta(days=365)
            uow.store.record_message(
                m, retain_until=until, event="message.added", payload=payload(m)
            )

        def block(writes: Callable[[UnitOfWork], None]) -> tuple[float, float]:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for _ in range(args.per_block):
                with SqlUnitOfWork(core.engine) as uow:
                    writes(uow)
                    uow.commit()
            n = args.per_block
            return (time.process_time() - cpu0) / n * 1e6, (time.perf_counter() - wall0) / n * 1e6

        block(four), block(one)  # warm-up
        results: dict[str, list[tuple[float, float]]] = {"four": [], "one": []}
        for index in range(args.blocks):
            order = [("four", four), ("one", one)]
            for name, writes in order if index % 2 == 0 else order[::-1]:
                results[name].append(block(writes))
        summary: dict[str, object] = {
            name: {
                "cpu_us_median": round(statistics.median(c for c, _ in got), 1),
                "wall_us_median": round(statistics.median(w for _, w in got), 1),
            }
            for name, got in results.items()
        }
        pairs = list(zip(results["four"], results["one"], strict=True))
        cpu = [f[0] - o[0] for f, o in pairs]
        wall = [f[1] - o[1] for f, o in pairs]
        summary["four_minus_one"] = {
            "cpu_us_median": round(statistics.median(cpu), 1),
            "cpu_positive_blocks": sum(d > 0 for d in cpu),
            "wall_us_median": round(statistics.median(wall), 1),
            "blocks": len(pairs),
        }
        print(json.dumps({"db": args.db, **summary}))
        core.engine.dispose()


if __name__ == "__main__":
    main()
