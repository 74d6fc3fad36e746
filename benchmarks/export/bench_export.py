"""End-to-end export throughput: SQLite store -> filter -> pseudonyms -> Parquet/JSONL.

    .venv/bin/python benchmarks/export/bench_export.py --sessions 20000 --messages 10

Generates (once, cached by size) a SQLite database of consumer sessions whose
messages mix prose, code and a sprinkling of sensitive values, creates a
`model_training` run through the service layer, then times `export_run`.

Throughput is reported against the UTF-8 bytes of exported message and comment
text (the input the filter reads), as MB/s of wall time and MB/s per CPU second
of this process (the export is single-threaded, so the latter is "per core" and
insensitive to other load on the machine). `--profile` writes a pyinstrument
report next to the output.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.engine import make_engine, upgrade
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.service import runs
from consentry.service.training_export import export_run

START = datetime(2025, 9, 1, tzinfo=UTC)
WORDS = [
    "the",
    "model",
    "answer",
    "question",
    "please",
    "explain",
    "why",
    "how",
    "data",
    "training",
    "privacy",
    "session",
    "code",
    "function",
    "return",
    "value",
    "error",
    "stack",
    "trace",
    "python",
    "rust",
    "query",
    "database",
    "index",
    "cache",
    "deploy",
    "server",
    "client",
    "request",
    "response",
    "token",
    "budget",
    "plan",
    "meeting",
    "summary",
    "draft",
    "résumé",
    "naïve",
    "café",
    "über",
    "straße",
    "東京",
    "données",
]
CODE = [
    "def handler(event, context):\n    return {'status': 200, 'body': json.dumps(event)}\n",
    "for i in range(len(items)):\n    total += items[i].price * items[i].qty\n",
    "SELECT id, name FROM users WHERE created_at > now() - interval '7 days';\n",
    "const x = await fetch(url, { headers: { 'Accept': 'application/json' } });\n",
    "git commit -m 'fix: handle empty batch' && git push origin main\n",
]
SENSITIVE = [
    "mail me at jane.roe{n}@example.com",
    "card 4111 1111 1111 1111 exp 12/29",
    "aws_access_key_id = AKIAQ3ZK7N2P5R8T{n:04d}",
    "token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ7bn0ifQ.c2lnbmF0dXJlX3tufV9hYmNkZWZnaA",
    "call +1 415 555 0{n:03d}",
    "postgres://admin:hunter{n}@db.internal:5432/prod",
]


class IdentityResult:
    def __init__(self, text: str) -> None:
        self.text = text


def message_text(rng: random.Random, n: int) -> str:
    parts: list[str] = []
    size = rng.choice((200, 400, 800, 1200, 1600, 2400))
    while sum(len(p) for p in parts) < size:
        roll = rng.random()
        if roll < 0.25:
            parts.append(rng.choice(CODE))
        elif roll < 0.28:
            parts.append(rng.choice(SENSITIVE).format(n=n % 1000))
        else:
            parts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))) + ".")
    return " ".join(parts)


def generate(url: str, sessions: int, per_session: int, seed: int = 7) -> None:
    upgrade(url)
    engine = make_engine(url)
    rng = random.Random(seed)
    far = START + timedelta(days=1825)
    accounts = max(1, sessions // 4)
    with engine.begin() as conn:
        conn.execute(
            insert(t.accounts),
            [
                {
                    "id": f"acc_{i:08d}",
                    "plan": "pro",
                    "scope": "consumer",
                    "created_at": START,
                    "token_hash": None,
                    "training": "on",
                    "terms_accepted": "2025-08-28",
                    "choice_at": START,
                    "deleted_at": None,
                }
                for i in range(accounts)
            ],
        )
    n = 0
    for first in range(0, sessions, 1000):
        session_rows, message_rows = [], []
        for s in range(first, min(first + 1000, sessions)):
            sid = f"ses_{s:08d}"
            at = START + timedelta(seconds=s)
            session_rows.append(
                {
                    "id": sid,
                    "account_id": f"acc_{s % accounts:08d}",
                    "kind": "code" if s % 5 == 0 else "chat",
                    "surface": "code" if s % 5 == 0 else "web",
                    "incognito": False,
                    "scope": "consumer",
                    "created_at": at,
                    "last_activity_at": at,
                    "first_covered_at": at,
                    "retain_until": far,
                    "deleted_at": None,
                    "deleted_purge_at": None,
                    "legal_hold": False,
                    "hold_keep_until": None,
                    "purge_at": far,
                    "purged_at": None,
                }
            )
            for m in range(per_session):
                n += 1
                message_rows.append(
                    {
                        "id": f"msg_{n:010d}",
                        "session_id": sid,
                        "role": "user" if m % 2 == 0 else "assistant",
                        "content": message_text(rng, n),
                        "at": at + timedelta(milliseconds=m),
                        "covered": True,
                        # the assistant's replies come from its backend (issue 17 item 7)
                        "author": "account" if m % 2 == 0 else "service",
                    }
                )
        with engine.begin() as conn:
            conn.execute(insert(t.sessions), session_rows)
            conn.execute(insert(t.messages), message_rows)
    engine.dispose()


def _populated(url: str) -> bool:
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(t.messages)).scalar_one()
    engine.dispose()
    return bool(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=10, help="messages per session")
    parser.add_argument("--format", default="parquet", choices=["parquet", "jsonl"])
    parser.add_argument("--work", default="/tmp/consentry-bench-export")
    parser.add_argument(
        "--database-url",
        default=None,
        help="an existing empty database to fill (e.g. PostgreSQL) instead of a cached SQLite file",
    )
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--no-filter",
        action="store_true",
        help="diagnostic only: replace the filter by identity to measure the pipeline alone",
    )
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"store-{args.sessions}x{args.messages}.db"
    url = args.database_url or f"sqlite:///{db}"
    if not (_populated(url) if args.database_url else db.exists()):
        started = time.perf_counter()
        generate(url, args.sessions, args.messages)
        print(f"generated {url} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    app = build(
        Settings(database_url=url), migrate=False, clock=TestClock(START + timedelta(days=2))
    )
    run = runs.create_run(app.ctx, purpose="model_training")
    with app.engine.connect() as conn:
        m = t.messages.c
        text_bytes = sum(
            len(c.encode()) for c in conn.execute(select(m.content)).scalars()
        )  # every message is exported in this population
        n_messages = conn.execute(select(func.count()).select_from(t.messages)).scalar_one()
    if args.no_filter:
        from consentry.service import training_export

        class Identity:
            def __init__(self, pseudonym_key: bytes | None = None) -> None: ...

            def redact(self, text: str) -> IdentityResult:
                return IdentityResult(text)

        def identity(*_: object, **__: object) -> Identity:
            return Identity()

        training_export.build_redactor = identity  # type: ignore[assignment]
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    wall, cpu = time.perf_counter(), time.process_time()
    result = export_run(app.ctx, run_id=run.id, out_dir=str(out), fmt=args.format)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler is not None:
        profiler.stop()
        (work / "profile.txt").write_text(profiler.output_text(unicode=True, color=False))
    out_bytes = sum(Path(f.path).stat().st_size for f in result.files)
    report = {
        "format": args.format,
        "filter": not args.no_filter,
        "sessions": run.sessions,
        "messages": n_messages,
        "text_mb": round(text_bytes / 1e6, 1),
        "output_mb": round(out_bytes / 1e6, 1),
        "shards": len(result.files) - 1,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "mb_per_s_wall": round(text_bytes / 1e6 / wall, 1),
        "mb_per_cpu_s": round(text_bytes / 1e6 / cpu, 1),
    }
    print(json.dumps(report))
    app.engine.dispose()


if __name__ == "__main__":
    main()
