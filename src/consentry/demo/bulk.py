"""The bulk loader: a population written straight into the tables, in large batches.

SQLite gets ``executemany`` inside one transaction per batch (synchronous off while
loading); PostgreSQL gets ``COPY … FROM STDIN`` through psycopg. Rows come from
:class:`~consentry.demo.simulate.Simulator`, so the stored state is what the service
layer would have produced for the same plans; consent events are chained onto the
existing ledger head with :func:`~consentry.domain.ledger.event_hash`.

What the loader does not write: the outbox (a delivery queue of change notifications
for live traffic, not state), runs, sweeps and tombstones. Loading the same seed twice
into one database collides on ids, by design.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, text

from consentry.adapters.sql.engine import refresh_statistics
from consentry.demo.population import Mix, plan_account
from consentry.demo.simulate import Ids, Row, Rows, Simulator
from consentry.demo.texts import Pools, TextMaker
from consentry.domain.jurisdiction import rule_set_for
from consentry.domain.ledger import GENESIS, event_hash, promised_days
from consentry.domain.policy import Policy
from consentry.domain.types import ChoiceSource, EventType, Training

COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "id", "plan", "scope", "created_at", "token_hash", "training", "terms_accepted",
        "choice_at", "deleted_at",
    ),
    "consent_events": (
        "seq", "event_id", "account_id", "at", "type", "value", "source", "terms_version",
        "prev_hash", "hash", "retention_days", "rule_set",
    ),
    "sessions": (
        "id", "account_id", "kind", "surface", "incognito", "scope", "created_at",
        "last_activity_at", "first_covered_at", "retain_until", "deleted_at",
        "deleted_purge_at", "legal_hold", "hold_keep_until", "purge_at",
    ),
    "activities": ("id", "session_id", "at", "covered", "kind"),
    "messages": ("id", "session_id", "role", "content", "at", "covered", "author"),
    "feedback": (
        "id", "account_id", "session_id", "message_id", "rating", "comment", "at",
        "choice_at_submission", "retain_until", "deleted_at", "purge_at",
    ),
    "holds": (
        "id", "session_id", "kind", "placed_at", "released_at", "scores",
        "scores_retain_until", "release_id",
    ),
}  # fmt: skip

# Which columns of each (simulated) row are epoch-second times or booleans.
_TIMES = {
    "accounts": (3, 7, 8),
    "consent_events": (3,),
    "sessions": (6, 7, 8, 9, 10, 11, 13, 14),
    "activities": (2,),
    "messages": (4,),
    "feedback": (6, 8, 9, 10),
    "holds": (3, 4, 6),
}
_BOOLS = {"sessions": (4, 12), "activities": (3,), "messages": (5,)}

Progress = Callable[["LoadStats"], None]


@dataclass
class LoadStats:
    accounts: int = 0
    sessions: int = 0
    messages: int = 0
    activities: int = 0
    events: int = 0
    feedback: int = 0
    holds: int = 0
    seconds: float = 0.0


class TimeFormat:
    """Epoch seconds to the text each dialect stores, via a per-day cache (no strftime)."""

    def __init__(self, dialect: str) -> None:
        self.suffix = ".000000" if dialect == "sqlite" else "+00"
        self._days: dict[int, str] = {}
        self._tod = [
            f" {h:02d}:{m:02d}:{s:02d}{self.suffix}"
            for h in range(24)
            for m in range(60)
            for s in range(60)
        ]

    def __call__(self, seconds: int) -> str:
        day, tod = divmod(seconds, 86_400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)).strftime("%Y-%m-%d")
            self._days[day] = prefix
        return prefix + self._tod[tod]


class _Writer:
    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect.name
        self.raw = engine.raw_connection()
        self.fmt = TimeFormat(self.dialect)
        self.true: Any = 1 if self.dialect == "sqlite" else True
        self.false: Any = 0 if self.dialect == "sqlite" else False
        if self.dialect == "sqlite":
            cur = self.raw.cursor()
            self._synchronous = cur.execute("PRAGMA synchronous").fetchone()[0]
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-131072")
            cur.close()

    def convert(self, table: str, rows: Iterable[Row]) -> list[Row]:
        fmt, times, bools = self.fmt, _TIMES.get(table, ()), _BOOLS.get(table, ())
        t, f = self.true, self.false
        out = []
        for row in rows:
            values = list(row)
            for i in times:
                v = values[i]
                if v is not None:
                    values[i] = fmt(v)
            for i in bools:
                values[i] = t if values[i] else f
            out.append(tuple(values))
        return out

    def write(self, table: str, rows: list[Row]) -> None:
        if not rows:
            return
        columns = COLUMNS[table]
        if self.dialect == "sqlite":
            marks = ", ".join("?" for _ in columns)
            cur = self.raw.cursor()
            # table and column names come from COLUMNS above, never from input
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
            cur.executemany(sql, rows)
            cur.close()
            return
        conn: Any = self.raw.driver_connection
        with (
            conn.cursor() as cur,
            cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def begin(self) -> None:
        if self.dialect == "sqlite":
            self.raw.cursor().execute("BEGIN")

    def commit(self) -> None:
        self.raw.commit()

    def close(self) -> None:
        if self.dialect == "sqlite":
            cur = self.raw.cursor()
            # Back to the engine's setting (FULL by default) for the pooled connection.
            cur.execute(f"PRAGMA synchronous={int(self._synchronous)}")
            cur.close()
        self.raw.close()


def _chain(events: list[Row], seq: int, prev: str, policy: Policy) -> tuple[list[Row], int, str]:
    """Give each event its sequence number and hash, continuing the ledger's chain (R27),
    with the members the service records (P16, P22): demo accounts have no region, so
    the default rule set and the retention days its events promise."""
    rule_set = rule_set_for(None, policy).name
    days = {v: str(promised_days(policy, v, rule_set)) for v in (Training.ON, Training.OFF, None)}
    chained = []
    for event_id, account_id, at, type_, value, source, terms in events:
        seq += 1
        choice = Training(value) if value is not None else None
        extra = (("retention_days", days[choice]), ("rule_set", rule_set))
        digest = event_hash(
            seq=seq,
            event_id=event_id,
            account_id=account_id,
            at=datetime.fromtimestamp(at, UTC),
            type=EventType(type_),
            value=choice,
            source=ChoiceSource(source) if source is not None else None,
            terms_version=terms,
            prev_hash=prev,
            extra=extra,
        )
        row = (seq, event_id, account_id, at, type_, value, source, terms, prev, digest)
        chained.append((*row, days[choice], rule_set))
        prev = digest
    return chained, seq, prev


def load_population(
    engine: Engine,
    *,
    accounts: int,
    seed: int,
    policy: Policy,
    mix: Mix | None = None,
    first_ordinal: int = 0,
    batch_accounts: int = 2000,
    short_texts: bool = False,
    progress: Progress | None = None,
) -> LoadStats:
    """Plan, simulate and write `accounts` accounts; one transaction per batch.

    The ledger head and the activity sequence are read first and continued, so a
    population can be added to a database that already holds data (other seeds).
    """
    mix = mix or Mix()
    texts = TextMaker(Pools.build(seed), short=short_texts)
    sim = Simulator(policy, Ids(seed), token_salt=f"demo-token-{seed}")
    stats = LoadStats()
    started = time.perf_counter()
    seq, prev, next_activity = _heads(engine)
    writer = _Writer(engine)
    try:
        for lo in range(first_ordinal, first_ordinal + accounts, batch_accounts):
            hi = min(lo + batch_accounts, first_ordinal + accounts)
            rows = Rows()
            for ordinal in range(lo, hi):
                plan = plan_account(ordinal, seed=seed, mix=mix, policy=policy, texts=texts)
                sim.account(plan, rows)
            events, seq, prev = _chain(rows.events, seq, prev, policy)
            activities = [(next_activity + i + 1, *row) for i, row in enumerate(rows.activities)]
            next_activity += len(activities)
            _write_batch(writer, rows, events, activities, seq=seq, head=prev)
            stats.accounts += hi - lo
            stats.sessions += len(rows.sessions)
            stats.messages += len(rows.messages)
            stats.activities += len(activities)
            stats.events += len(events)
            stats.feedback += len(rows.feedback)
            stats.holds += len(rows.holds)
            stats.seconds = time.perf_counter() - started
            if progress is not None:
                progress(stats)
    finally:
        writer.close()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('activities', 'id'), "
                    "(SELECT coalesce(max(id), 1) FROM activities))"
                )
            )
    refresh_statistics(engine)
    stats.seconds = time.perf_counter() - started
    return stats


def _heads(engine: Engine) -> tuple[int, str, int]:
    """Where the data already there ends: the ledger's last sequence number and hash
    (the genesis hash for an empty ledger), and the highest activity id."""
    with engine.connect() as conn:
        seq, prev = conn.execute(text("SELECT seq, hash FROM ledger_head WHERE id = 1")).one()
        next_activity = int(
            conn.execute(text("SELECT coalesce(max(id), 0) FROM activities")).scalar_one()
        )
    return seq, prev or GENESIS, next_activity


def _write_batch(
    writer: _Writer,
    rows: Rows,
    events: list[Row],
    activities: list[Row],
    *,
    seq: int,
    head: str,
) -> None:
    """One batch in one transaction: every table's rows, then the ledger's new head."""
    writer.begin()
    writer.write("accounts", writer.convert("accounts", rows.accounts))
    writer.write("consent_events", writer.convert("consent_events", events))
    writer.write("sessions", writer.convert("sessions", rows.sessions))
    writer.write("activities", writer.convert("activities", activities))
    writer.write("messages", writer.convert("messages", rows.messages))
    writer.write("feedback", writer.convert("feedback", rows.feedback))
    writer.write("holds", writer.convert("holds", rows.holds))
    cur = writer.raw.cursor()
    cur.execute(
        "UPDATE ledger_head SET seq = %s, hash = %s WHERE id = 1"
        if writer.dialect == "postgresql"
        else "UPDATE ledger_head SET seq = ?, hash = ? WHERE id = 1",
        (seq, head),
    )
    cur.close()
    writer.commit()
