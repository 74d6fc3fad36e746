"""In-memory run ports (issue 20): :class:`RunCatalog`, :class:`ManifestStore`,
:class:`DataUseReads` and :class:`ExportReads` over the fakes' dictionaries.

A run's manifest is decided by the domain's eligibility functions over each item's
history at the cutoff (the fake's one definition); the SQL adapter decides it with a
set-based query, and tests/integration and the eligibility property test hold the two
equal. Messages belong to a run when written before the cutoff, or at it but made before
the run (ids sort by creation, R20)."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime

from consentry.domain.eligibility import decide_eligibility, decide_feedback_eligibility
from consentry.domain.ids import new_id, stamp
from consentry.domain.ledger import GENESIS, ConsentEvent
from consentry.domain.policy import AssistantFrom, Policy
from consentry.domain.run_manifest import (
    ManifestTree,
    RunManifestEvent,
    build_manifest_tree,
    manifest_entry,
)
from consentry.domain.types import Author, Purpose, Role, RunStatus
from consentry.service.ledger_ports import ManifestItem
from consentry.service.ports import (
    DataUseReads,
    ExportFeedbackRow,
    ExportMessageRow,
    ExportReads,
    ExportUnavailable,
    ManifestSession,
    ManifestStore,
    RunCatalog,
)
from consentry.service.records import AuditRecord, MessageRecord, RunRecord
from tests.unit.service.fakes_facts import InMemoryFacts


class InMemoryRuns(InMemoryFacts):
    """Runs, their frozen manifests and stored audits, and the reads over them."""

    def __init__(self) -> None:
        InMemoryFacts.__init__(self)
        self.runs: dict[str, RunRecord] = {}
        self.assistant_from: dict[str, AssistantFrom] = {}
        self.run_sessions: dict[str, list[ManifestSession]] = {}
        self.run_feedback: dict[str, list[tuple[str, str]]] = {}
        self.audits: list[AuditRecord] = []

    # -- RunCatalog --------------------------------------------------------------------

    def get_run(self, run_id: str) -> RunRecord | None:
        return self.runs.get(run_id)

    def list_runs(self) -> list[RunRecord]:
        return sorted(self.runs.values(), key=lambda r: (r.created_at, r.id))

    def set_run_started(self, run_id: str, at: datetime) -> None:
        run = self.runs[run_id]
        self.runs[run_id] = dataclasses.replace(run, status=RunStatus.STARTED, started_at=at)

    def runs_for_account(self, account_id: str) -> list[RunRecord]:
        return [run for run in self.list_runs() if account_id in self._run_accounts(run.id)]

    def _run_accounts(self, run_id: str) -> set[str]:
        return {m.account_id for m in self.run_sessions[run_id]} | {
            account for _, account in self.run_feedback[run_id]
        }

    def insert_audit(self, record: AuditRecord) -> None:
        self.audits.append(record)

    def latest_audits(self, run_ids: list[str | None]) -> dict[str | None, AuditRecord]:
        latest: dict[str | None, AuditRecord] = {}
        for audit in sorted(self.audits, key=lambda a: (a.audited_at, a.id)):
            if audit.run_id in run_ids:
                latest[audit.run_id] = audit
        return latest

    # -- ManifestStore -----------------------------------------------------------------

    def create_run(
        self, *, run_id: str, purpose: Purpose, cutoff: datetime, policy: Policy, secret: str
    ) -> RunRecord:
        seq, hwm = len(self.events), len(self.activities)
        chosen = []
        for session_id in sorted(self.sessions):
            facts = self.facts_of(
                self.sessions[session_id], ledger_seq=seq, activity_hwm=hwm, with_purge=True
            )
            decision = decide_eligibility(facts, purpose=purpose, at=cutoff, policy=policy)
            if decision.eligible:
                chosen.append(ManifestSession(session_id, facts.account_id, decision.include_from))
        feedback = []
        for feedback_id in sorted(self.feedback):
            fb = self.feedback[feedback_id]
            fb_facts = self.feedback_facts_of(fb, ledger_seq=seq, activity_hwm=hwm, with_purge=True)
            verdict = decide_feedback_eligibility(
                fb_facts, purpose=purpose, at=cutoff, policy=policy
            )
            if verdict.eligible:
                feedback.append((feedback_id, fb.account_id))
        self.run_sessions[run_id], self.run_feedback[run_id] = chosen, feedback
        self.assistant_from[run_id] = policy.export_assistant_messages_from
        messages = sum(len(self._run_messages(run_id, m, cutoff)) for m in chosen)
        # R27: the consent ledger's head is its last consent event; the run's own event
        # (issue 21 item 4) chains to the true head.
        consent = [e for e in self.events if isinstance(e, ConsentEvent)]
        head_seq, head_hash = (consent[-1].seq, consent[-1].hash) if consent else (0, GENESIS)
        self.runs[run_id] = RunRecord(
            id=run_id,
            purpose=purpose,
            cutoff=cutoff,
            status=RunStatus.CREATED,
            created_at=cutoff,
            started_at=None,
            policy_digest=policy.digest,
            resume_scope=policy.resume_scope.value,
            ledger_head=head_hash,
            ledger_events=head_seq,
            activity_hwm=hwm,
            sessions=len(chosen),
            messages=messages,
            feedback=len(feedback),
            pseudonym_secret=secret,
        )
        self._append_run_event(self.runs[run_id])
        return self.runs[run_id]

    def manifest_items(self, run_id: str) -> list[ManifestItem]:
        """The run's manifest with its evidence (`LedgerTreeStore.run_manifest`)."""
        sessions = [
            ManifestItem("session", m.session_id, m.account_id, m.include_from)
            for m in self.manifest_sessions(run_id)
        ]
        feedback = [
            ManifestItem("feedback", fid, account, None)
            for fid, account in self.run_feedback.get(run_id, [])
        ]
        return sessions + feedback

    def manifest_tree_of(self, run_id: str) -> ManifestTree:
        """The Merkle tree over the run's manifest entries (issue 21)."""
        return build_manifest_tree(
            (
                item.item_id,
                manifest_entry(
                    run_id=run_id,
                    kind=item.kind,
                    item_id=item.item_id,
                    account_id=item.account_id,
                    include_from=item.include_from,
                ),
            )
            for item in self.manifest_items(run_id)
        )

    def _append_run_event(self, run: RunRecord) -> None:
        """The run's `run_manifest` event, chained after the ledger's true head."""
        tree = self.manifest_tree_of(run.id)
        seq = len(self.events) + 1
        prev = self.events[-1].hash if self.events else GENESIS
        event = RunManifestEvent(
            seq,
            new_id("evt"),
            run.created_at,
            run.id,
            run.purpose.value,
            run.cutoff,
            tree.size,
            tree.root,
            prev,
            "",
        )
        digest = hashlib.sha256(event.entry()).hexdigest()
        self.events.append(dataclasses.replace(event, hash=digest))

    def _run_messages(
        self, run_id: str, item: ManifestSession, cutoff: datetime
    ) -> list[MessageRecord]:
        """The session's messages in the run: in its past (R20), from `include_from` on
        (R22), assistant ones as the run's policy allows (issue 17 item 7)."""
        mode = self.assistant_from[run_id]
        return [
            m
            for m in self.messages(item.session_id, upto=cutoff)
            if (m.at < cutoff or stamp(m.id) < stamp(run_id))
            and (item.include_from is None or m.at >= item.include_from)
            and (
                m.role is not Role.ASSISTANT
                or m.author is Author.SERVICE
                or mode is not AssistantFrom.SERVICE
            )
        ]

    def manifest_sessions(self, run_id: str) -> list[ManifestSession]:
        return sorted(self.run_sessions.get(run_id, []), key=lambda m: m.session_id)

    def manifest_feedback(self, run_id: str) -> list[str]:
        return sorted(fid for fid, _ in self.run_feedback.get(run_id, []))

    # -- DataUseReads ------------------------------------------------------------------

    def runs_with_sessions(self, session_ids: list[str]) -> dict[str, list[RunRecord]]:
        found: dict[str, list[RunRecord]] = {}
        for run in self.list_runs():
            for item in self.run_sessions[run.id]:
                if item.session_id in session_ids:
                    found.setdefault(item.session_id, []).append(run)
        return found

    def eligible_now(
        self,
        account_id: str,
        session_ids: list[str],
        *,
        purposes: list[Purpose],
        at: datetime,
        policy: Policy,
    ) -> dict[str, list[Purpose]]:
        seq, hwm = len(self.events), len(self.activities)
        found: dict[str, list[Purpose]] = {}
        for session_id in session_ids:
            s = self.sessions.get(session_id)
            if s is None or s.account_id != account_id:
                continue
            facts = self.facts_of(s, ledger_seq=seq, activity_hwm=hwm, with_purge=True)
            found[session_id] = [
                p
                for p in purposes
                if decide_eligibility(facts, purpose=p, at=at, policy=policy).eligible
            ]
        return found

    def first_user_messages(
        self, session_ids: list[str], *, chars: int, account_id: str | None = None
    ) -> dict[str, str]:
        found: dict[str, str] = {}
        for session_id in session_ids:
            s = self.sessions.get(session_id)
            if s is None or account_id not in (None, s.account_id):
                continue
            users = [m for m in self.messages(session_id) if m.role is Role.USER]
            if users:
                found[session_id] = users[0].content[:chars]
        return found

    # -- ExportReads -------------------------------------------------------------------

    def export_session_window(self, run_id: str, *, after: str, limit: int) -> list[str]:
        ids = [m.session_id for m in self.manifest_sessions(run_id) if m.session_id > after]
        return ids[:limit]

    def export_messages_page(
        self,
        run_id: str,
        *,
        cutoff: datetime,
        sessions: tuple[str, str],
        after: tuple[str, datetime, str] | None,
        limit: int,
    ) -> list[ExportMessageRow]:
        rows = []
        for item in self.manifest_sessions(run_id):
            if not sessions[0] <= item.session_id <= sessions[1]:
                continue
            s = self.sessions[item.session_id]
            for m in self._run_messages(run_id, item, cutoff):
                key = (s.id, m.at, m.id)
                if after is None or key > after:
                    rows.append(
                        ExportMessageRow(
                            s.id, s.account_id, s.kind, s.surface, m.id, m.role, m.content, m.at
                        )
                    )
        return rows[:limit]

    def export_feedback_page(
        self, run_id: str, *, after: str | None, limit: int
    ) -> list[ExportFeedbackRow]:
        rows = [
            ExportFeedbackRow(fid, fb.rating, fb.comment, fb.at)
            for fid in self.export_feedback_ids(run_id)
            if after is None or fid > after
            for fb in [self.feedback[fid]]
        ]
        return rows[:limit]

    def export_unavailable(self, run_id: str) -> ExportUnavailable:
        sessions = sum(
            1
            for m in self.run_sessions[run_id]
            if m.session_id not in self.sessions or self.sessions[m.session_id].purged_at
        )
        feedback = sum(
            1
            for fid, _ in self.run_feedback[run_id]
            if fid not in self.feedback or fid in self.feedback_purged
        )
        return ExportUnavailable(sessions, feedback)

    def export_session_ids(self, run_id: str, *, cutoff: datetime) -> list[str]:
        return [
            m.session_id
            for m in self.manifest_sessions(run_id)
            if self._run_messages(run_id, m, cutoff)
        ]

    def export_feedback_ids(self, run_id: str) -> list[str]:
        return [f for f in self.manifest_feedback(run_id) if f not in self.feedback_purged]


def _conforms_catalog(fake: InMemoryRuns) -> RunCatalog:
    return fake  # mypy checks each fake against its port


def _conforms_manifest(fake: InMemoryRuns) -> ManifestStore:
    return fake


def _conforms_data_use(fake: InMemoryRuns) -> DataUseReads:
    return fake


def _conforms_export(fake: InMemoryRuns) -> ExportReads:
    return fake
