"""A small reference model of SPEC.md, written straight from the rules.

It deliberately imports nothing from ``consentry.domain``: it is an independent
reading of R1–R28 for the default policy, so a test that compares the service with
it checks the code against the spec rather than against itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

DAY = timedelta(days=1)
CONSUMER_PLANS = {"free", "pro", "max"}
COMMERCIAL_SURFACES = {"api", "bedrock", "vertex"}
TERMS_VERSION = "2025-08-28"
DEADLINE = datetime(2025, 10, 8, tzinfo=UTC)  # R6
# Default retention settings (R2, R11–R18), in days.
TRAINING_ON, STANDARD, COMMERCIAL, INCOGNITO = 1825, 30, 30, 30
FEEDBACK, DELETED_GRACE, SAFETY_FLAGGED, SAFETY_SCORES = 1825, 30, 730, 2555


@dataclass
class MAccount:
    id: str
    plan: str
    created_at: datetime
    choices: list[tuple[datetime, str]] = field(default_factory=list)  # (at, on|off)
    history: list[tuple[str, str | None, str]] = field(default_factory=list)  # type, value, src
    deleted_at: datetime | None = None

    @property
    def consumer(self) -> bool:
        return self.plan in CONSUMER_PLANS

    @property
    def training(self) -> str:
        if not self.consumer:
            return "not_applicable"
        return self.choices[-1][1] if self.choices else "unset"

    def choice_at(self, at: datetime) -> str:
        """The latest choice made at or before `at` (R8), else `unset` (R3)."""
        value = "unset"
        for when, choice in self.choices:
            if when <= at:
                value = choice
        return value

    def pending(self) -> bool:
        """R5 with one terms version: pending until the user has chosen."""
        return self.consumer and self.deleted_at is None and not self.choices

    def blocked(self, now: datetime) -> bool:
        """R7: from the deadline on, a pending notice blocks new activity."""
        return self.pending() and now >= DEADLINE


@dataclass
class MHold:
    id: str
    session_id: str
    kind: str
    placed_at: datetime
    released_at: datetime | None = None
    scores: bool = False
    scores_purged: bool = False


@dataclass
class MMessage:
    id: str
    role: str
    content: str
    at: datetime


@dataclass
class MSession:
    id: str
    account_id: str
    kind: str
    surface: str
    incognito: bool
    consumer: bool
    activities: list[tuple[datetime, bool]] = field(default_factory=list)  # (at, covered)
    messages: list[MMessage] = field(default_factory=list)
    deleted_at: datetime | None = None
    purged: bool = False

    def period(self, covered: bool) -> timedelta:
        if not self.consumer:
            return COMMERCIAL * DAY  # R2
        if self.incognito:
            return INCOGNITO * DAY  # R11
        return (TRAINING_ON if covered else STANDARD) * DAY  # R12

    def retain_until(self) -> datetime:
        """R12: the latest activity time + the period that activity earned."""
        return max(at + self.period(covered) for at, covered in self.activities)

    def covered(self) -> bool:
        return any(covered for _, covered in self.activities)  # R10


@dataclass
class MFeedback:
    id: str
    account_id: str
    session_id: str
    at: datetime
    choice_at_submission: str
    deleted_at: datetime | None = None
    purged: bool = False


@dataclass
class MRun:
    id: str
    purpose: str
    cutoff: datetime
    sessions: frozenset[str]
    feedback: frozenset[str]
    started: bool = False


@dataclass
class Model:
    now: datetime
    accounts: dict[str, MAccount] = field(default_factory=dict)
    sessions: dict[str, MSession] = field(default_factory=dict)
    feedback: dict[str, MFeedback] = field(default_factory=dict)
    holds: dict[str, MHold] = field(default_factory=dict)
    runs: dict[str, MRun] = field(default_factory=dict)
    ledger_events: int = 0

    # -- activity ------------------------------------------------------------------
    def activity_covered(self, session: MSession) -> bool:
        """R9: consumer scope, not incognito, and the choice `on` at this instant."""
        account = self.accounts[session.account_id]
        return session.consumer and not session.incognito and account.training == "on"

    def session_scope_consumer(self, account: MAccount, surface: str) -> bool:
        return account.consumer and surface not in COMMERCIAL_SURFACES  # R1

    def choose(self, account: MAccount, value: str, source: str) -> None:
        account.choices.append((self.now, value))
        account.history.append(("choice", value, source))
        self.ledger_events += 1

    def delete_session(self, session: MSession) -> None:
        session.deleted_at = self.now  # R14
        for fb in self.feedback.values():
            if fb.session_id == session.id and fb.deleted_at is None:
                fb.deleted_at = self.now

    def delete_account(self, account: MAccount) -> None:
        """R15: sessions and feedback deleted, a final `off`, credentials revoked."""
        for session in self.sessions.values():
            if session.account_id == account.id and session.deleted_at is None:
                self.delete_session(session)
        for fb in self.feedback.values():
            if fb.account_id == account.id and fb.deleted_at is None:
                fb.deleted_at = self.now
        if account.consumer:
            self.choose(account, "off", "account_deleted")
        account.deleted_at = self.now

    # -- retention (R14, R16, R17) ------------------------------------------------------
    def active_holds(self, session_id: str) -> list[MHold]:
        return [
            h for h in self.holds.values() if h.session_id == session_id and h.released_at is None
        ]

    def session_purge_due(self, session: MSession) -> datetime | None:
        holds = self.active_holds(session.id)
        if any(h.kind == "legal" for h in holds):
            return None  # a legal hold keeps content until released
        due = session.retain_until()
        if session.deleted_at is not None:
            due = min(due, session.deleted_at + DELETED_GRACE * DAY)
        for hold in holds:  # a safety flag keeps content 730 days from the flag
            due = max(due, hold.placed_at + SAFETY_FLAGGED * DAY)
        return due

    def feedback_purge_due(self, fb: MFeedback) -> datetime:
        due = fb.at + FEEDBACK * DAY
        if fb.deleted_at is not None:
            due = min(due, fb.deleted_at + DELETED_GRACE * DAY)
        return due

    def sweep(self) -> tuple[int, int, int, int]:
        """Purge what is due now; returns (sessions, messages, feedback, scores)."""
        n_sessions = n_messages = n_feedback = n_scores = 0
        for session in self.sessions.values():
            if session.purged:
                continue
            due = self.session_purge_due(session)
            if due is not None and due <= self.now:
                session.purged = True
                n_sessions += 1
                n_messages += len(session.messages)
        for fb in self.feedback.values():
            if not fb.purged and self.feedback_purge_due(fb) <= self.now:
                fb.purged = True
                n_feedback += 1
        for hold in self.holds.values():
            expired = hold.placed_at + SAFETY_SCORES * DAY <= self.now
            if hold.scores and not hold.scores_purged and expired:
                hold.scores_purged = True
                n_scores += 1
        return n_sessions, n_messages, n_feedback, n_scores

    # -- eligibility (R20–R23), evaluated at the cutoff T = now ---------------------------
    def session_eligible(self, session: MSession, purpose: str) -> bool:
        account = self.accounts[session.account_id]
        at = self.now
        if not session.consumer or session.incognito:
            return False
        if account.deleted_at is not None or session.deleted_at is not None or session.purged:
            return False
        if session.retain_until() <= at:
            return False  # its retention has ended at T
        flagged = any(
            h.kind == "safety" and h.placed_at <= at for h in self.active_holds(session.id)
        )
        if purpose == "safety_classifiers" and flagged:
            return True  # R22: regardless of choice
        return account.choice_at(at) == "on" and session.covered()

    def feedback_eligible(self, fb: MFeedback) -> bool:
        account = self.accounts[fb.account_id]
        session = self.sessions[fb.session_id]
        at = self.now
        if not session.consumer or session.incognito:
            return False
        if account.deleted_at is not None or fb.deleted_at is not None or fb.purged:
            return False
        if fb.at > at or fb.at + FEEDBACK * DAY <= at:
            return False
        return fb.choice_at_submission == "on" and account.choice_at(at) == "on"  # R23

    def expected_manifest(self, purpose: str) -> tuple[frozenset[str], frozenset[str]]:
        sessions = frozenset(
            s.id for s in self.sessions.values() if self.session_eligible(s, purpose)
        )
        feedback = frozenset(f.id for f in self.feedback.values() if self.feedback_eligible(f))
        return sessions, feedback

    def runs_of(self, account_id: str) -> list[str]:
        """R21: the runs that contain any of this account's sessions or feedback."""
        owned = {s.id for s in self.sessions.values() if s.account_id == account_id}
        given = {f.id for f in self.feedback.values() if f.account_id == account_id}
        return [r.id for r in self.runs.values() if r.sessions & owned or r.feedback & given]

    def readable_sessions(self, account_id: str) -> list[MSession]:
        """What the user can still read: not deleted (R14) and not purged (R17)."""
        return [
            s
            for s in self.sessions.values()
            if s.account_id == account_id and s.deleted_at is None and not s.purged
        ]
