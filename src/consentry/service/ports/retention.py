"""The retention ports: deletion and retention (R12, R14, R18), holds (R16), the
sweeper's purges and its log (R17)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from consentry.service.records import HoldRecord, PurgeCounts


class RetentionStore(Protocol):
    """Deletions and retention changes on sessions and feedback (R12, R14, R18)."""

    def delete_session(self, session_id: str, *, at: datetime, purge_by: datetime) -> int: ...
    def delete_account_sessions(
        self, account_id: str, *, at: datetime, purge_by: datetime
    ) -> int: ...
    def mark_feedback_deleted(
        self, account_id: str, *, at: datetime, purge_by: datetime
    ) -> None: ...
    def shorten_retention(self, account_id: str, *, period_days: int) -> None: ...
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

    def start_sweep(self, sweep_id: str, at: datetime) -> None: ...
    def update_sweep(
        self, sweep_id: str, counts: PurgeCounts, *, finished: datetime | None
    ) -> None: ...
    def recent_sweeps(self, limit: int = 20) -> list[dict[str, Any]]: ...


class PurgeStore(Protocol):
    """The sweeper's due items and their purges (R17)."""

    def due_sessions(self, now: datetime, limit: int) -> list[str]: ...
    def purge_sessions(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts: ...
    def due_feedback(self, now: datetime, limit: int) -> list[str]: ...
    def purge_feedback(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts: ...
    def due_scores(self, now: datetime, limit: int) -> list[str]: ...
    def purge_scores(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts: ...
