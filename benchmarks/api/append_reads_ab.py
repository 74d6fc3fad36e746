"""The append's reads in one process (issue 22): the token lookup and the session read as
two statements (``account_by_token_hash`` + ``get_session``) against the one joined
SELECT (``token_account_and_session``), alternating in blocks inside the same write
transaction shape (a unit of work per append, rolled back), so both sides meet the same
machine load. Prints CPU (``time.process_time``) and wall time per pair of reads.

    .venv/bin/python benchmarks/api/append_reads_ab.py --db sqlite --blocks 20
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load import database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--per-block", type=int, default=300)
    args = parser.parse_args()

    from consentry.adapters.sql.uow import SqlUnitOfWork
    from consentry.bootstrap import build
    from consentry.config.settings import Settings
    from consentry.service import accounts, sessions
    from consentry.service.context import UnitOfWork
    from consentry.service.tokens import hash_token

    with tempfile.TemporaryDirectory() as workdir, database(args.db, Path(workdir)) as url:
        core = build(Settings(database_url=url), migrate=False)
        pairs = []
        for _ in range(16):
            signed = accounts.sign_up(core.ctx, plan="free", training="on")
            view = sessions.start_session(core.ctx, account_id=signed.account_id, kind="chat")
            pairs.append((hash_token(signed.token), view.session.id))

        def two(uow: UnitOfWork, digest: str, sid: str) -> object:
            return uow.store.account_by_token_hash(digest), uow.store.get_session(sid)

        def one(uow: UnitOfWork, digest: str, sid: str) -> object:
            return uow.store.token_account_and_session(digest, sid)

        def block(read: Callable[[UnitOfWork, str, str], object]) -> tuple[float, float]:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for index in range(args.per_block):
                digest, sid = pairs[index % len(pairs)]
                with SqlUnitOfWork(core.engine) as uow:  # a writer's unit of work, rolled back
                    read(uow, digest, sid)
            n = args.per_block
            return (time.process_time() - cpu0) / n * 1e6, (time.perf_counter() - wall0) / n * 1e6

        block(two), block(one)  # warm-up
        results: dict[str, list[tuple[float, float]]] = {"two": [], "one": []}
        for index in range(args.blocks):
            order = [("two", two), ("one", one)]
            for name, read in order if index % 2 == 0 else order[::-1]:
                results[name].append(block(read))
        summary = {
            name: {
                "cpu_us_median": round(statistics.median(c for c, _ in got), 1),
                "wall_us_median": round(statistics.median(w for _, w in got), 1),
            }
            for name, got in results.items()
        }
        diffs = [t[0] - o[0] for t, o in zip(results["two"], results["one"], strict=True)]
        summary["two_minus_one_cpu_us"] = {
            "median": round(statistics.median(diffs), 1),
            "positive_blocks": sum(d > 0 for d in diffs),
            "blocks": len(diffs),
        }
        print(json.dumps({"db": args.db, **summary}))
        core.engine.dispose()


if __name__ == "__main__":
    main()
