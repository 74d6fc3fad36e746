"""Issue 26: what crypto-shredding costs an append, in steady state, interleaved finely.

`crypto_shredding.py` times whole rounds (a fresh service each, 2,000 appends) one after
the other; on this shared 2-core VM its per-round on/off ratios spread over 0.84-1.21 in
one run, and its min/min ratio moved from 1.04 to 1.21 between two runs a minute apart.
Here both services are built once, in one process, each on its own copy of one database
(shredding off; shredding on with its own vault), both warmed up (the first session's pool
batch, the vault's connection, the statement caches), and then they take turns: a block
of ``--block`` appends on one, the same on the other, the order swapped every block. A
block is ~0.1 s, so a change of load hits both sides of a pair alike. Reported: the sum
of CPU over all blocks of each side and its ratio, the median of the per-pair ratios with
the middle 80 % of them, and user and kernel CPU apart. A new session every
``--per-session`` messages, as a client starts them; its pool key claim is then inside
the timed blocks (one vault write per 64 sessions, amortised as in service).

    .venv/bin/python benchmarks/crypto_append_interleaved.py --blocks 60 --block 200 \
        --per-session 20
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from statistics import median, quantiles

from consentry.adapters.sql.engine import upgrade
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.types import Author
from consentry.service import accounts, sessions

TEXT = "How do I reverse a list in Python? " * 4


def service(
    template: Path,
    work: Path,
    shred: bool,
    per_session: int,
    name: str,
    database_url: str | None = None,
) -> tuple[App, Callable[[int], None]]:
    """A service on its own copy of the database (or on ``database_url``, migrated), and
    `append(n)` for it."""
    db = work / f"bench-{name}.db"
    if database_url is None:
        shutil.copy(template, db)
        database_url = f"sqlite:///{db}"
    else:
        upgrade(database_url)
    os.environ["CONSENTRY_CRYPTO_SHREDDING"] = "1" if shred else "0"
    os.environ["CONSENTRY_KEK_FILE"] = str(work / "b.kek")
    os.environ["CONSENTRY_KEY_VAULT_URL"] = f"sqlite:///{work / f'keys-{name}.sqlite'}"
    os.environ["CONSENTRY_PURGE_LOG"] = str(work / "purges.jsonl")
    settings = Settings(database_url=database_url, secret_key="b" * 40, sqlite_synchronous="NORMAL")
    app = build(settings, migrate=False, clock=TestClock(datetime(2026, 1, 5, tzinfo=UTC)))
    uid = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
    state = {"sid": "", "count": 0}

    def append(n: int) -> None:
        for _ in range(n):
            if state["count"] % per_session == 0:
                state["sid"] = sessions.start_session(
                    app.ctx, account_id=uid, kind="chat"
                ).session.id
            state["count"] += 1
            sessions.add_message(
                app.ctx, account_id=uid, session_id=state["sid"], role="user",
                content=TEXT, author=Author.ACCOUNT,
            )  # fmt: skip

    return app, append


def timed(append: Callable[[int], None], n: int) -> tuple[float, float]:
    """(user, kernel) CPU seconds of n appends: their sum from the process CPU clock
    (nanoseconds; ``os.times`` counts 10 ms ticks, a tenth of a block), split by
    ``getrusage``."""
    start, before = time.process_time(), resource.getrusage(resource.RUSAGE_SELF)
    append(n)
    spent, after = time.process_time() - start, resource.getrusage(resource.RUSAGE_SELF)
    kernel = after.ru_stime - before.ru_stime
    return spent - kernel, kernel


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=60)
    parser.add_argument("--block", type=int, default=200, help="appends per block")
    parser.add_argument("--per-session", type=int, default=20)
    parser.add_argument(
        "--aa", action="store_true", help="both sides off: the harness's own noise and bias"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template.db"
        upgrade(f"sqlite:///{template}")
        sides = {
            on: service(template, work, on and not args.aa, args.per_session, name=str(on))[1]
            for on in (False, True)
        }
        for append in sides.values():
            append(args.block)  # warm-up: connections, caches, the first pool batch
        gc.collect()
        gc.freeze()  # the services' long-lived objects: no full collection walks them
        spent: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
        for i in range(args.blocks):
            for on in (False, True) if i % 2 == 0 else (True, False):
                spent[on].append(timed(sides[on], args.block))
    report(spent, args)


def report(spent: dict[bool, list[tuple[float, float]]], args: argparse.Namespace) -> None:
    total = {on: sum(u + s for u, s in rows) for on, rows in spent.items()}
    pairs = sorted(
        (on[0] + on[1]) / (off[0] + off[1])
        for off, on in zip(spent[False], spent[True], strict=True)
    )
    deciles = quantiles(pairs, n=10)
    per = args.blocks * args.block
    print(
        f"{per} appends each side, {args.per_session}/session, blocks of {args.block}, "
        f"load {Path('/proc/loadavg').read_text().split()[0]}"
    )
    for on, name in ((False, "off"), (True, "on")):
        user = sum(u for u, _ in spent[on]) / per * 1e6
        kern = sum(s for _, s in spent[on]) / per * 1e6
        print(f"  shredding {name}: CPU {total[on] / per * 1e6:.0f} us/append "
              f"(user {user:.0f}, kernel {kern:.0f})")  # fmt: skip
    print(
        f"  ratio of sums {total[True] / total[False]:.3f}; per-pair median "
        f"{median(pairs):.3f}, middle 80 % {deciles[0]:.3f}-{deciles[-1]:.3f}"
    )


if __name__ == "__main__":
    main()
