"""The whole ledger in SQL: consent events and runs' `run_manifest` events (issue 21 item 4).

The ledger's sequence numbers, hash chain (R27) and Merkle tree run over two tables:
``consent_events`` (an account's choices) and ``ledger_run_events`` (revision 0010: one
account-less event per training run, carrying its manifest root). Readers of the whole
ledger merge the two by ``seq``; readers of an account's events read ``consent_events``
alone, so a run's event never shows up in an account's history, receipts or export.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.engine import Row

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.engine import DriverStatement
from consentry.domain.ids import new_id
from consentry.domain.ledger import EXTRA_MEMBERS, GENESIS, ConsentEvent, LedgerEvent
from consentry.domain.run_manifest import RunManifestEvent, run_event_entry
from consentry.domain.types import ChoiceSource, EventType, Training

BATCH = 5000

_h = t.ledger_head.c
# The head row's lock and move, shared by every append (consent events and runs): built
# once (issue 22: choice change built them per call, ~50 µs each on SQLite); the move is
# sent as its compiled text, the lock is a prebuilt SELECT (see DriverStatement).
_LOCK_HEAD = (
    select(_h.seq, _h.hash, _h.tree_size, _h.tree_range)
    .where(_h.id == bindparam("p_id"))
    .with_for_update()
)
_MOVE_HEAD = DriverStatement(
    update(t.ledger_head)
    .where(_h.id == bindparam("p_id"))
    .values(
        seq=bindparam("p_seq", type_=_h.seq.type),
        hash=bindparam("p_hash", type_=_h.hash.type),
        tree_size=bindparam("p_tree_size", type_=_h.tree_size.type),
        tree_range=bindparam("p_tree_range", type_=_h.tree_range.type),
    )
)


def locked_head(conn: Connection) -> Row[int, str, int, str]:
    """The ledger head row (``seq``, ``hash``, ``tree_size``, ``tree_range``), locked until
    the transaction ends (PostgreSQL: FOR UPDATE; SQLite: the writer's BEGIN IMMEDIATE)."""
    return conn.execute(_LOCK_HEAD, {"p_id": 1}).one()


def move_head(conn: Connection, *, seq: int, digest: str, tree: dict[str, Any]) -> None:
    """Point the head at event ``seq`` (its hash ``digest``) and the tree columns
    :func:`~consentry.adapters.sql.ledger_tree.append_to_tree` returned."""
    _MOVE_HEAD.execute(
        conn,
        {
            "p_id": 1,
            "p_seq": seq,
            "p_hash": digest,
            "p_tree_size": tree["tree_size"],
            "p_tree_range": tree["tree_range"],
        },
    )


def event_of_row(row: Row[Any]) -> ConsentEvent:
    m = row._mapping
    return ConsentEvent(
        seq=m["seq"],
        event_id=m["event_id"],
        account_id=m["account_id"],
        at=m["at"],
        type=EventType(m["type"]),
        value=Training(m["value"]) if m["value"] else None,
        source=ChoiceSource(m["source"]) if m["source"] else None,
        terms_version=m["terms_version"],
        prev_hash=m["prev_hash"],
        hash=m["hash"],
        # issue 23 (P16): members present only on newer events, in canonical order
        extra=tuple((k, m[k]) for k in EXTRA_MEMBERS if m.get(k) is not None),
    )


def run_event_of_row(row: Row[Any]) -> RunManifestEvent:
    m = row._mapping
    return RunManifestEvent(
        seq=m["seq"],
        event_id=m["event_id"],
        at=m["at"],
        run_id=m["run_id"],
        purpose=m["purpose"],
        cutoff=m["cutoff"],
        manifest_size=m["manifest_size"],
        manifest_root=base64.b64decode(m["manifest_root"]),
        prev_hash=m["prev_hash"],
        hash=m["hash"],
    )


def _pages(
    conn: Connection, table: Any, after: int, upto: int | None, columns: list[Any] | None = None
) -> Iterator[Row[Any]]:
    c = table.c
    last = after
    while upto is None or last < upto:
        query = select(*(columns or [table])).where(c.seq > last)
        if upto is not None:
            query = query.where(c.seq <= upto)
        rows = conn.execute(query.order_by(c.seq).limit(BATCH)).all()
        yield from rows
        if len(rows) < BATCH:
            return
        last = rows[-1].seq


def ledger_events(
    conn: Connection, *, after: int = 0, upto: int | None = None, runs: bool = True
) -> Iterator[LedgerEvent]:
    """Every ledger event with ``after < seq <= upto`` (no bound: to the end), in
    sequence order, streamed in pages. ``runs=False`` reads consent events only (a
    database before revision 0010, which has no run events)."""
    # Before revision 0010 (a migration building the tree) neither run events nor the
    # optional members of revision 0011 exist: read the columns every revision has.
    base = None if runs else [c for c in t.consent_events.c if c.name not in EXTRA_MEMBERS]
    consent: Iterator[LedgerEvent] = (
        event_of_row(r) for r in _pages(conn, t.consent_events, after, upto, base)
    )
    if not runs:
        yield from consent
        return
    run: Iterator[LedgerEvent] = (
        run_event_of_row(r) for r in _pages(conn, t.ledger_run_events, after, upto)
    )
    yield from heapq.merge(consent, run, key=_seq)


def _seq(event: LedgerEvent) -> int:
    return event.seq


def events_at(conn: Connection, seqs: list[int], *, runs: bool = True) -> list[LedgerEvent]:
    """The ledger events with these sequence numbers (those that exist), either kind."""
    found: list[LedgerEvent] = []
    if not seqs:
        return found
    ce = t.consent_events.c
    found += [
        event_of_row(r) for r in conn.execute(select(t.consent_events).where(ce.seq.in_(seqs)))
    ]
    if runs:
        re = t.ledger_run_events.c
        found += [
            run_event_of_row(r)
            for r in conn.execute(select(t.ledger_run_events).where(re.seq.in_(seqs)))
        ]
    return found


def run_event(conn: Connection, run_id: str) -> RunManifestEvent | None:
    row = conn.execute(
        select(t.ledger_run_events).where(t.ledger_run_events.c.run_id == run_id)
    ).first()
    return None if row is None else run_event_of_row(row)


def lock_head(conn: Connection) -> None:
    """Take the ledger head's row lock (released at commit). Run creation takes it
    before its snapshot, so the run's event follows the ledger the run was built from
    directly and no concurrent append can make the snapshot's head stale."""
    locked_head(conn)


def append_run_event(
    conn: Connection, *, run_id: str, manifest_size: int, manifest_root: bytes
) -> RunManifestEvent:
    """Append the run's `run_manifest` event (chain and tree) in the caller's transaction,
    which has just inserted the run; the head row is locked as a consent append locks it."""
    from consentry.adapters.sql.ledger_tree import append_to_tree  # the tree imports us

    head = locked_head(conn)
    r = t.runs.c
    run = conn.execute(select(r.purpose, r.cutoff, r.created_at).where(r.id == run_id)).one()
    event = RunManifestEvent(
        seq=head.seq + 1,
        event_id=new_id("evt"),
        at=run.created_at,
        run_id=run_id,
        purpose=run.purpose,
        cutoff=run.cutoff,
        manifest_size=manifest_size,
        manifest_root=manifest_root,
        prev_hash=head.hash or GENESIS,
        hash="",
    )
    entry = run_event_entry(
        seq=event.seq,
        event_id=event.event_id,
        at=event.at,
        run_id=run_id,
        purpose=event.purpose,
        cutoff=event.cutoff,
        manifest_size=manifest_size,
        manifest_root=manifest_root,
        prev_hash=event.prev_hash,
    )
    digest = hashlib.sha256(entry).hexdigest()
    conn.execute(
        insert(t.ledger_run_events).values(
            seq=event.seq,
            event_id=event.event_id,
            run_id=run_id,
            at=event.at,
            purpose=event.purpose,
            cutoff=event.cutoff,
            manifest_size=manifest_size,
            manifest_root=base64.b64encode(manifest_root).decode(),
            prev_hash=event.prev_hash,
            hash=digest,
        )
    )
    tree = append_to_tree(conn, head=head, seq=event.seq, entry=entry)
    move_head(conn, seq=event.seq, digest=digest, tree=tree)
    return replace(event, hash=digest)
