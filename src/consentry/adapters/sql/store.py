"""The SQL store: accounts, the consent ledger, sessions, messages, feedback and holds.

Runs, the sweeper and audit facts live in :mod:`consentry.adapters.sql.runs_store`.
Every method runs inside the caller's transaction (the unit of work).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.engine import Row

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.credentials_store import SqlCredentialStore
from consentry.adapters.sql.ledger_tree import append_to_tree, event_of_row
from consentry.adapters.sql.sqlfuncs import greatest, least
from consentry.domain.ids import new_id
from consentry.domain.ledger import GENESIS, ConsentEvent, canonical_entry
from consentry.domain.types import (
    Author,
    ChoiceSource,
    EventType,
    HoldKind,
    Plan,
    Rating,
    Role,
    Scope,
    SessionKind,
    Surface,
    Training,
)
from consentry.service.records import (
    AccountRecord,
    FeedbackRecord,
    HoldRecord,
    MessageRecord,
    PurgeCounts,
    SessionRecord,
)


def _account(row: Row[Any]) -> AccountRecord:
    m = row._mapping
    return AccountRecord(
        id=m["id"],
        plan=Plan(m["plan"]),
        scope=Scope(m["scope"]),
        created_at=m["created_at"],
        training=Training(m["training"]),
        terms_accepted=m["terms_accepted"],
        choice_at=m["choice_at"],
        deleted_at=m["deleted_at"],
    )


def _session(row: Row[Any]) -> SessionRecord:
    m = row._mapping
    return SessionRecord(
        id=m["id"],
        account_id=m["account_id"],
        kind=SessionKind(m["kind"]),
        surface=Surface(m["surface"]),
        incognito=bool(m["incognito"]),
        scope=Scope(m["scope"]),
        created_at=m["created_at"],
        last_activity_at=m["last_activity_at"],
        first_covered_at=m["first_covered_at"],
        retain_until=m["retain_until"],
        deleted_at=m["deleted_at"],
        purge_at=m["purge_at"],
        purged_at=m["purged_at"],
    )


def purge_at_expr(retain_until: Any = None) -> Any:
    """R14/R16/R17 as one SQL expression over a session row: never while a legal hold
    stands; else the earlier of retention end and deletion + grace, pushed back to the
    end of any safety hold. `retain_until` stands in for the column when an UPDATE sets
    both (SET expressions see the row as it was)."""
    s = t.sessions.c
    retain = s.retain_until if retain_until is None else retain_until
    base = least(retain, func.coalesce(s.deleted_purge_at, retain))
    kept = greatest(base, func.coalesce(s.hold_keep_until, base))
    return case((s.legal_hold, None), else_=kept)


def _record_activity_statement(covered: bool) -> Any:
    """One UPDATE moving every projection of a session after an activity (R10, R12, R17).

    Built once: the message append is the hottest write path, and constructing the
    expression tree on each call cost a third of its CPU (BENCHMARKS.md, API load)."""
    s = t.sessions.c
    retain = greatest(s.retain_until, bindparam("p_retain_until"))
    values: dict[str, Any] = {
        "last_activity_at": bindparam("p_at"),
        "retain_until": retain,
        "purge_at": purge_at_expr(retain),
    }
    if covered:
        values["first_covered_at"] = func.coalesce(s.first_covered_at, bindparam("p_at"))
    return update(t.sessions).where(s.id == bindparam("p_session_id")).values(**values)


_RECORD_ACTIVITY = {covered: _record_activity_statement(covered) for covered in (False, True)}
_ACCOUNT_BY_ID = select(t.accounts).where(t.accounts.c.id == bindparam("p_id"))
_SESSION_BY_ID = select(t.sessions).where(t.sessions.c.id == bindparam("p_id"))


class SqlStore(SqlCredentialStore):
    """Storage port implementation over one SQLAlchemy connection in a transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- accounts ---------------------------------------------------------------
    def insert_account(self, account: AccountRecord, token_hash: str) -> None:
        self.conn.execute(
            insert(t.accounts).values(
                id=account.id,
                plan=account.plan.value,
                scope=account.scope.value,
                created_at=account.created_at,
                token_hash=token_hash,
                training=account.training.value,
                terms_accepted=account.terms_accepted,
                choice_at=account.choice_at,
                deleted_at=None,
            )
        )

    def get_account(self, account_id: str) -> AccountRecord | None:
        row = self.conn.execute(_ACCOUNT_BY_ID, {"p_id": account_id}).first()
        return _account(row) if row else None

    def account_by_token_hash(self, token_hash: str) -> AccountRecord | None:
        row = self.conn.execute(
            select(t.accounts).where(t.accounts.c.token_hash == token_hash)
        ).first()
        return _account(row) if row else None

    def set_privacy(
        self, account_id: str, *, training: Training, terms_accepted: str | None, at: datetime
    ) -> None:
        self.conn.execute(
            update(t.accounts)
            .where(t.accounts.c.id == account_id)
            .values(training=training.value, terms_accepted=terms_accepted, choice_at=at)
        )

    def mark_account_deleted(self, account_id: str, at: datetime) -> None:
        self.conn.execute(
            update(t.accounts)
            .where(t.accounts.c.id == account_id)
            .values(deleted_at=at, token_hash=None)
        )

    # -- consent ledger (R27) ----------------------------------------------------
    def append_consent_event(
        self,
        *,
        account_id: str,
        at: datetime,
        type: EventType,
        value: Training | None,
        source: ChoiceSource | None,
        terms_version: str,
    ) -> ConsentEvent:
        """Append one event to the chain and its leaf to the Merkle tree (issue 21); the
        head row, which holds both heads, is locked so appends serialise."""
        h = t.ledger_head.c
        head = self.conn.execute(
            select(h.seq, h.hash, h.tree_size, h.tree_range)
            .where(t.ledger_head.c.id == 1)
            .with_for_update()
        ).one()
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
        )
        digest = hashlib.sha256(entry).hexdigest()
        self.conn.execute(
            insert(t.consent_events).values(
                seq=seq,
                event_id=event_id,
                account_id=account_id,
                at=at,
                type=type.value,
                value=value.value if value else None,
                source=source.value if source else None,
                terms_version=terms_version,
                prev_hash=prev,
                hash=digest,
            )
        )
        tree = append_to_tree(self.conn, head=head, seq=seq, entry=entry)
        self.conn.execute(
            update(t.ledger_head).where(h.id == 1).values(seq=seq, hash=digest, **tree)
        )
        return ConsentEvent(
            seq, event_id, account_id, at, type, value, source, terms_version, prev, digest
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

    def ledger_head(self) -> tuple[int, str]:
        row = self.conn.execute(select(t.ledger_head).where(t.ledger_head.c.id == 1)).one()
        return int(row.seq), str(row.hash)

    # -- sessions, activities, messages --------------------------------------------
    def insert_session(self, session: SessionRecord) -> None:
        self.conn.execute(
            insert(t.sessions).values(
                id=session.id,
                account_id=session.account_id,
                kind=session.kind.value,
                surface=session.surface.value,
                incognito=session.incognito,
                scope=session.scope.value,
                created_at=session.created_at,
                last_activity_at=session.last_activity_at,
                first_covered_at=session.first_covered_at,
                retain_until=session.retain_until,
                legal_hold=False,
                purge_at=session.retain_until,
            )
        )

    def get_session(self, session_id: str) -> SessionRecord | None:
        row = self.conn.execute(_SESSION_BY_ID, {"p_id": session_id}).first()
        return _session(row) if row else None

    def list_sessions(
        self, account_id: str, *, limit: int, after: str | None = None
    ) -> list[SessionRecord]:
        """Live sessions of an account (not deleted, not purged: R14, R17), newest first,
        keyset-paginated by (created_at, id)."""
        s = t.sessions.c
        query = select(t.sessions).where(
            s.account_id == account_id, s.deleted_at.is_(None), s.purged_at.is_(None)
        )
        if after is not None:
            anchor = self.get_session(after)
            if anchor is not None:
                query = query.where(
                    or_(
                        s.created_at < anchor.created_at,
                        and_(s.created_at == anchor.created_at, s.id < anchor.id),
                    )
                )
        rows = self.conn.execute(query.order_by(s.created_at.desc(), s.id.desc()).limit(limit))
        return [_session(r) for r in rows]

    def account_session_ids(self, account_id: str) -> list[str]:
        s = t.sessions.c
        return list(
            self.conn.execute(
                select(s.id).where(s.account_id == account_id).order_by(s.created_at, s.id)
            ).scalars()
        )

    def add_activity(self, session_id: str, *, at: datetime, covered: bool, kind: str) -> int:
        result = self.conn.execute(
            insert(t.activities),
            {"session_id": session_id, "at": at, "covered": covered, "kind": kind},
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def record_activity(
        self, session_id: str, *, at: datetime, covered: bool, retain_until: datetime
    ) -> None:
        """Move the session's projections forward after an activity (R10, R12)."""
        self.conn.execute(
            _RECORD_ACTIVITY[covered],
            {"p_session_id": session_id, "p_at": at, "p_retain_until": retain_until},
        )

    def refresh_purge_at(self, where: Any) -> None:
        self.conn.execute(update(t.sessions).where(where).values(purge_at=purge_at_expr()))

    def insert_message(self, message: MessageRecord) -> None:
        self.conn.execute(
            insert(t.messages),
            {
                "id": message.id,
                "session_id": message.session_id,
                "role": message.role.value,
                "content": message.content,
                "at": message.at,
                "covered": message.covered,
                "author": message.author.value,
            },
        )

    def messages(self, session_id: str, *, upto: datetime | None = None) -> list[MessageRecord]:
        m = t.messages.c
        query = select(t.messages).where(m.session_id == session_id)
        if upto is not None:
            query = query.where(m.at <= upto)
        rows = self.conn.execute(query.order_by(m.at, m.id))
        return [
            MessageRecord(
                id=r.id,
                session_id=r.session_id,
                role=Role(r.role),
                content=r.content,
                at=r.at,
                covered=bool(r.covered),
                author=Author(r.author),
            )
            for r in rows
        ]

    def get_message(self, message_id: str) -> MessageRecord | None:
        row = self.conn.execute(select(t.messages).where(t.messages.c.id == message_id)).first()
        if row is None:
            return None
        return MessageRecord(
            row.id,
            row.session_id,
            Role(row.role),
            row.content,
            row.at,
            bool(row.covered),
            Author(row.author),
        )

    def delete_session(self, session_id: str, *, at: datetime, purge_by: datetime) -> int:
        return self._mark_sessions_deleted(t.sessions.c.id == session_id, at=at, purge_by=purge_by)

    def delete_account_sessions(self, account_id: str, *, at: datetime, purge_by: datetime) -> int:
        return self._mark_sessions_deleted(
            t.sessions.c.account_id == account_id, at=at, purge_by=purge_by
        )

    def mark_feedback_deleted(self, account_id: str, *, at: datetime, purge_by: datetime) -> None:
        f = t.feedback.c
        self.conn.execute(
            update(t.feedback)
            .where(f.account_id == account_id, f.deleted_at.is_(None))
            .values(deleted_at=at, purge_at=least(f.retain_until, purge_by))
        )

    def _mark_sessions_deleted(self, where: Any, *, at: datetime, purge_by: datetime) -> int:
        """R14: deleted now, purged no later than `purge_by`; one activity row each for audit."""
        s = t.sessions.c
        ids = list(self.conn.execute(select(s.id).where(where, s.deleted_at.is_(None))).scalars())
        if not ids:
            return 0
        self.conn.execute(
            insert(t.activities),
            [{"session_id": i, "at": at, "covered": False, "kind": "delete"} for i in ids],
        )
        self.conn.execute(
            update(t.sessions).where(s.id.in_(ids)).values(deleted_at=at, deleted_purge_at=purge_by)
        )
        self.refresh_purge_at(s.id.in_(ids))
        f = t.feedback.c
        self.conn.execute(
            update(t.feedback)
            .where(f.session_id.in_(ids), f.deleted_at.is_(None))
            .values(deleted_at=at, purge_at=least(f.retain_until, purge_by))
        )
        return len(ids)

    def shorten_retention(self, account_id: str, *, period_days: int) -> None:
        """R18 `shorten`: covered sessions of this account now keep the standard period."""
        s = t.sessions.c
        rows = self.conn.execute(
            select(s.id, s.last_activity_at).where(
                s.account_id == account_id,
                s.scope == Scope.CONSUMER.value,
                s.incognito.is_(False),
                s.purged_at.is_(None),
            )
        ).all()
        for row in rows:
            self.conn.execute(
                update(t.sessions)
                .where(s.id == row.id)
                .values(retain_until=row.last_activity_at + timedelta(days=period_days))
            )
        if rows:
            self.refresh_purge_at(s.account_id == account_id)

    # -- feedback ----------------------------------------------------------------
    def insert_feedback(self, fb: FeedbackRecord) -> None:
        self.conn.execute(
            insert(t.feedback).values(
                id=fb.id,
                account_id=fb.account_id,
                session_id=fb.session_id,
                message_id=fb.message_id,
                rating=fb.rating.value,
                comment=fb.comment,
                at=fb.at,
                choice_at_submission=fb.choice_at_submission.value,
                retain_until=fb.retain_until,
                purge_at=fb.retain_until,
            )
        )

    def account_feedback(self, account_id: str) -> list[FeedbackRecord]:
        f = t.feedback.c
        rows = self.conn.execute(
            select(t.feedback)
            .where(f.account_id == account_id, f.deleted_at.is_(None), f.purged_at.is_(None))
            .order_by(f.at, f.id)
        )
        return [
            FeedbackRecord(
                id=r.id,
                account_id=r.account_id,
                session_id=r.session_id,
                message_id=r.message_id,
                rating=Rating(r.rating),
                comment=r.comment,
                at=r.at,
                choice_at_submission=Training(r.choice_at_submission),
                retain_until=r.retain_until,
                deleted_at=r.deleted_at,
            )
            for r in rows
        ]

    # -- holds (R16) -------------------------------------------------------------
    def insert_hold(
        self, hold: HoldRecord, *, scores: dict[str, float] | None, scores_until: datetime | None
    ) -> None:
        self.conn.execute(
            insert(t.holds).values(
                id=hold.id,
                session_id=hold.session_id,
                kind=hold.kind.value,
                placed_at=hold.placed_at,
                scores=json.dumps(scores, sort_keys=True) if scores is not None else None,
                scores_retain_until=scores_until,
            )
        )

    def get_hold(self, hold_id: str) -> HoldRecord | None:
        row = self.conn.execute(select(t.holds).where(t.holds.c.id == hold_id)).first()
        if row is None:
            return None
        return HoldRecord(
            row.id, row.session_id, HoldKind(row.kind), row.placed_at, row.released_at
        )

    def release_hold(self, hold_id: str, at: datetime, *, release_id: str) -> None:
        self.conn.execute(
            update(t.holds)
            .where(t.holds.c.id == hold_id)
            .values(released_at=at, release_id=release_id)
        )

    def session_holds(self, session_id: str) -> list[HoldRecord]:
        rows = self.conn.execute(
            select(t.holds).where(t.holds.c.session_id == session_id).order_by(t.holds.c.placed_at)
        )
        return [
            HoldRecord(r.id, r.session_id, HoldKind(r.kind), r.placed_at, r.released_at)
            for r in rows
        ]

    def set_hold_state(self, session_id: str, *, legal: bool, keep_until: datetime | None) -> None:
        s = t.sessions.c
        self.conn.execute(
            update(t.sessions)
            .where(s.id == session_id)
            .values(legal_hold=legal, hold_keep_until=keep_until)
        )
        self.refresh_purge_at(s.id == session_id)

    # -- sweeps -------------------------------------------------------------------
    def start_sweep(self, sweep_id: str, at: datetime) -> None:
        self.conn.execute(
            insert(t.sweeps).values(
                id=sweep_id, started_at=at, sessions=0, messages=0, feedback=0, scores=0
            )
        )

    def update_sweep(
        self, sweep_id: str, counts: PurgeCounts, *, finished: datetime | None
    ) -> None:
        values: dict[str, Any] = {
            "sessions": counts.sessions,
            "messages": counts.messages,
            "feedback": counts.feedback,
            "scores": counts.scores,
        }
        if finished is not None:
            values["finished_at"] = finished
        self.conn.execute(update(t.sweeps).where(t.sweeps.c.id == sweep_id).values(**values))

    def recent_sweeps(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(t.sweeps).order_by(t.sweeps.c.started_at.desc(), t.sweeps.c.id).limit(limit)
        )
        return [dict(r._mapping) for r in rows]

    # -- outbox (every change, in the same transaction) ---------------------------------
    def publish(self, type: str, payload: dict[str, Any], at: datetime) -> None:
        self.conn.execute(
            insert(t.outbox),
            {
                "event_id": new_id("chg"),
                "type": type,
                "payload": json.dumps(payload, sort_keys=True, default=str),
                "created_at": at,
            },
        )

    def count(self, table: Any, *where: Any) -> int:
        return int(
            self.conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        )
