"""The sessions port: sessions, their activities and messages, and feedback (R6–R13, R23).

Every method runs inside the caller's unit of work and commits or rolls back with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from consentry.service.records import FeedbackRecord, MessageRecord, SessionRecord


class SessionStore(Protocol):
    """Sessions, activities, messages and feedback (R6–R13, R23)."""

    def insert_session(self, session: SessionRecord) -> None:
        """Store a new session with no hold; its purge instant starts at `retain_until`
        (R12). Session ids are unique."""
        ...

    def get_session(self, session_id: str) -> SessionRecord | None:
        """The session, deleted or purged or not; None if there is no such session."""
        ...

    def list_sessions(
        self, account_id: str, *, limit: int, after: str | None = None
    ) -> list[SessionRecord]:
        """Up to `limit` live sessions of the account (not deleted, not purged: R14,
        R17), newest first by (created_at, id); `after` is the last id of the previous
        page (keyset pagination)."""
        ...

    def account_session_ids(self, account_id: str) -> list[str]:
        """Every session id of the account, deleted and purged ones included, oldest first."""
        ...

    def add_activity(self, session_id: str, *, at: datetime, covered: bool, kind: str) -> int:
        """Append an activity row (R10) and return its id. Ids grow with each append,
        so a run's activity high-water mark says which activities it saw (R26)."""
        ...

    def record_activity(
        self, session_id: str, *, at: datetime, covered: bool, retain_until: datetime
    ) -> None:
        """Move the session's projections forward after an activity in one statement:
        last activity, first covered activity when `covered` (R10), retention end (never
        earlier than before, R12) and the purge instant (R14, R16, R17)."""
        ...

    def insert_message(self, message: MessageRecord) -> None:
        """Store a message. Message ids sort in the order they were made (`domain.ids`),
        which decides whether a message at a run's cutoff instant belongs to it (R20)."""
        ...

    def messages(self, session_id: str, *, upto: datetime | None = None) -> list[MessageRecord]:
        """The session's messages ordered by (at, id); with `upto`, only those at or
        before it. Purged sessions have none (R17)."""
        ...

    def get_message(self, message_id: str) -> MessageRecord | None:
        """The message; None if there is no such message (or it was purged)."""
        ...

    def insert_feedback(self, fb: FeedbackRecord) -> None:
        """Store feedback with the account's choice at submission (R23); its purge
        instant starts at its `retain_until`."""
        ...

    def account_feedback(self, account_id: str) -> list[FeedbackRecord]:
        """The account's live feedback (not deleted, not purged), oldest first by (at, id)."""
        ...
