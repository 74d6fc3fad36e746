"""In-memory retention fakes (issue 20): deletion and retention (R12, R14, R18), holds
projected onto the purge instant (R16), the sweeper's purges and tombstones and its log
(R17). They share the dictionaries of :class:`~tests.unit.service.fakes.InMemorySessions`
and :class:`~tests.unit.service.fakes.InMemoryHolds`, as the SQL adapters share tables."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from consentry.domain.retention import add_months
from consentry.domain.types import Scope
from consentry.service.keys import scopes_of
from consentry.service.ports import PurgeStore, RetentionStore, SweepLog, SweepRecord
from consentry.service.records import FeedbackRecord, PurgeCounts, SessionRecord
from tests.unit.service.fakes import HoldState, InMemoryHolds, InMemorySessions


@dataclasses.dataclass(frozen=True)
class Tombstone:
    """What a purge leaves behind (R17): kind, id, session, account, reason, instant,
    sweep, and whether the item's data key was destroyed (issue 26)."""

    item_type: str
    item_id: str
    session_id: str | None
    account_id: str | None
    reason: str
    purged_at: datetime
    sweep_id: str
    key_destroyed: bool = False


class InMemoryRetention(InMemorySessions, InMemoryHolds):
    """:class:`~consentry.service.ports.RetentionStore` over the sessions' and holds'
    dictionaries. The purge instant is recomputed as `purge_at_expr` does in SQL: none
    under a legal hold; else the earlier of retention end and deletion + grace, pushed
    back to the end of any safety hold (R14, R16, R17)."""

    def __init__(self) -> None:
        InMemorySessions.__init__(self)
        InMemoryHolds.__init__(self)
        self.deleted_purge_at: dict[str, datetime] = {}
        self.feedback_purge_at: dict[str, datetime] = {}
        self.feedback_purged: dict[str, datetime] = {}

    def _refresh_purge_at(self, session_id: str) -> None:
        s = self.sessions[session_id]
        state = self.state.get(session_id, HoldState(False, None))
        base = min(s.retain_until, self.deleted_purge_at.get(session_id, s.retain_until))
        kept = max(base, state.keep_until) if state.keep_until is not None else base
        purge_at = None if state.legal else kept
        self.sessions[session_id] = dataclasses.replace(s, purge_at=purge_at)

    def set_hold_state(self, session_id: str, *, legal: bool, keep_until: datetime | None) -> None:
        InMemoryHolds.set_hold_state(self, session_id, legal=legal, keep_until=keep_until)
        if session_id in self.sessions:
            self._refresh_purge_at(session_id)

    def delete_session(self, session_id: str, *, at: datetime, purge_by: datetime) -> int:
        return self._mark_deleted([session_id], at=at, purge_by=purge_by)

    def delete_account_sessions(self, account_id: str, *, at: datetime, purge_by: datetime) -> int:
        ids = [s.id for s in self.sessions.values() if s.account_id == account_id]
        return self._mark_deleted(ids, at=at, purge_by=purge_by)

    def _mark_deleted(self, ids: list[str], *, at: datetime, purge_by: datetime) -> int:
        live = [i for i in ids if i in self.sessions and self.sessions[i].deleted_at is None]
        for session_id in live:
            self.add_activity(session_id, at=at, covered=False, kind="delete")
            self.sessions[session_id] = dataclasses.replace(
                self.sessions[session_id], deleted_at=at
            )
            self.deleted_purge_at[session_id] = purge_by
            self._refresh_purge_at(session_id)
        for fb in list(self.feedback.values()):
            if fb.session_id in live and fb.deleted_at is None:
                self._delete_feedback(fb.id, at=at, purge_by=purge_by)
        return len(live)

    def _delete_feedback(self, feedback_id: str, *, at: datetime, purge_by: datetime) -> None:
        fb = self.feedback[feedback_id]
        self.feedback[feedback_id] = dataclasses.replace(fb, deleted_at=at)
        self.feedback_purge_at[feedback_id] = min(fb.retain_until, purge_by)

    def mark_feedback_deleted(self, account_id: str, *, at: datetime, purge_by: datetime) -> None:
        for fb in list(self.feedback.values()):
            if fb.account_id == account_id and fb.deleted_at is None:
                self._delete_feedback(fb.id, at=at, purge_by=purge_by)

    def _unpurged(self, account_id: str) -> list[SessionRecord]:
        return [
            s for s in self.sessions.values() if s.account_id == account_id and s.purged_at is None
        ]

    def shorten_retention(self, account_id: str, *, period_days: int) -> None:
        for s in self._unpurged(account_id):
            if s.scope is Scope.CONSUMER and not s.incognito:
                retain = s.last_activity_at + timedelta(days=period_days)
                self.sessions[s.id] = dataclasses.replace(s, retain_until=retain)
                self._refresh_purge_at(s.id)

    def cap_retention(self, account_id: str, *, months: int) -> None:
        for s in self._unpurged(account_id):
            cap = add_months(s.last_activity_at, months)
            if cap < s.retain_until:
                self.sessions[s.id] = dataclasses.replace(s, retain_until=cap)
                self._refresh_purge_at(s.id)


