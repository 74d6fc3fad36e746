"""The consent report's SQL (docs/rules.md P19) on SQLite and PostgreSQL: set-based (the
same statements whatever the population), buckets named alike on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from consentry.adapters.sql.consent_report import SqlConsentReport
from consentry.bootstrap import App
from consentry.domain.clock import TestClock
from consentry.service import accounts, sessions
from consentry.service.consent_report import Bucket

SINCE = datetime(2025, 1, 1, tzinfo=UTC)
UNTIL = datetime(2026, 1, 1, tzinfo=UTC)


@contextmanager
def _statements(app: App) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(app.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(app.engine, "before_cursor_execute", record)


def _population(app: App, n: int) -> None:
    for i in range(n):
        creds = accounts.sign_up(app.ctx, plan="free" if i % 2 else "pro", training="on")
        started = sessions.start_session(app.ctx, account_id=creds.account_id, kind="chat")
        sessions.add_message(
            app.ctx,
            account_id=creds.account_id,
            session_id=started.session.id,
            role="user",
            content="hi",
        )
        if i % 3 == 0:
            accounts.record_choice(app.ctx, account_id=creds.account_id, training="off")


def test_the_report_runs_the_same_statements_for_any_population_P19(app: App) -> None:
    """P19: grouped SQL only. The statements the report runs are the same for 4 accounts
    and for 24 (no query per account, no row per account read back), and the counts grow."""
    source = SqlConsentReport(app.engine)
    _population(app, 4)
    with _statements(app) as small:
        first = source.read(
            since=SINCE, until=UNTIL, bucket=Bucket.MONTH, terms_version="2025-08-28"
        )
    _population(app, 20)
    with _statements(app) as large:
        second = source.read(
            since=SINCE, until=UNTIL, bucket=Bucket.MONTH, terms_version="2025-08-28"
        )
    assert small == large
    assert len([s for s in large if s.lstrip().upper().startswith(("SELECT", "WITH"))]) == 8
    assert sum(c.count for c in first.choices) == 4 + 2  # sign-ups and opt-outs (i % 3 == 0)
    assert sum(c.count for c in second.choices) == 24 + 2 + 7  # opt-outs: i % 3 == 0 per batch
    assert sum(s.sessions for s in second.surfaces) == 24
    # Rows that reach Python are groups, not accounts.
    assert len(second.choices) <= 2 * 2 * 2  # plans x (signup on, settings off) x after_on


def test_week_and_day_buckets_agree_on_both_databases_P19(app: App, clock: TestClock) -> None:
    """P19: a week is named by its Monday, a day by itself, in UTC, on SQLite as on
    PostgreSQL; the window includes both ends."""
    clock.set(datetime(2025, 9, 7, 23, 59, tzinfo=UTC))  # a Sunday
    accounts.sign_up(app.ctx, plan="free", training="on")
    clock.set(datetime(2025, 9, 8, 0, 0, tzinfo=UTC))  # the next Monday
    accounts.sign_up(app.ctx, plan="free", training="off")
    source = SqlConsentReport(app.engine)
    week = source.read(since=SINCE, until=UNTIL, bucket=Bucket.WEEK, terms_version="2025-08-28")
    assert sorted((c.bucket, c.value) for c in week.choices) == [
        ("2025-09-01", "on"),
        ("2025-09-08", "off"),
    ]
    day = source.read(since=SINCE, until=UNTIL, bucket=Bucket.DAY, terms_version="2025-08-28")
    assert sorted((c.bucket, c.value) for c in day.choices) == [
        ("2025-09-07", "on"),
        ("2025-09-08", "off"),
    ]
    month = source.read(since=SINCE, until=UNTIL, bucket=Bucket.MONTH, terms_version="2025-08-28")
    assert {c.bucket for c in month.choices} == {"2025-09-01"}
    edge = datetime(2025, 9, 8, 0, 0, tzinfo=UTC)
    ends = source.read(since=edge, until=edge, bucket=Bucket.DAY, terms_version="2025-08-28")
    assert [(c.bucket, c.value) for c in ends.choices] == [("2025-09-08", "off")]
    before = source.read(
        since=SINCE, until=edge - timedelta(microseconds=1), bucket=Bucket.DAY, terms_version="x"
    )
    assert [(c.bucket, c.value) for c in before.choices] == [("2025-09-07", "on")]
