"""The consent report's counts (P19-P20) as grouped SQL over the ledger and the tables.

Every statement is one GROUP BY (or a window over the ledger followed by one), the same
text on SQLite and PostgreSQL except for the bucket expression; no row per account ever
reaches Python. All statements run in one transaction: REPEATABLE READ on PostgreSQL,
one read snapshot on SQLite, so the sections agree with each other.
"""

# The only text formatted into these statements is the bucket expression chosen from the
# constants below and fixed table names; every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, text

from consentry.adapters.sql.engine import READ_ONLY_OPTION
from consentry.adapters.sql.tables import UTCDateTime
from consentry.service.consent_report import (
    Bucket,
    ChoiceCount,
    KeyedCount,
    PendingCount,
    ReportFacts,
    RunTotals,
    StateCount,
    SurfaceCount,
    SweepTotals,
)

_SQLITE_BUCKET = {
    Bucket.DAY: "substr({col}, 1, 10)",
    Bucket.WEEK: "date({col}, 'weekday 0', '-6 days')",  # the Monday of its ISO week
    Bucket.MONTH: "substr({col}, 1, 7) || '-01'",
}
_PG_BUCKET = "to_char(date_trunc('{unit}', {col} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"

_PENDING = (
    "a.scope = 'consumer' AND a.deleted_at IS NULL AND "
    "(a.training = 'unset' OR a.terms_accepted IS NULL OR a.terms_accepted <> :version)"
)


class SqlConsentReport:
    """:class:`~consentry.service.consent_report.ConsentReportSource` over an engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _bucket(self, col: str, bucket: Bucket) -> str:
        if self._engine.dialect.name == "postgresql":
            return _PG_BUCKET.format(unit=bucket.value, col=col)
        return _SQLITE_BUCKET[bucket].format(col=col)

    def read(
        self, *, since: datetime, until: datetime, bucket: Bucket, terms_version: str
    ) -> ReportFacts:
        with self._engine.connect() as conn:
            if self._engine.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            else:
                conn = conn.execution_options(**{READ_ONLY_OPTION: True})
            with conn.begin():
                return self._read(conn, since, until, bucket, terms_version)

    def _read(
        self, conn: Connection, since: datetime, until: datetime, bucket: Bucket, version: str
    ) -> ReportFacts:
        """One grouped statement per report section, all in the caller's transaction."""
        window = {"since": since, "until": until}

        def b(col: str) -> str:
            return self._bucket(col, bucket)

        return ReportFacts(
            choices=_choices(conn, window, b),
            surfaces=_surfaces(conn, window, b),
            pending=_pending(conn, version),
            state=_state(conn),
            deferrals=_deferrals(conn, window, b),
            deletions=_deletions(conn, window, b),
            sweeps=_sweeps(conn, window, b),
            runs=_runs(conn, window, b),
        )


Window = dict[str, datetime]
BucketOf = Callable[[str], str]
"""The bucket expression of a column (day, ISO week or month, in the engine's dialect)."""


def _windowed(conn: Connection, sql: str, window: Window) -> Sequence[Row[*tuple[Any, ...]]]:
    """The rows of a statement over the report's window (its datetimes bound as UTC)."""
    stmt = text(sql)
    names = {"since", "until"} & set(stmt._bindparams)
    stmt = stmt.bindparams(*(bindparam(n, type_=UTCDateTime()) for n in names))
    return conn.execute(stmt, window).all()


def _choices(conn: Connection, window: Window, b: BucketOf) -> list[ChoiceCount]:
    """Consumer choices by bucket, plan, source and value, and whether the one before was on."""
    rows = _windowed(
        conn,
        "WITH c AS (SELECT e.at, e.value, e.source, a.plan, "
        "LAG(e.value) OVER (PARTITION BY e.account_id ORDER BY e.seq) AS prev "
        "FROM consent_events e JOIN accounts a ON a.id = e.account_id "
        "WHERE e.type = 'choice' AND a.scope = 'consumer') "
        f"SELECT {b('c.at')} AS b, c.plan, c.source, c.value, "
        "CASE WHEN c.prev = 'on' THEN 1 ELSE 0 END AS after_on, count(*) "
        "FROM c WHERE c.at >= :since AND c.at <= :until "
        "GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5",
        window,
    )
    return [ChoiceCount(r[0], r[1], r[2] or "", r[3] or "", bool(r[4]), int(r[5])) for r in rows]


