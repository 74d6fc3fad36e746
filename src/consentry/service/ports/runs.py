"""The run ports: the run catalog and stored audits, manifests (R20–R23), the data-use
reads of the pages (issue 18), audit facts (R26) and export reads (R25)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from consentry.domain.eligibility import FeedbackFacts, SessionFacts
from consentry.domain.policy import Policy
from consentry.domain.types import Purpose
from consentry.service.records import AuditRecord, RunRecord


class RunCatalog(Protocol):
    """Run rows and the stored audit results (R21, R26)."""

    def get_run(self, run_id: str) -> RunRecord | None: ...
    def list_runs(self) -> list[RunRecord]: ...
    def set_run_started(self, run_id: str, at: datetime) -> None: ...
    def runs_for_account(self, account_id: str) -> list[RunRecord]: ...
    def insert_audit(self, record: AuditRecord) -> None: ...
    def latest_audits(self, run_ids: list[str | None]) -> dict[str | None, AuditRecord]: ...


class ManifestStore(Protocol):
    """Run creation: the manifest frozen by set-based queries, and its reads (R20–R23)."""

    def create_run(
        self, *, run_id: str, purpose: Purpose, cutoff: datetime, policy: Policy, secret: str
    ) -> RunRecord: ...
    def manifest_sessions(self, run_id: str) -> list[tuple[str, str, datetime | None]]: ...
    def manifest_feedback(self, run_id: str) -> list[str]: ...


class DataUseReads(Protocol):
    """What the account's data-use pages show (issue 18)."""

    def runs_with_sessions(self, session_ids: list[str]) -> dict[str, list[RunRecord]]: ...
    def eligible_now(
        self,
        account_id: str,
        session_ids: list[str],
        *,
        purposes: list[Purpose],
        at: datetime,
        policy: Policy,
    ) -> dict[str, list[Purpose]]: ...
    def first_user_messages(
        self, session_ids: list[str], *, chars: int, account_id: str | None = None
    ) -> dict[str, str]: ...


class FactsStore(Protocol):
    """Stored histories as they stood when a run was created (R26)."""

    def one_session_facts(self, session_id: str) -> SessionFacts | None: ...
    def session_facts(
        self,
        *,
        ledger_seq: int,
        activity_hwm: int,
        batch: int = 2000,
        only: str | None = None,
        run_id: str | None = None,
    ) -> Iterator[SessionFacts]: ...
    def feedback_facts(
        self,
        *,
        ledger_seq: int,
        activity_hwm: int,
        batch: int = 2000,
        run_id: str | None = None,
    ) -> Iterator[FeedbackFacts]: ...


class ExportReads(Protocol):
    """The keyset pages a training export reads (R25)."""

    def export_session_window(self, run_id: str, *, after: str, limit: int) -> list[str]: ...
    def export_messages_page(
        self,
        run_id: str,
        *,
        cutoff: datetime,
        sessions: tuple[str, str],
        after: tuple[str, datetime, str] | None,
        limit: int,
    ) -> list[tuple[str, str, str, str, str, str, str, datetime]]: ...
    def export_feedback_page(
        self, run_id: str, *, after: str | None, limit: int
    ) -> list[tuple[str, str, str | None, datetime]]: ...
    def export_unavailable(self, run_id: str) -> tuple[int, int]: ...
    def export_session_ids(self, run_id: str, *, cutoff: datetime) -> list[str]: ...
    def export_feedback_ids(self, run_id: str) -> list[str]: ...
