"""The SQL side of :class:`~consentry.service.ports.LedgerStore`: the consent ledger's
append-only hash chain and its Merkle tree (R27, issue 21).

Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Connection, insert, select

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.engine import DriverStatement
from consentry.adapters.sql.ledger_events import locked_head, move_head
from consentry.adapters.sql.ledger_tree import append_to_tree, event_of_row
from consentry.domain.ids import new_id
from consentry.domain.ledger import GENESIS, ConsentEvent, canonical_entry
from consentry.domain.types import ChoiceSource, EventType, Training
from consentry.service.ports.accounts import LedgerHead

_EVENT_COLUMNS = (
    "seq",
    "event_id",
    "account_id",
    "at",
    "type",
    "value",
    "source",
    "terms_version",
    "prev_hash",
    "hash",
)
_INSERT_EVENT: dict[tuple[str, ...], DriverStatement] = {}
"""One prebuilt INSERT per set of optional members written (issue 22): an event writes
the columns of the members it has and no others, as when the statement was built per call."""


def _insert_event(members: tuple[str, ...]) -> DriverStatement:
    statement = _INSERT_EVENT.get(members)
    if statement is None:
        # Few keys: canonical_entry has refused any name outside EXTRA_MEMBERS by now.
        statement = DriverStatement(insert(t.consent_events), _EVENT_COLUMNS + members)
        _INSERT_EVENT[members] = statement
    return statement


class SqlLedgerStore:
    """Ledger appends and reads over the unit of work's connection."""

    conn: Connection

    def append_consent_event(
        self,
        *,
        account_id: str,
        at: datetime,
        type: EventType,
        value: Training | None,
        source: ChoiceSource | None,
        terms_version: str,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> ConsentEvent:
        """Append one event to the chain and its leaf to the Merkle tree (issue 21); the
        head row, which holds both heads, is locked so appends serialise."""
        head = locked_head(self.conn)
        seq, prev = head.seq + 1, head.hash or GENESIS
        event_id = new_id("evt")
        entry = canonical_entry(
            seq=seq,
            event_id=event_id,
            account_id=account_id,
            at=at,
            type=type,
            value=value,
            source=source,
            terms_version=terms_version,
            prev_hash=prev,
            extra=extra,
        )
        digest = hashlib.sha256(entry).hexdigest()
        members = dict(extra)  # P16: the columns of the members present
        _insert_event(tuple(members)).execute(
            self.conn,
            {
                "seq": seq,
                "event_id": event_id,
                "account_id": account_id,
                "at": at,
                "type": type.value,
                "value": value.value if value else None,
                "source": source.value if source else None,
                "terms_version": terms_version,
                "prev_hash": prev,
                "hash": digest,
                **members,
            },
        )
        tree = append_to_tree(self.conn, head=head, seq=seq, entry=entry)
        move_head(self.conn, seq=seq, digest=digest, tree=tree)
        return ConsentEvent(
            seq, event_id, account_id, at, type, value, source, terms_version, prev, digest, extra
        )

    def consent_events(
        self, account_id: str | None = None, *, batch: int = 5000
    ) -> Iterator[ConsentEvent]:
        """Events in chain order, streamed in pages so the whole ledger is never in memory."""
        last = 0
        while True:
            query = select(t.consent_events).where(t.consent_events.c.seq > last)
            if account_id is not None:
                query = query.where(t.consent_events.c.account_id == account_id)
            rows = self.conn.execute(query.order_by(t.consent_events.c.seq).limit(batch)).all()
            for row in rows:
                yield event_of_row(row)
            if len(rows) < batch:
                return
            last = rows[-1].seq

    def ledger_head(self) -> LedgerHead:
        row = self.conn.execute(select(t.ledger_head).where(t.ledger_head.c.id == 1)).one()
        return LedgerHead(int(row.seq), str(row.hash))
