"""``lake export``: copy the system of record into the lake, incrementally and atomically.

One consistent read of the database (REPEATABLE READ on PostgreSQL) feeds every table.
Each table's watermark lives in its own commit (:attr:`Snapshot.state`), so a crash
between tables re-exports exactly what was not committed and nothing twice.

- ``log`` tables append rows past the watermark. The consent ledger is serialised by
  its head row, so ``seq`` is a safe watermark. Activities, messages and tombstones use
  ``(time, ids at that time)``: rows after the watermark instant, plus rows at that very
  instant not yet exported (a frozen test clock writes many rows at one instant). Rows
  newer than ``now - settle`` wait for the next export, so a transaction that commits
  late on PostgreSQL is not skipped (set ``settle`` above the longest transaction).
- ``merge`` tables re-read every row whose key changed at or after the watermark
  instant, found through the append-only logs (activities, the ledger, tombstones, hold
  times), and replace those rows bucket by bucket (copy-on-write). Re-reading a row is
  idempotent, so the boundary instant is simply read again.
- Purges in the system of record (its tombstones) delete the purged messages from the
  lake in the same export, and replace purged feedback and scores; those commits are
  *purge* commits, which delete the files they removed at once (see
  :mod:`consentry.lake.delta`). :meth:`vacuum` removes other replaced files once they are
  older than the retention of old versions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Connection, Engine, Select, and_, not_, or_, select, union

from consentry.adapters.sql import tables as t
from consentry.domain.clock import as_utc, iso, parse_iso
from consentry.lake import schema as ls
from consentry.lake.catalog import check_lake, open_table
from consentry.lake.port import DataFile, Snapshot, TableFormat

CHUNK = 100_000


@dataclass
class TableReport:
    table: str
    appended: int = 0
    replaced: int = 0
    deleted: int = 0
    version: int = 0


@dataclass
class ExportReport:
    upto: datetime
    tables: list[TableReport] = field(default_factory=list)
    vacuumed: int = 0


def _rows_to_arrow(table: ls.LakeTable, rows: list[dict[str, Any]], buckets: int) -> pa.Table:
    columns: dict[str, list[Any]] = {f.name: [] for f in table.schema}
    for row in rows:
        for name in columns:
            if name == "bucket":
                columns[name].append(ls.bucket_of(str(row[table.bucket_key]), buckets))
            else:
                value = row.get(name)
                columns[name].append(as_utc(value) if isinstance(value, datetime) else value)
    return pa.table(columns, schema=table.schema)


def _write_by_bucket(lt: TableFormat, data: pa.Table) -> list[DataFile]:
    files = []
    for bucket in sorted(set(data.column("bucket").to_pylist())):
        part = data.filter(pc.equal(data.column("bucket"), bucket))
        rel, path = lt.new_file(bucket)
        pq.write_table(part, path, filesystem=lt.filesystem)
        files.append(DataFile(rel, bucket, part.num_rows))
    return files


def _chunks(conn: Connection, query: Select[Any]) -> Iterator[list[dict[str, Any]]]:
    result = conn.execution_options(yield_per=CHUNK).execute(query)
    for part in result.partitions(CHUNK):
        yield [dict(r._mapping) for r in part]


class LakeExporter:
    """Exports one consistent read of the system of record into the lake at `lake`."""

    def __init__(
        self,
        engine: Engine,
        lake: str,
        *,
        buckets: int = ls.DEFAULT_BUCKETS,
        settle: timedelta = timedelta(0),
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.engine = engine
        self.lake = lake
        self.buckets = buckets
        self.settle = settle
        self.progress = progress or (lambda _msg: None)

    def export(self, *, now: datetime) -> ExportReport:
        upto = as_utc(now) - self.settle
        report = ExportReport(upto)
        check_lake(self.lake)
        options: dict[str, Any] = {}
        if self.engine.dialect.name == "postgresql":
            options["isolation_level"] = "REPEATABLE READ"
        with self.engine.connect().execution_options(**options) as conn, conn.begin():
            for table in ls.TABLES:
                self.progress(f"exporting {table.name}")
                report.tables.append(self._export_table(conn, table, upto))
        # Purge commits deleted their removed files already; the others go once they are
        # older than the retention of old versions (time travel for audits until then).
        report.vacuumed = sum(self.vacuum().values())
        return report

    def vacuum(self) -> dict[str, int]:
        """Vacuum every table: delete removed files older than the retention."""
        return {t.name: len(open_table(self.lake, t.name).vacuum()) for t in ls.TABLES}

    # -- per table -----------------------------------------------------------------
    def _export_table(self, conn: Connection, table: ls.LakeTable, upto: datetime) -> TableReport:
        lt = open_table(self.lake, table.name)
        snap = lt.snapshot()
        state = dict(snap.state)
        if state.get("buckets", self.buckets) != self.buckets:
            raise ValueError(f"{table.name} has {state['buckets']} buckets, not {self.buckets}")
        state["buckets"] = self.buckets
        report = TableReport(table.name)
        add: list[DataFile] = []
        remove: list[DataFile] = []
        purge = False
        if table.mode == "log":
            if table is ls.CONSENT_EVENTS:
                remove = self._upgrade_consent_events(snap, state)
            for rows in self._log_rows(conn, table, state, upto):
                data = _rows_to_arrow(table, rows, self.buckets)
                add += _write_by_bucket(lt, data)
                report.appended += data.num_rows
            if table is ls.MESSAGES:
                gone = self._purged_messages(conn, state, upto)
                if gone:
                    extra_add, remove, report.deleted = self._rewrite(
                        lt, snap, table, gone, replacement=None
                    )
                    add += extra_add
                    purge = True
        else:
            add, remove, purge = self._merge(conn, lt, snap, table, state, upto, report)
        if add or remove or state != dict(snap.state):
            new = lt.commit(
                expected_version=snap.version,
                add=add,
                remove=remove,
                state=state,
                note=f"lake export upto {iso(upto)}",
                purge=purge,
            )
            report.version = new.version
        else:
            report.version = snap.version
        return report

    def _merge(
        self,
        conn: Connection,
        lt: TableFormat,
        snap: Snapshot,
        table: ls.LakeTable,
        state: dict[str, Any],
        upto: datetime,
        report: TableReport,
    ) -> tuple[list[DataFile], list[DataFile], bool]:
        """A ``merge`` table: re-read the rows whose key changed since the watermark and
        replace them bucket by bucket; (files added, files removed, purge commit)."""
        since = state.get("since")
        rebuild = self._upgrade_merge(table, state)
        if rebuild:
            since = None  # every row again: accounts with region (P21), sessions key_id
        purge = self._purged_since(conn, table, parse_iso(since) if since else None, upto)
        query = self._changed(table, parse_iso(since) if since else None, upto)
        rows = [r for chunk in _chunks(conn, query) for r in chunk]
        data = _rows_to_arrow(table, rows, self.buckets)
        keys = {
            str(r[table.key]): ls.bucket_of(str(r[table.bucket_key]), self.buckets) for r in rows
        }
        add: list[DataFile] = []
        remove: list[DataFile] = []
        if rebuild:
            add, remove = (_write_by_bucket(lt, data) if rows else []), list(snap.files)
        elif keys:
            add, remove, _ = self._rewrite(lt, snap, table, keys, replacement=data)
        report.replaced = data.num_rows
        state["since"] = iso(upto)
        return add, remove, purge

    @staticmethod
    def _upgrade_merge(table: ls.LakeTable, state: dict[str, Any]) -> bool:
        """Whether a merge table must be written again from every row: its ``schema`` is
        older than :data:`ls.ACCOUNTS_SCHEMA` (files without ``region``: a Spark run over
        them would give every account the default rule set's retention, P21) or
        :data:`ls.SESSIONS_SCHEMA` (files without ``key_id``: ``spark export`` would look
        for a pooled session's key under ``session:<id>``, issue 26). The same commit
        removes every old file, so no version holds a row twice; older versions stay
        readable for time travel until vacuumed."""
        wanted = {ls.ACCOUNTS.name: ls.ACCOUNTS_SCHEMA, ls.SESSIONS.name: ls.SESSIONS_SCHEMA}
        version = wanted.get(table.name)
        if version is None or int(state.get("schema", 1)) >= version:
            return False
        state["schema"] = version
        return True

    @staticmethod
    def _upgrade_consent_events(snap: Snapshot, state: dict[str, Any]) -> list[DataFile]:
        """The files to drop so the ledger is exported again from its first event: all of
        them while the table's ``schema`` is older than :data:`ls.CONSENT_EVENTS_SCHEMA`
        (files without ``auto_delete``, ``region``, ``rule_set``: a Spark run over them
        would read every auto-delete choice as none, P12). The same commit appends the
        events again, so no version holds the ledger twice; older versions stay readable
        for time travel until vacuumed."""
        if int(state.get("schema", 1)) >= ls.CONSENT_EVENTS_SCHEMA:
            return []
        state["schema"] = ls.CONSENT_EVENTS_SCHEMA
        state["seq"] = 0
        return list(snap.files)

    def _rewrite(
        self,
        lt: TableFormat,
        snap: Snapshot,
        table: ls.LakeTable,
        keys: dict[str, int],
        *,
        replacement: pa.Table | None,
    ) -> tuple[list[DataFile], list[DataFile], int]:
        """Copy-on-write: every file of an affected bucket is rewritten without `keys`."""
        by_bucket: dict[int, list[str]] = defaultdict(list)
        for key, bucket in keys.items():
            by_bucket[bucket].append(key)
        add, remove, dropped = [], [], 0
        for bucket in sorted(by_bucket):
            old = snap.files_in([bucket])
            parts = []
            if old:
                current = pq.read_table(
                    [lt.uri(f) for f in old],
                    schema=table.schema,
                    partitioning=None,
                    filesystem=lt.filesystem,
                )
                mask = pc.is_in(
                    current.column(table.key).cast(pa.string()),
                    value_set=pa.array(by_bucket[bucket]),
                )
                dropped += int(pc.sum(mask).as_py() or 0)
                parts.append(current.filter(pc.invert(mask)))
            if replacement is not None:
                parts.append(replacement.filter(pc.equal(replacement.column("bucket"), bucket)))
            merged = pa.concat_tables(parts) if parts else table.schema.empty_table()
            if merged.num_rows:
                rel, path = lt.new_file(bucket)
                pq.write_table(merged, path, filesystem=lt.filesystem)
                add.append(DataFile(rel, bucket, merged.num_rows))
            remove += old
        return add, remove, dropped

    def _log_rows(
        self, conn: Connection, table: ls.LakeTable, state: dict[str, Any], upto: datetime
    ) -> Iterator[list[dict[str, Any]]]:
        if table is ls.CONSENT_EVENTS:
            ce = t.consent_events.c
            last = int(state.get("seq", 0))
            query = select(t.consent_events).where(ce.seq > last, ce.at <= upto).order_by(ce.seq)
            for rows in _chunks(conn, query):
                state["seq"] = rows[-1]["seq"]
                yield rows
            return
        source = t.tombstones if table is ls.TOMBSTONES else getattr(t, table.name)
        assert table.time_column is not None
        at, key = source.c[table.time_column], source.c[table.key]
        wm = state.get("wm_at")
        seen: list[Any] = list(state.get("wm_ids", []))
        query = select(source).where(at <= upto)
        if wm is not None:
            wm_at = parse_iso(wm)
            query = query.where(or_(at > wm_at, and_(at == wm_at, not_(key.in_(seen)))))
        for rows in _chunks(conn, query.order_by(at, key)):
            if table is ls.TOMBSTONES:
                for r in rows:
                    r["origin"] = "sor"
            last_at = as_utc(rows[-1][table.time_column])
            at_last = [r[table.key] for r in rows if as_utc(r[table.time_column]) == last_at]
            if wm is not None and parse_iso(wm) == last_at:
                at_last = seen + at_last
            wm, seen = iso(last_at), at_last
            state["wm_at"], state["wm_ids"] = wm, seen
            yield rows

    def _purged_messages(
        self, conn: Connection, state: dict[str, Any], upto: datetime
    ) -> dict[str, int]:
        """Messages the system of record purged since the last export: {id: bucket}."""
        tb = t.tombstones.c
        since = state.get("purges_since")
        query = select(tb.item_id, tb.session_id).where(
            tb.item_type == "message", tb.purged_at <= upto
        )
        if since:
            query = query.where(tb.purged_at >= parse_iso(since))
        state["purges_since"] = iso(upto)
        return {r.item_id: ls.bucket_of(r.session_id, self.buckets) for r in conn.execute(query)}

    def _purged_since(
        self, conn: Connection, table: ls.LakeTable, since: datetime | None, upto: datetime
    ) -> bool:
        """Whether the system of record purged content of `table` since the last export."""
        kinds = {"feedback": ("feedback",), "holds": ("scores",)}.get(table.name)
        if since is None or not kinds:
            return False
        tb = t.tombstones.c
        query = select(tb.id).where(
            tb.item_type.in_(kinds), tb.purged_at >= since, tb.purged_at <= upto
        )
        return conn.execute(query.limit(1)).first() is not None

    def _changed(self, table: ls.LakeTable, since: datetime | None, upto: datetime) -> Any:
        """The current rows of a mutable table whose key changed in [since, upto]."""
        source = getattr(t, table.name)
        if since is None:
            return select(source)
        act, ce, tb, h = t.activities.c, t.consent_events.c, t.tombstones.c, t.holds.c
        s, f = t.sessions.c, t.feedback.c
        touched_accounts = select(ce.account_id).where(ce.at >= since)
        keys: Iterable[Any]
        if table is ls.ACCOUNTS:
            keys = [
                select(t.accounts.c.id).where(t.accounts.c.created_at >= since),
                touched_accounts,
            ]
        elif table is ls.SESSIONS:
            keys = [
                select(act.session_id).where(act.at >= since),
                select(h.session_id).where(or_(h.placed_at >= since, h.released_at >= since)),
                select(tb.session_id).where(tb.purged_at >= since, tb.item_type == "session"),
                select(s.id).where(s.account_id.in_(touched_accounts)),
            ]
        elif table is ls.FEEDBACK:
            keys = [
                select(f.id).where(f.at >= since),
                select(f.id).where(
                    f.session_id.in_(
                        select(act.session_id).where(act.at >= since, act.kind == "delete")
                    )
                ),
                select(f.id).where(f.account_id.in_(touched_accounts)),
                select(tb.item_id).where(tb.purged_at >= since, tb.item_type == "feedback"),
            ]
        else:
            keys = [
                select(h.id).where(or_(h.placed_at >= since, h.released_at >= since)),
                select(tb.item_id).where(tb.purged_at >= since, tb.item_type == "scores"),
            ]
        changed = union(*keys).subquery()
        return select(source).where(source.c.id.in_(select(changed.c[0])))
