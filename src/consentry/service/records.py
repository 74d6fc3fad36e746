"""Plain records that cross the storage port (not API schemas, not ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consentry.domain.types import (
    Author,
    HoldKind,
    Plan,
    Purpose,
    Rating,
    Role,
    RunStatus,
    Scope,
    SessionKind,
    Surface,
    Training,
)


@dataclass(frozen=True, slots=True)
class AccountRecord:
    id: str
    plan: Plan
    scope: Scope
    created_at: datetime
    training: Training
    terms_accepted: str | None
    choice_at: datetime | None
    deleted_at: datetime | None
    region: str | None = None
    """ISO 3166 code given at sign-up (docs/rules.md P16); None when none was given."""
    auto_delete_months: int | None = None
    """The auto-delete period chosen in months (P12); 0: "until I delete it"; None: never
    chosen. Both of the last keep R12's retention alone."""


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    account_id: str
    kind: SessionKind
    surface: Surface
    incognito: bool
    scope: Scope
    created_at: datetime
    last_activity_at: datetime
    first_covered_at: datetime | None
    retain_until: datetime
    deleted_at: datetime | None
    purge_at: datetime | None
    purged_at: datetime | None


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: str
    session_id: str
    role: Role
    content: str
    at: datetime
    covered: bool
    author: Author
    """Which credential kind wrote it (issue 17 item 7)."""


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    id: str
    account_id: str
    session_id: str
    message_id: str
    rating: Rating
    comment: str | None
    at: datetime
    choice_at_submission: Training
    retain_until: datetime
    deleted_at: datetime | None


@dataclass(frozen=True, slots=True)
class HoldRecord:
    id: str
    session_id: str
    kind: HoldKind
    placed_at: datetime
    released_at: datetime | None


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: str
    purpose: Purpose
    cutoff: datetime
    status: RunStatus
    created_at: datetime
    started_at: datetime | None
    policy_digest: str
    resume_scope: str
    ledger_head: str
    ledger_events: int
    activity_hwm: int
    sessions: int
    messages: int
    feedback: int
    pseudonym_secret: str


@dataclass(frozen=True, slots=True)
class WebSessionRecord:
    """A signed-in browser (issue 17 item 3): stored by the SHA-256 of its cookie id."""

    id_hash: str
    account_id: str | None
    admin_key: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    idle_timeout_s: int


@dataclass(frozen=True, slots=True)
class ServiceTokenRecord:
    """A credential of the assistant's backend (issue 17 item 7); revoked ones stay."""

    id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    sessions: int = 0
    messages: int = 0
    feedback: int = 0
    scores: int = 0

    def __add__(self, other: PurgeCounts) -> PurgeCounts:
        return PurgeCounts(
            self.sessions + other.sessions,
            self.messages + other.messages,
            self.feedback + other.feedback,
            self.scores + other.scores,
        )


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """A stored audit of a run (R26), or of the whole ledger when `run_id` is None (R27)."""

    id: str
    run_id: str | None
    audited_at: datetime
    ledger_head: str
    """The consent ledger's head hash when the audit ran."""
    ledger_events: int
    ok: bool
    checked_sessions: int
    checked_feedback: int
    findings: tuple[dict[str, str], ...]
    """Each as {kind, item_id, problem, detail}."""
