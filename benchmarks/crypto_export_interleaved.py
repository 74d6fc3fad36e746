"""Issue 26: what crypto-shredding costs a run export, both services in one process.

`crypto_shredding.py` times one export per round after that round's appends; on the
shared VM its off/on ratio moved from 0.999 to 1.109 between two quiet runs. Here both
services (shredding off; on, with its own vault) are built once on copies of one
database and given the same messages (``--messages``, a new session every
``--per-session``), each gets one run, and then they export it in turns (JSON Lines, the
§4 filter on, as `consentry runs export`), the order swapped every round. Reported: the
minimum and median CPU of each side and their ratios. ``--db postgres``: each side on its
own throwaway PostgreSQL database (the vaults stay SQLite files); the CPU is this
process's, not the server's.

    .venv/bin/python benchmarks/crypto_export_interleaved.py --messages 12000 --rounds 10
    .venv/bin/python benchmarks/crypto_export_interleaved.py --db postgres --rounds 10
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from statistics import median

from crypto_append_interleaved import service

from consentry.adapters.sql.engine import upgrade
from consentry.service import runs
from consentry.service.training_export import export_run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=12000)
    parser.add_argument("--per-session", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    spent: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as dbs:
        work = Path(tmp)
        template = work / "template.db"
        upgrade(f"sqlite:///{template}")
        sides = {}
        for on in (False, True):
            url = None
            if args.db == "postgres":
                sys.path.insert(0, str(Path(__file__).parent / "api"))
                from _pg import throwaway_database

                url = dbs.enter_context(throwaway_database())
            app, append = service(
                template, work, on, args.per_session, name=str(on), database_url=url
            )
            append(args.messages)
            app.ctx.clock.set(app.ctx.clock.now() + timedelta(days=1))  # type: ignore[attr-defined]
            sides[on] = (app, runs.create_run(app.ctx, purpose="model_training").id)
        for on, (app, run_id) in sides.items():  # warm-up: the filter, the keys
            export_run(app.ctx, run_id=run_id, out_dir=str(work / f"w-{on}"), fmt="jsonl")
        gc.collect()
        for i in range(args.rounds):
            for on in (False, True) if i % 2 == 0 else (True, False):
                app, run_id = sides[on]
                out = work / f"export-{on}-{i}"
                start = time.process_time()
                export_run(app.ctx, run_id=run_id, out_dir=str(out), fmt="jsonl")
                spent[on].append(time.process_time() - start)
                shutil.rmtree(out)
    off, on = spent[False], spent[True]
    print(
        f"export of {args.messages} messages ({args.per_session}/session), {args.db}, "
        f"{args.rounds} rounds, "
        f"load {Path('/proc/loadavg').read_text().split()[0]}: CPU s off min {min(off):.3f} "
        f"median {median(off):.3f}, on min {min(on):.3f} median {median(on):.3f}; ratio min "
        f"{min(on) / min(off):.3f}, median {median(on) / median(off):.3f}"
    )


if __name__ == "__main__":
    main()