def _surfaces(conn: Connection, window: Window, b: BucketOf) -> list[SurfaceCount]:
    """Consumer sessions (not incognito) by bucket and surface, and how many were covered."""
    rows = _windowed(
        conn,
        f"SELECT {b('created_at')} AS b, surface, count(*), "
        "count(first_covered_at) FROM sessions "
        "WHERE scope = 'consumer' AND NOT incognito "
        "AND created_at >= :since AND created_at <= :until "
        "GROUP BY 1, 2 ORDER BY 1, 2",
        window,
    )
    return [SurfaceCount(r[0], r[1], int(r[2]), int(r[3])) for r in rows]


def _pending(conn: Connection, version: str) -> list[PendingCount]:
    """Accounts still to decide, by plan: unset, and deferred on these terms."""
    rows = conn.execute(
        text(
            "SELECT a.plan, count(*), "
            "sum(CASE WHEN a.training = 'unset' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN EXISTS (SELECT 1 FROM consent_events d "
            "WHERE d.account_id = a.id AND d.type = 'deferral' "
            "AND d.terms_version = :version) THEN 1 ELSE 0 END) "
            f"FROM accounts a WHERE {_PENDING} GROUP BY a.plan ORDER BY a.plan"
        ),
        {"version": version},
    ).all()
    return [PendingCount(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]


def _state(conn: Connection) -> list[StateCount]:
    """Live consumer accounts now, by plan and training setting."""
    rows = conn.execute(
        text(
            "SELECT plan, training, count(*) FROM accounts "
            "WHERE scope = 'consumer' AND deleted_at IS NULL "
            "GROUP BY plan, training ORDER BY plan, training"
        )
    ).all()
    return [StateCount(r[0], r[1], int(r[2])) for r in rows]


def _deferrals(conn: Connection, window: Window, b: BucketOf) -> list[KeyedCount]:
    """Deferrals by bucket."""
    rows = _windowed(
        conn,
        f"SELECT {b('at')} AS b, count(*) FROM consent_events "
        "WHERE type = 'deferral' AND at >= :since AND at <= :until "
        "GROUP BY 1 ORDER BY 1",
        window,
    )
    return [KeyedCount(r[0], "deferral", int(r[1])) for r in rows]


def _deletions(conn: Connection, window: Window, b: BucketOf) -> list[KeyedCount]:
    """Deleted accounts, sessions and feedback by bucket."""
    rows = _windowed(
        conn,
        " UNION ALL ".join(
            f"SELECT {b('deleted_at')} AS b, '{kind}' AS kind, count(*) AS n "
            f"FROM {table} WHERE deleted_at >= :since AND deleted_at <= :until "
            "GROUP BY 1"
            for kind, table in (
                ("accounts", "accounts"),
                ("sessions", "sessions"),
                ("feedback", "feedback"),
            )
        )
        + " ORDER BY 1, 2",
        window,
    )
    return [KeyedCount(r[0], r[1], int(r[2])) for r in rows]


def _sweeps(conn: Connection, window: Window, b: BucketOf) -> list[SweepTotals]:
    """Retention sweeps by bucket, with what they removed."""
    rows = _windowed(
        conn,
        f"SELECT {b('started_at')} AS b, count(*), sum(sessions), "
        "sum(messages), sum(feedback), sum(scores) FROM sweeps "
        "WHERE started_at >= :since AND started_at <= :until GROUP BY 1 ORDER BY 1",
        window,
    )
    return [SweepTotals(r[0], *(int(v or 0) for v in r[1:])) for r in rows]


def _runs(conn: Connection, window: Window, b: BucketOf) -> list[RunTotals]:
    """Training-data runs by bucket and purpose, with what they took."""
    rows = _windowed(
        conn,
        f"SELECT {b('created_at')} AS b, purpose, count(*), "
        "sum(sessions_count), sum(messages_count), sum(feedback_count) FROM runs "
        "WHERE created_at >= :since AND created_at <= :until "
        "GROUP BY 1, 2 ORDER BY 1, 2",
        window,
    )
    return [RunTotals(r[0], r[1], *(int(v or 0) for v in r[2:])) for r in rows]
