"""In-memory implementations of the service's storage ports, for unit tests of the use
cases without a database (issue 20, as cosmicpython's fakes). Integration tests keep the
real SQLite and PostgreSQL adapters."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from consentry.domain.ids import new_id
from consentry.domain.ledger import GENESIS, ConsentEvent, LedgerEvent, canonical_entry
from consentry.domain.types import ChoiceSource, EventType, Training
from consentry.service.ports import (
    AccountStore,
    ConsentLedgerStore,
    HoldStore,
    LedgerHead,
    Outbox,
    SessionStore,
)
from consentry.service.records import (
    AccountRecord,
    FeedbackRecord,
    HoldRecord,
    MessageRecord,
    SessionRecord,
)


@dataclasses.dataclass
class HoldState:
    legal: bool
    keep_until: datetime | None


class InMemoryHolds:
    """:class:`~consentry.service.ports.HoldStore` in dictionaries."""

    def __init__(self) -> None:
        self.holds: dict[str, HoldRecord] = {}
        self.scores: dict[str, tuple[dict[str, float] | None, datetime | None]] = {}
        self.releases: dict[str, str] = {}
        self.state: dict[str, HoldState] = {}

    def insert_hold(
        self, hold: HoldRecord, *, scores: dict[str, float] | None, scores_until: datetime | None
    ) -> None:
        assert hold.id not in self.holds, "hold ids are unique"
        self.holds[hold.id] = hold
        self.scores[hold.id] = (scores, scores_until)

    def get_hold(self, hold_id: str) -> HoldRecord | None:
        return self.holds.get(hold_id)

    def release_hold(self, hold_id: str, at: datetime, *, release_id: str) -> None:
        self.holds[hold_id] = dataclasses.replace(self.holds[hold_id], released_at=at)
        self.releases[hold_id] = release_id

    def session_holds(self, session_id: str) -> list[HoldRecord]:
        mine = [h for h in self.holds.values() if h.session_id == session_id]
        return sorted(mine, key=lambda h: h.placed_at)

    def set_hold_state(self, session_id: str, *, legal: bool, keep_until: datetime | None) -> None:
        self.state[session_id] = HoldState(legal, keep_until)


def _conforms(fake: InMemoryHolds) -> HoldStore:
    return fake  # mypy checks the fake against the port


class InMemoryAccounts:
    """:class:`~consentry.service.ports.AccountStore` in a dictionary."""

    def __init__(self) -> None:
        self.accounts: dict[str, AccountRecord] = {}
        self.token_hashes: dict[str, str | None] = {}

    def insert_account(self, account: AccountRecord, token_hash: str) -> None:
        assert account.id not in self.accounts, "account ids are unique"
        self.accounts[account.id] = account
        self.token_hashes[account.id] = token_hash

    def get_account(self, account_id: str) -> AccountRecord | None:
        return self.accounts.get(account_id)

    def account_by_token_hash(self, token_hash: str) -> AccountRecord | None:
        for account_id, digest in self.token_hashes.items():
            if digest == token_hash:
                return self.accounts[account_id]
        return None

    def set_privacy(
        self, account_id: str, *, training: Training, terms_accepted: str | None, at: datetime
    ) -> None:
        account = self.accounts[account_id]
        self.accounts[account_id] = dataclasses.replace(
            account, training=training, terms_accepted=terms_accepted, choice_at=at
        )

    def mark_account_deleted(self, account_id: str, at: datetime) -> None:
        self.accounts[account_id] = dataclasses.replace(self.accounts[account_id], deleted_at=at)
        self.token_hashes[account_id] = None

    def set_auto_delete(self, account_id: str, *, months: int) -> None:
        self.accounts[account_id] = dataclasses.replace(
            self.accounts[account_id], auto_delete_months=months
        )


class InMemoryLedger:
    """:class:`~consentry.service.ports.ConsentLedgerStore` as a list: the same hash chain
    (the domain's canonical entry, SHA-256). Runs append their `run_manifest` events to
    the same list (`fakes_runs.py`, issue 21 item 4); the Merkle tree is computed from it
    on each read (`fake_uow.InMemoryLedgerTree`)."""

    def __init__(self) -> None:
        self.events: list[LedgerEvent] = []

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
        seq, prev = len(self.events) + 1, self.events[-1].hash if self.events else GENESIS
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
        event = ConsentEvent(
            seq, event_id, account_id, at, type, value, source, terms_version, prev, digest, extra
        )
        self.events.append(event)
        return event

    def consent_events(
        self, account_id: str | None = None, *, batch: int = 5000
    ) -> Iterator[ConsentEvent]:
        return iter(
            [
                e
                for e in self.events
                if isinstance(e, ConsentEvent) and account_id in (None, e.account_id)
            ]
        )

    def ledger_head(self) -> LedgerHead:
        return LedgerHead(len(self.events), self.events[-1].hash if self.events else "")


class InMemorySessions:
    """:class:`~consentry.service.ports.SessionStore` in dictionaries. Sessions here are
    never deleted nor held (those are :class:`RetentionStore` and :class:`HoldStore`), so
    the purge instant follows the retention end."""

    def __init__(self) -> None:
        self.sessions: dict[str, SessionRecord] = {}
        self.activities: list[tuple[str, datetime, bool, str]] = []
        self.message_rows: dict[str, MessageRecord] = {}
        self.feedback: dict[str, FeedbackRecord] = {}

    def insert_session(self, session: SessionRecord) -> None:
        assert session.id not in self.sessions, "session ids are unique"
        self.sessions[session.id] = dataclasses.replace(session, purge_at=session.retain_until)

    def get_session(self, session_id: str) -> SessionRecord | None:
        return self.sessions.get(session_id)

    def list_sessions(
        self, account_id: str, *, limit: int, after: str | None = None
    ) -> list[SessionRecord]:
        live = sorted(
            (
                s
                for s in self.sessions.values()
                if s.account_id == account_id and s.deleted_at is None and s.purged_at is None
            ),
            key=lambda s: (s.created_at, s.id),
            reverse=True,
        )
        anchor = self.sessions.get(after) if after is not None else None
        if anchor is not None:
            live = [s for s in live if (s.created_at, s.id) < (anchor.created_at, anchor.id)]
        return live[:limit]

    def account_session_ids(self, account_id: str) -> list[str]:
        mine = [s for s in self.sessions.values() if s.account_id == account_id]
        return [s.id for s in sorted(mine, key=lambda s: (s.created_at, s.id))]

    def add_activity(self, session_id: str, *, at: datetime, covered: bool, kind: str) -> int:
        self.activities.append((session_id, at, covered, kind))
        return len(self.activities)

    def record_activity(
        self, session_id: str, *, at: datetime, covered: bool, retain_until: datetime
    ) -> None:
        s = self.sessions[session_id]
        retain = max(s.retain_until, retain_until)
        first = s.first_covered_at if s.first_covered_at is not None or not covered else at
        self.sessions[session_id] = dataclasses.replace(
            s, last_activity_at=at, first_covered_at=first, retain_until=retain
        )
        self._refresh_purge_at(session_id)

    def _refresh_purge_at(self, session_id: str) -> None:
        """Without deletions and holds the purge instant is the retention end
        (`fakes_retention.InMemoryRetention` adds both)."""
        s = self.sessions[session_id]
        self.sessions[session_id] = dataclasses.replace(s, purge_at=s.retain_until)

    def insert_message(self, message: MessageRecord) -> None:
        assert message.id not in self.message_rows, "message ids are unique"
        self.message_rows[message.id] = message

    def messages(self, session_id: str, *, upto: datetime | None = None) -> list[MessageRecord]:
        mine = [
            m
            for m in self.message_rows.values()
            if m.session_id == session_id and (upto is None or m.at <= upto)
        ]
        return sorted(mine, key=lambda m: (m.at, m.id))

    def get_message(self, message_id: str) -> MessageRecord | None:
        return self.message_rows.get(message_id)

    def insert_feedback(self, fb: FeedbackRecord) -> None:
        self.feedback[fb.id] = fb

    def account_feedback(self, account_id: str) -> list[FeedbackRecord]:
        mine = [f for f in self.feedback.values() if f.account_id == account_id]
        return sorted((f for f in mine if f.deleted_at is None), key=lambda f: (f.at, f.id))


class InMemoryOutbox:
    """:class:`~consentry.service.ports.Outbox` as a list, in publication order."""

    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any], datetime]] = []

    def publish(self, type: str, payload: dict[str, Any], at: datetime) -> None:
        self.published.append((type, dict(payload), at))


def _conforms_accounts(fake: InMemoryAccounts) -> AccountStore:
    return fake  # mypy checks each fake against its port


def _conforms_ledger(fake: InMemoryLedger) -> ConsentLedgerStore:
    return fake


def _conforms_sessions(fake: InMemorySessions) -> SessionStore:
    return fake


def _conforms_outbox(fake: InMemoryOutbox) -> Outbox:
    return fake
