"""The run ports: the run catalog and stored audits, manifests (R20–R23), the data-use
reads of the pages (issue 18), audit facts (R26) and export reads (R25).

Every method runs inside the caller's unit of work. Rows are frozen, slotted dataclasses
(`service/records.py` and the rows below) or, for the export's per-message rows, named
tuples; all are read by attribute.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol

from consentry.domain.eligibility import FeedbackFacts, SessionFacts
from consentry.domain.policy import Policy
from consentry.domain.types import Purpose
from consentry.service.records import AuditRecord, RunRecord


@dataclass(frozen=True, slots=True)
class ManifestSession:
    """A session in a run's manifest (R21); `include_from` is set when only messages
    from the first covered activity on belong to the run (R10, R22)."""

    session_id: str
    account_id: str
    include_from: datetime | None


class ExportMessageRow(NamedTuple):
    """One exportable message with its session's facts (R25). A named tuple, not a frozen
    dataclass like the other rows: an export builds one per message (two with
    crypto-shredding on, the opened row), and a frozen dataclass's ``__init__`` sets each
    field through ``object.__setattr__``: 2.9 us a row against the 3.4 us of opening its
    text (issue 26, measured in place)."""

    session_id: str
    account_id: str
    kind: str
    surface: str
    message_id: str
    role: str
    content: str
    at: datetime


class ExportFeedbackRow(NamedTuple):
    """One exportable feedback item (R25); nothing links it to a session (R13). A named
    tuple, as :class:`ExportMessageRow`."""

    feedback_id: str
    rating: str
    comment: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ExportUnavailable:
    """How many of a run's manifest items have been purged since it was created."""

    sessions: int
    feedback: int


class RunCatalog(Protocol):
    """Run rows and the stored audit results (R21, R26, R27)."""

    def get_run(self, run_id: str) -> RunRecord | None:
        """The run with its pseudonym key opened; None if unknown. Raises
        `SecretUnreadable` when the store was opened without the secret key."""
        ...

    def list_runs(self) -> list[RunRecord]:
        """Every run, oldest first by (created_at, id)."""
        ...

    def set_run_started(self, run_id: str, at: datetime) -> None:
        """Mark the run started at `at`; the caller checks it was only created (R21)."""
        ...

    def runs_for_account(self, account_id: str) -> list[RunRecord]:
        """The runs whose manifest holds a session or feedback item of the account,
        oldest first (the account's data-use view and data export)."""
        ...

    def insert_audit(self, record: AuditRecord) -> None:
        """Store an audit result (R26), or a ledger verification when `run_id` is None (R27)."""
        ...

    def latest_audits(self, run_ids: list[str | None]) -> dict[str | None, AuditRecord]:
        """The newest stored audit of each of these runs (key None: the newest ledger
        verification); runs never audited are absent."""
        ...


class ManifestStore(Protocol):
    """Run creation: the manifest frozen by set-based queries, and its reads (R20–R23)."""

    def create_run(
        self, *, run_id: str, purpose: Purpose, cutoff: datetime, policy: Policy, secret: str
    ) -> RunRecord:
        """Create the run and freeze its manifest at `cutoff` (= now): eligible sessions
        (R20, R22), eligible feedback (R23), their accounts, the manifest's Merkle tree
        and the counts, with the ledger head and activity high-water mark it saw (R26).
        The caller's transaction must read one snapshot (`barrier=True`)."""
        ...

    def manifest_sessions(self, run_id: str) -> list[ManifestSession]:
        """The run's manifest sessions, by session id."""
        ...

    def manifest_feedback(self, run_id: str) -> list[str]:
        """The run's manifest feedback ids, in order."""
        ...


class DataUseReads(Protocol):
    """What the account's data-use pages show (issue 18)."""

    def runs_with_sessions(self, session_ids: list[str]) -> dict[str, list[RunRecord]]:
        """R21: for each of these sessions held by some manifest, those runs, oldest first."""
        ...

    def eligible_now(
        self,
        account_id: str,
        session_ids: list[str],
        *,
        purposes: list[Purpose],
        at: datetime,
        policy: Policy,
    ) -> dict[str, list[Purpose]]:
        """The account's own sessions among `session_ids` (others' are left out), each
        with the purposes a run created at `at` would include it for: the run builder's
        own query (R20, R22), so the page and the run cannot disagree."""
        ...

    def first_user_messages(
        self, session_ids: list[str], *, chars: int, account_id: str | None = None
    ) -> dict[str, str]:
        """The first `chars` characters of each session's first user message (chat
        titles); with `account_id`, only that account's sessions."""
        ...


class FactsStore(Protocol):
    """Stored histories as they stood when a run was created: the input of the domain's
    eligibility function for audits and `explain` (R20, R23, R26)."""

    def one_session_facts(self, session_id: str) -> SessionFacts | None:
        """The full stored history of one session, as of now (for `explain`)."""
        ...

    def session_facts(
        self,
        *,
        ledger_seq: int,
        activity_hwm: int,
        batch: int = 2000,
        only: str | None = None,
        run_id: str | None = None,
    ) -> Iterator[SessionFacts]:
        """Every session's history by id, streamed in batches: consent events up to
        `ledger_seq`, activities and deletions up to `activity_hwm`; with `run_id`, no
        hold placed or released after that run (ids sort in the order they were made)."""
        ...

    def feedback_facts(
        self,
        *,
        ledger_seq: int,
        activity_hwm: int,
        batch: int = 2000,
        run_id: str | None = None,
    ) -> Iterator[FeedbackFacts]:
        """Every feedback item's history by id, under the same high-water marks; with
        `run_id`, feedback given after that run is left out."""
        ...


class ExportReads(Protocol):
    """The keyset pages a training export reads a run's manifest through (R25); each
    page is a short read, its memory bounded by `limit`."""

    def export_session_window(self, run_id: str, *, after: str, limit: int) -> list[str]:
        """The next `limit` manifest session ids after `after`, in order."""
        ...

    def export_messages_page(
        self,
        run_id: str,
        *,
        cutoff: datetime,
        sessions: tuple[str, str],
        after: tuple[str, datetime, str] | None,
        limit: int,
    ) -> list[ExportMessageRow]:
        """The next `limit` messages of the manifest sessions in the inclusive id range
        `sessions`, after the keyset (session_id, at, message_id) `after`, ordered by it:
        those in the run's past (R20), from `include_from` on (R22), and assistant
        messages only as the run's policy allows (issue 17 item 7)."""
        ...

    def export_feedback_page(
        self, run_id: str, *, after: str | None, limit: int
    ) -> list[ExportFeedbackRow]:
        """The next `limit` unpurged manifest feedback items after id `after`, by id."""
        ...

    def export_unavailable(self, run_id: str) -> ExportUnavailable:
        """How many manifest sessions and feedback items have been purged since (R17)."""
        ...

    def export_session_ids(self, run_id: str, *, cutoff: datetime) -> list[str]:
        """Manifest sessions that still have an exportable message, in order (audits)."""
        ...

    def export_feedback_ids(self, run_id: str) -> list[str]:
        """Manifest feedback that has not been purged, in order (audits)."""
        ...
