"""CPU per append in the service alone (issue 22): ``sessions.add_message_with_token``
called in a loop on one thread, what the append's worker thread runs, without the ASGI
app, the event loop or thread hand-offs; A/B code versions like ``append_cpu.py``.

Each measurement is a child process that builds consentry from a ``src/`` folder over a
throwaway SQLite file (or PostgreSQL database), signs up ``--clients`` accounts with one
session each, then makes ``--appends`` appends round-robin over them and reports the
process's CPU time per append (``time.process_time``) and the statements per append
sent through SQLAlchemy's cursor (``before_cursor_execute``: not the pool's pre-ping,
nor psycopg's own BEGIN, nor COMMIT, which are one round trip each on PostgreSQL).
``--src`` folders alternate in ``--rounds`` rounds.

    git archive <commit> src | tar -x -C /tmp/base
    .venv/bin/python benchmarks/api/append_service_cpu.py --src /tmp/base/src --src src
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from append_cpu import CONTENT, _measure  # noqa: E402


def _child(args: argparse.Namespace, url: str) -> dict[str, Any]:
    from sqlalchemy import event

    from consentry.bootstrap import build
    from consentry.config.settings import Settings
    from consentry.service import accounts, sessions

    os.environ["CONSENTRY_DATABASE_URL"] = url
    core = build(Settings.from_env(), migrate=False)
    pairs = []
    for _ in range(args.clients):
        signed = accounts.sign_up(core.ctx, plan="free", training="on")
        view = sessions.start_session(core.ctx, account_id=signed.account_id, kind="chat")
        pairs.append((signed.token, view.session.id))

    def run(count: int) -> None:
        for index in range(count):
            token, session_id = pairs[index % len(pairs)]
            sessions.add_message_with_token(
                core.ctx, token=token, session_id=session_id, role="user", content=CONTENT
            )

    run(args.appends // 5)  # warm-up
    sent = [0]

    def count(*_: Any) -> None:
        sent[0] += 1

    event.listen(core.engine, "before_cursor_execute", count)
    run(20)
    event.remove(core.engine, "before_cursor_execute", count)
    cpu0 = time.process_time()
    run(args.appends)
    cpu = time.process_time() - cpu0
    core.engine.dispose()
    return {
        "cpu_us_per_append": round(cpu / args.appends * 1e6, 1),
        "statements_per_append": sent[0] / 20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", action="append", help="a src/ folder (repeat to compare)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--appends", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args, args.child)))
        return
    sources = args.src or [str(HERE.parent.parent / "src")]
    results: dict[str, list[float]] = {src: [] for src in sources}
    for index in range(args.rounds):
        for src in sources if index % 2 == 0 else list(reversed(sources)):
            got = _measure(src, args, script=__file__)
            results[src].append(got["cpu_us_per_append"])
            load = round(os.getloadavg()[0], 1)
            print(json.dumps({"src": src, "round": index, **got, "loadavg": load}), flush=True)
    for src, values in results.items():
        print(json.dumps({"src": src, "median_cpu_us_per_append": statistics.median(values)}))


if __name__ == "__main__":
    main()
