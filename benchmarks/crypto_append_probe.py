"""Issue 26: what one append does with crypto-shredding off or on, counted, not timed.

Runs N appends into sessions of --per-session messages in one mode (a fresh temporary
SQLite database, as ``crypto_shredding.py``'s appends) and prints the SQL statements per
append, by database (content or vault) and kind. Timing on the shared two-core VM moves
by ±10 %; counts do not. For instructions, run it under callgrind at two sizes and take
the difference, which removes start-up (same PYTHONHASHSEED for every run):

    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=cg.on.1100 \\
        .venv/bin/python benchmarks/crypto_append_probe.py 1100 --mode on
    # (Ir at 1,100 - Ir at 100) / 1,000 = instructions per append; the same with --mode off

``strace -f -c`` over the same two sizes counts system calls per append.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from consentry.adapters.sql.engine import upgrade
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.types import Author
from consentry.service import accounts, sessions

STATEMENTS: Counter[tuple[str, str]] = Counter()


@event.listens_for(Engine, "before_cursor_execute")
def _count(conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
    where = "vault" if (conn.engine.url.database or "").endswith(".sqlite") else "content"
    STATEMENTS[(where, " ".join(statement.split()[:4]))] += 1


def run(work: Path, n: int, shred: bool, per_session: int) -> None:
    db = work / "probe.db"
    upgrade(f"sqlite:///{db}")
    os.environ["CONSENTRY_CRYPTO_SHREDDING"] = "1" if shred else "0"
    os.environ["CONSENTRY_KEK_FILE"] = str(work / "probe.kek")
    os.environ["CONSENTRY_KEY_VAULT_URL"] = f"sqlite:///{work / 'keys.sqlite'}"
    os.environ["CONSENTRY_PURGE_LOG"] = str(work / "purges.jsonl")
    settings = Settings(
        database_url=f"sqlite:///{db}", secret_key="b" * 40, sqlite_synchronous="NORMAL"
    )
    app = build(settings, migrate=False, clock=TestClock(datetime(2026, 1, 5, tzinfo=UTC)))
    uid = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
    text = "How do I reverse a list in Python? " * 4
    STATEMENTS.clear()  # the appends' statements only
    sid = ""
    for i in range(n):
        if i % per_session == 0:
            sid = sessions.start_session(app.ctx, account_id=uid, kind="chat").session.id
        sessions.add_message(
            app.ctx, account_id=uid, session_id=sid, role="user", content=text,
            author=Author.ACCOUNT,
        )  # fmt: skip
    with app.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    app.engine.dispose()
    mode = "on" if shred else "off"
    print(f"{n} appends, {per_session}/session, shredding {mode}: {pages} pages")
    for (where, statement), count in sorted(STATEMENTS.items()):
        print(f"  {count / n:7.3f} per append  {where:7s} {statement}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("appends", type=int)
    parser.add_argument("--mode", choices=("on", "off"), default="on")
    parser.add_argument("--per-session", type=int, default=1000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="probe-"))
    try:
        run(work, args.appends, args.mode == "on", args.per_session)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
