"""The consent report (issue 23 item 7, P19) on bulk-loaded populations of growing size.

Each database was loaded with the bulk loader (``consentry demo --bulk``); this script
times the report's SQL (``SqlConsentReport.read``) and the whole report with its charts
(``consent_report`` + ``report_charts``), month and week buckets, ``--repeat`` times each,
and prints medians with growth ratios against the first (smallest) database. CPU time is
``time.process_time`` of this process (on SQLite it includes the database engine, which
runs in-process); wall time is given too (on PostgreSQL the query runs in the server).

    .venv/bin/python benchmarks/report/bench_consent_report.py \\
        sqlite:////tmp/h23c/r100k.db sqlite:////tmp/h23c/r300k.db sqlite:////tmp/h23c/r1m.db
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from consentry.adapters.sql.consent_report import SqlConsentReport
from consentry.adapters.sql.engine import make_engine
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.entrypoints.web.report_charts import report_charts
from consentry.service.consent_report import Bucket, consent_report

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SINCE = datetime(2025, 5, 1, tzinfo=UTC)


def _sizes(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        out = {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())
            for t in ("accounts", "consent_events", "sessions")
        }
    engine.dispose()
    return out


def _backend_cpu(app: App) -> tuple[int | None, float]:
    """PostgreSQL on this machine: the pooled connection's server process and its CPU
    seconds so far (user + system, from /proc), so the server's share is measured too.
    The report's connection is that pooled one (the pool hands back its last connection)."""
    if app.engine.dialect.name != "postgresql":
        return None, 0.0
    with app.engine.connect() as conn:
        pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(url: str, repeat: int) -> dict[str, object]:
    app = build(Settings(database_url=url), migrate=False, clock=TestClock(NOW))
    source = SqlConsentReport(app.engine)
    result: dict[str, object] = {"url": url, **_sizes(url)}
    for bucket in (Bucket.MONTH, Bucket.WEEK):
        cpu, wall, server = [], [], []
        for _ in range(repeat):
            pid, before = _backend_cpu(app)
            c, w = time.process_time(), time.perf_counter()
            source.read(since=SINCE, until=NOW, bucket=bucket, terms_version="2025-08-28")
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
            after_pid, after = _backend_cpu(app)
            if pid is not None and pid == after_pid:
                server.append(after - before)
        result[f"sql_{bucket}_cpu_s"] = round(statistics.median(cpu), 3)
        if server:
            result[f"sql_{bucket}_server_cpu_s"] = round(statistics.median(server), 3)
        result[f"sql_{bucket}_wall_s"] = round(statistics.median(wall), 3)
    c, w = time.process_time(), time.perf_counter()
    report = consent_report(app.ctx, source, bucket="week", since=SINCE, until=NOW)
    charts = report_charts(report)
    result["page_week_cpu_s"] = round(time.process_time() - c, 3)
    result["page_week_wall_s"] = round(time.perf_counter() - w, 3)
    result["charts"] = len(charts)
    app.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("urls", nargs="+", help="database URLs, smallest first")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = [_measure(url, args.repeat) for url in args.urls]
    base = rows[0]
    for row in rows:
        row["accounts_x"] = round(int(row["accounts"]) / int(base["accounts"]), 2)  # type: ignore[call-overload]
        for key in (
            "sql_month_cpu_s",
            "sql_week_cpu_s",
            "sql_month_wall_s",
            "sql_month_server_cpu_s",
        ):
            if key not in row:
                continue
            row[f"{key}_x"] = round(float(row[key]) / max(float(base[key]), 1e-9), 2)  # type: ignore[arg-type]
        print(json.dumps(row))


if __name__ == "__main__":
    main()
