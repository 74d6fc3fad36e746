"""Inclusion-proof CPU with the tree's nodes stored from level 1 (before commit f02621b)
and from ``STORED_LEVEL`` 4 (since), same run (issue 21: the price of cheaper appends).

Two fresh databases, one per level, each filled by `--appends` appends through the store
with that level in force; then blocks of 100 random inclusion proofs over the whole tree
alternate between them. Prints this process's CPU per proof, median of 10 blocks (all of
the work on SQLite, the client's share on PostgreSQL).

    .venv/bin/python benchmarks/ledger/proof_levels.py sqlite 1500
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_ledger import app_for, database

from consentry.adapters.sql import ledger_tree
from consentry.domain.merkle import inclusion_spans, prove
from consentry.service import accounts


def main() -> None:
    kind, n_appends = sys.argv[1], int(sys.argv[2])
    with ExitStack() as stack:
        apps = {}
        for level in (1, 4):
            ledger_tree.STORED_LEVEL = level
            app = app_for(stack.enter_context(database(kind)))
            account = accounts.sign_up(app.ctx, plan="free", training="on").account_id
            for i in range(n_appends):
                training = "off" if i % 2 == 0 else "on"
                accounts.record_choice(app.ctx, account_id=account, training=training)
            apps[level] = app
        n = n_appends + 1
        cpu: dict[int, list[float]] = {1: [], 4: []}
        rng = random.Random(1)
        for r in range(10):
            for level in (1, 4) if r % 2 == 0 else (4, 1):
                ledger_tree.STORED_LEVEL = level
                app = apps[level]
                c0 = time.process_time()
                for _ in range(100):
                    with app.ctx.uow(read_only=True) as uow:
                        prove(inclusion_spans(rng.randrange(n), n), uow.ledger.tree_nodes)
                cpu[level].append(10 * (time.process_time() - c0))
        medians = {f"stored_from_level_{k}": round(statistics.median(v), 3) for k, v in cpu.items()}
        print({"db": kind, "events": n, "inclusion_cpu_ms_median": medians})


if __name__ == "__main__":
    main()
