"""The tree step's CPU per consent append, in process, against the same step of another
version of ``ledger_tree.py`` and against no tree step at all (issue 21: appends keep their
throughput within 5 %).

One fresh database per variant (a ledger without the tree step lags its tree, which the
next append with the step would fold in); blocks of `--per-block` appends (one account
toggling its choice) alternate between the variants in the same run, so the machine's
load hits each alike. Reported per variant: this process's CPU per append (all of the
work on SQLite, the client's share on PostgreSQL), median over blocks, and the difference
to "none". `--old FILE` loads an older
``ledger_tree.py`` (``git show REV:src/consentry/adapters/sql/ledger_tree.py > FILE``) as
a third variant.

    .venv/bin/python benchmarks/ledger/append_step.py --db sqlite --blocks 30 --old /tmp/old_tree.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_ledger import app_for, database

from consentry.adapters.sql import ledger_store
from consentry.service import accounts


def _load(path: str) -> Callable[..., dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("old_ledger_tree", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.append_to_tree  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--blocks", type=int, default=30)
    parser.add_argument("--per-block", type=int, default=200)
    parser.add_argument("--old", help="an older ledger_tree.py to compare with")
    args = parser.parse_args()
    variants: dict[str, Callable[..., dict[str, Any]]] = {
        "shipped": ledger_store.append_to_tree,
        "none": lambda conn, **kw: {},
    }
    if args.old:
        variants["old"] = _load(args.old)
    for kind in args.db or ["sqlite"]:
        with ExitStack() as stack:
            apps = {name: app_for(stack.enter_context(database(kind))) for name in variants}
            account = {
                name: accounts.sign_up(app.ctx, plan="free", training="on").account_id
                for name, app in apps.items()
            }
            cpu: dict[str, list[float]] = {name: [] for name in variants}
            names = list(variants)
            for b in range(args.blocks + 1):
                for name in names if b % 2 == 0 else reversed(names):
                    ledger_store.append_to_tree = variants[name]  # type: ignore[assignment]
                    c0 = time.process_time()
                    for i in range(args.per_block):
                        accounts.record_choice(
                            apps[name].ctx,
                            account_id=account[name],
                            training="off" if i % 2 else "on",
                        )
                    if b:  # the first round warms up
                        cpu[name].append(1000 * (time.process_time() - c0) / args.per_block)
            ledger_store.append_to_tree = variants["shipped"]  # type: ignore[assignment]
            med = {name: statistics.median(v) for name, v in cpu.items()}
            print(
                json.dumps(
                    {
                        "bench": "append-tree-step",
                        "db": kind,
                        "blocks": args.blocks,
                        "per_block": args.per_block,
                        "cpu_ms_per_append": {k: round(v, 3) for k, v in med.items()},
                        "tree_step_ms": {
                            k: round(v - med["none"], 3) for k, v in med.items() if k != "none"
                        },
                        "change_pct": {
                            k: round(100 * (v / med["none"] - 1), 1)
                            for k, v in med.items()
                            if k != "none"
                        },
                    }
                ),
                flush=True,
            )
            for app in apps.values():
                app.engine.dispose()


if __name__ == "__main__":
    main()
