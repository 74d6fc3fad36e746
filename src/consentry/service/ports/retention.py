"""The retention ports: deletion and retention (R12, R14, R18), holds (R16), the
sweeper's purges and its log (R17).

Every method runs inside the caller's unit of work and commits or rolls back with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from consentry.service.records import HoldRecord, PurgeCounts


@dataclass(frozen=True, slots=True)
class SweepRecord:
    """One sweeper pass (R17): when it started and finished (None while running or
    after a crash) and what it purged so far."""

    id: str
    started_at: datetime
    finished_at: datetime | None
    purged: PurgeCounts


class RetentionStore(Protocol):
    """Deletions and retention changes on sessions and feedback (R12, R14, R18).

    Each write recomputes the stored purge instant of what it touched in the same
    transaction, so the sweeper's due items (:class:`PurgeStore`) follow at once."""

    def delete_session(self, session_id: str, *, at: datetime, purge_by: datetime) -> int:
        """R14: mark the session and its feedback deleted at `at`, to be purged no later
        than `purge_by` (holds may keep it longer, R16), and append one `delete`
        activity for audits (R26). Returns 1, or 0 when it was already deleted."""
        ...

    def delete_account_sessions(self, account_id: str, *, at: datetime, purge_by: datetime) -> int:
        """:meth:`delete_session` for every not yet deleted session of the account
        (account deletion, R15); returns how many were deleted now."""
        ...

    def mark_feedback_deleted(self, account_id: str, *, at: datetime, purge_by: datetime) -> None:
        """Mark the account's not yet deleted feedback deleted at `at`, purged at the
        earlier of its retention end and `purge_by` (R14, R15)."""
        ...

    def shorten_retention(self, account_id: str, *, period_days: int) -> None:
        """R18 `shorten`: each consumer, non-incognito, unpurged session of the account
        now keeps `period_days` from its last activity; purge instants follow."""
        ...

    def cap_retention(self, account_id: str, *, months: int) -> None:
        """P13: every not yet purged session of the account keeps content until at most
        its last activity + `months` calendar months (never later than it was), with its
        purge instant recomputed, in the caller's transaction."""
        ...


class HoldStore(Protocol):
    """Holds on a session's content (R16), the first concept split out of :class:`Store`
    (issue 20). Rows are :class:`~consentry.service.records.HoldRecord` (frozen); every
    method runs inside the caller's unit of work and commits with it.
    `tests/unit/service/fakes.py` holds an in-memory implementation."""

    def insert_hold(
        self, hold: HoldRecord, *, scores: dict[str, float] | None, scores_until: datetime | None
    ) -> None:
        """Store a new hold. A safety hold may carry classifier scores, kept until
        `scores_until` (R16: `retention.safety_scores`), even after its session's content
        is purged. Hold ids are unique; they sort in the order holds were placed."""
        ...

    def get_hold(self, hold_id: str) -> HoldRecord | None:
        """The hold, released or not; None if there is no such hold."""
        ...

    def release_hold(self, hold_id: str, at: datetime, *, release_id: str) -> None:
        """Mark the hold released at `at`. `release_id` sorts with run ids, so an audit
        knows whether a run created at the same instant saw the hold (R26)."""
        ...

    def session_holds(self, session_id: str) -> list[HoldRecord]:
        """Every hold ever placed on the session, released ones included, oldest first."""
        ...

    def set_hold_state(self, session_id: str, *, legal: bool, keep_until: datetime | None) -> None:
        """Project the active holds onto the session: `legal` stops its purge entirely;
        `keep_until` (the end of the latest safety hold) pushes its purge back (R16, R17).
        The session's purge instant is recomputed in the same transaction."""
        ...


class SweepLog(Protocol):
    """The record of each sweeper pass (R17)."""

    def start_sweep(self, sweep_id: str, at: datetime) -> None:
        """Record a pass that started at `at`, with nothing purged yet."""
        ...

    def update_sweep(
        self, sweep_id: str, counts: PurgeCounts, *, finished: datetime | None
    ) -> None:
        """Set the pass's running totals to `counts`; with `finished`, mark it done.
        Each batch commits its purges and this update together."""
        ...

    def recent_sweeps(self, limit: int = 20) -> list[SweepRecord]:
        """The `limit` most recently started passes, newest first (ties by id)."""
        ...


class PurgeStore(Protocol):
    """The sweeper's due items and their purges (R17).

    `due_*` read through partial indexes, oldest due first, so a pass costs what it
    touches; `purge_*` delete content and leave a tombstone per item (kind, id, session,
    account, reason, instant, sweep id), in the caller's transaction."""

    def due_sessions(self, now: datetime, limit: int) -> list[str]:
        """Up to `limit` unpurged sessions whose purge instant is at or before `now`,
        by (purge_at, id). A session under a legal hold has none, so is never due (R16)."""
        ...

    def purge_sessions(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        """Delete the messages of these sessions and mark them purged at `now`, with a
        tombstone per message and session (reason `deleted` or `retention_ended`).
        Already purged sessions are not counted again."""
        ...

    def due_feedback(self, now: datetime, limit: int) -> list[str]:
        """Up to `limit` unpurged feedback items due at or before `now`, by (purge_at, id)."""
        ...

    def purge_feedback(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        """Clear these items' rating and comment and mark them purged, with tombstones."""
        ...

    def due_scores(self, now: datetime, limit: int) -> list[str]:
        """Up to `limit` holds whose classifier scores are kept until at or before `now`
        (R16 `retention.safety_scores`), by (scores_retain_until, id)."""
        ...

    def purge_scores(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        """Drop these holds' scores (the holds stay), with tombstones."""
        ...

    def key_scopes(self, kind: str, ids: list[str]) -> list[str]:
        """Issue 26: the data-key scopes a purge of these items destroys (a session's
        claimed pool key, ``sessions.key_id``, and ``session:<id>``:
        :func:`consentry.service.keys.scopes_of`); read before the purge."""
        ...

    def mark_keys_destroyed(self, kind: str, ids: list[str], *, sweep_id: str) -> int:
        """Issue 26: record on the tombstones of this sweep that the data keys of these
        items were destroyed (`kind`: sessions, feedback or scores; a session's tombstone
        speaks for its messages). One indexed update per item; returns how many."""
        ...