class InMemorySweeps:
    """:class:`~consentry.service.ports.SweepLog` in a dictionary, in start order."""

    def __init__(self) -> None:
        self.sweeps: dict[str, SweepRecord] = {}

    def start_sweep(self, sweep_id: str, at: datetime) -> None:
        self.sweeps[sweep_id] = SweepRecord(sweep_id, at, None, PurgeCounts())

    def update_sweep(
        self, sweep_id: str, counts: PurgeCounts, *, finished: datetime | None
    ) -> None:
        old = self.sweeps[sweep_id]
        done = finished if finished is not None else old.finished_at
        self.sweeps[sweep_id] = dataclasses.replace(old, purged=counts, finished_at=done)

    def recent_sweeps(self, limit: int = 20) -> list[SweepRecord]:
        ordered = sorted(self.sweeps.values(), key=lambda r: (r.started_at, r.id), reverse=True)
        return ordered[:limit]


class InMemoryPurges(InMemoryRetention):
    """:class:`~consentry.service.ports.PurgeStore`: due items by (purge instant, id),
    purges that delete content and leave a :class:`Tombstone` per item (R17)."""

    def __init__(self) -> None:
        InMemoryRetention.__init__(self)
        self.tombstones: list[Tombstone] = []

    def due_sessions(self, now: datetime, limit: int) -> list[str]:
        due = [
            s
            for s in self.sessions.values()
            if s.purged_at is None and s.purge_at is not None and s.purge_at <= now
        ]
        return [s.id for s in sorted(due, key=lambda s: (s.purge_at, s.id))][:limit]

    def purge_sessions(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        n_sessions = n_messages = 0
        for session_id in ids:
            s = self.sessions[session_id]
            reason = "deleted" if s.deleted_at is not None else "retention_ended"
            for m in self.messages(session_id):
                del self.message_rows[m.id]
                self.tombstones.append(
                    Tombstone("message", m.id, s.id, s.account_id, reason, now, sweep_id)
                )
                n_messages += 1
            if s.purged_at is None:
                self.tombstones.append(
                    Tombstone("session", s.id, s.id, s.account_id, reason, now, sweep_id)
                )
                self.sessions[s.id] = dataclasses.replace(s, purged_at=now)
                n_sessions += 1
        return PurgeCounts(sessions=n_sessions, messages=n_messages)

    def account_feedback(self, account_id: str) -> list[FeedbackRecord]:
        live = InMemorySessions.account_feedback(self, account_id)
        return [f for f in live if f.id not in self.feedback_purged]

    def due_feedback(self, now: datetime, limit: int) -> list[str]:
        due = [
            (at, fid)
            for fid, fb in self.feedback.items()
            if fid not in self.feedback_purged
            and (at := self.feedback_purge_at.get(fid, fb.retain_until)) <= now
        ]
        return [fid for _, fid in sorted(due)][:limit]

    def purge_feedback(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        n = 0
        for fid in ids:
            fb = self.feedback[fid]
            self.tombstones.append(
                Tombstone(
                    "feedback", fid, fb.session_id, fb.account_id, "retention_ended", now, sweep_id
                )
            )
            if fid not in self.feedback_purged:
                self.feedback_purged[fid] = now
                self.feedback[fid] = dataclasses.replace(fb, comment=None)
                n += 1
        return PurgeCounts(feedback=n)

    def due_scores(self, now: datetime, limit: int) -> list[str]:
        due = [
            (until, hid)
            for hid, (scores, until) in self.scores.items()
            if scores is not None and until is not None and until <= now
        ]
        return [hid for _, hid in sorted(due)][:limit]

    def purge_scores(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        n = 0
        for hid in ids:
            session_id = self.holds[hid].session_id
            self.tombstones.append(
                Tombstone("scores", hid, session_id, None, "retention_ended", now, sweep_id)
            )
            if self.scores[hid][0] is not None:
                self.scores[hid] = (None, self.scores[hid][1])
                n += 1
        return PurgeCounts(scores=n)

    def key_scopes(self, kind: str, ids: list[str]) -> list[str]:
        return scopes_of(kind, ids, {})  # the fake's sessions claim no pool key

    def mark_keys_destroyed(self, kind: str, ids: list[str], *, sweep_id: str) -> int:
        item_type = {"sessions": "session", "feedback": "feedback", "scores": "scores"}[kind]
        wanted, n = set(ids), 0
        for i, tomb in enumerate(self.tombstones):
            if tomb.item_type == item_type and tomb.item_id in wanted and tomb.sweep_id == sweep_id:
                self.tombstones[i] = dataclasses.replace(tomb, key_destroyed=True)
                n += 1
        return n


def _conforms_retention(fake: InMemoryRetention) -> RetentionStore:
    return fake  # mypy checks each fake against its port


def _conforms_sweeps(fake: InMemorySweeps) -> SweepLog:
    return fake


def _conforms_purges(fake: InMemoryPurges) -> PurgeStore:
    return fake
