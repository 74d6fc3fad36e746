"""The SQL side of :class:`~consentry.service.ports.ManifestStore`: a run's manifest,
frozen by set-based queries (R20–R23), and the predicates that say which of a manifest
session's messages belong to the run (shared with the export reads).

The manifest is one INSERT … SELECT per item kind inside one consistent read, so it
costs what it touches. Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, literal, or_, select, union, update

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.eligible_sql import eligible_sessions
from consentry.adapters.sql.ledger_tree import store_manifest_tree
from consentry.adapters.sql.run_catalog import opened, run_of_row
from consentry.config.sealing import SecretBox, run_secret_context
from consentry.domain.ids import STAMP_CHARS, stamp
from consentry.domain.ledger import GENESIS
from consentry.domain.policy import AssistantFrom, FeedbackTrainable, Policy
from consentry.domain.types import Author, Purpose, Role, RunStatus, Scope, Training
from consentry.service.ports.runs import ManifestSession
from consentry.service.records import RunRecord

a, f = t.accounts.c, t.feedback.c


def in_runs_past(run_id: str, cutoff: datetime) -> Any:
    """R20: a message belongs to a run when written before its cutoff, or at the cutoff
    instant (a frozen clock) but before the run itself: ids sort in the order they were
    made (`domain.ids`), so the message's stamp is below the run's."""
    m = t.messages.c
    prefix = len("msg_")
    made_first = func.substr(m.id, prefix + 1, STAMP_CHARS) < stamp(run_id)
    return and_(m.at <= cutoff, or_(m.at < cutoff, made_first))


def trainable_message(run_id: str) -> Any:
    """Issue 17 item 7: a run made under `export_assistant_messages_from = "service"`
    (recorded in ``runs.assistant_from``) counts and exports an assistant message only
    when a service token wrote it; under `any`, every message. Runs made before the
    setting existed (NULL) keep every message, as counted."""
    m, r = t.messages.c, t.runs.c
    mode = select(r.assistant_from).where(r.id == run_id).scalar_subquery()
    return or_(
        m.role != Role.ASSISTANT.value,
        m.author == Author.SERVICE.value,
        func.coalesce(mode, AssistantFrom.ANY.value) != AssistantFrom.SERVICE.value,
    )


class SqlManifestStore:
    """Run creation and manifest reads over the unit of work's connection."""

    conn: Connection
    box: SecretBox | None

    def create_run(
        self, *, run_id: str, purpose: Purpose, cutoff: datetime, policy: Policy, secret: str
    ) -> RunRecord:
        """Freeze the manifest of a run at `cutoff` (= now) from the current projections.

        Must run in one transaction with a consistent snapshot (REPEATABLE READ on
        PostgreSQL; SQLite's write lock gives the same). The cutoff is now, so the
        account's current choice is its choice at the cutoff.
        """
        # The consent ledger's head: the last consent event (R27). Earlier runs' own
        # `run_manifest` events carry no consent, and a lake (Spark) sees consent events
        # only by their time, so both paths record the same head (issue 21 item 4).
        ce = t.consent_events.c
        head = self.conn.execute(select(ce.seq, ce.hash).order_by(ce.seq.desc()).limit(1)).first()
        head_seq, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS)
        hwm = self.conn.execute(select(func.coalesce(func.max(t.activities.c.id), 0))).scalar_one()
        self.conn.execute(
            insert(t.runs).values(
                id=run_id,
                purpose=purpose.value,
                cutoff=cutoff,
                status=RunStatus.CREATED.value,
                created_at=cutoff,
                policy_digest=policy.digest,
                resume_scope=policy.resume_scope.value,
                ledger_head=head_hash,
                ledger_events=head_seq,
                activity_hwm=hwm,
                sessions_count=0,
                messages_count=0,
                feedback_count=0,
                pseudonym_secret=opened(self.box).seal(secret, context=run_secret_context(run_id)),
                assistant_from=policy.export_assistant_messages_from.value,
            )
        )
        chosen = eligible_sessions(purpose=purpose, cutoff=cutoff, policy=policy).subquery()
        self.conn.execute(
            insert(t.run_sessions).from_select(
                ["run_id", "session_id", "account_id", "include_from"],
                select(literal(run_id), *chosen.c),
            )
        )
        self._freeze_feedback(run_id, cutoff, policy)
        self._freeze_accounts(run_id)
        # Issue 21: the manifest's Merkle tree, stored with the run, so proofs read it.
        store_manifest_tree(self.conn, run_id)
        self._store_counts(run_id, cutoff)
        return run_of_row(
            self.conn.execute(select(t.runs).where(t.runs.c.id == run_id)).one(), self.box
        )

    def _freeze_feedback(self, run_id: str, cutoff: datetime, policy: Policy) -> None:
        """R23: the feedback a run made at `cutoff` holds, under the policy's rule."""
        fs = t.sessions.alias("fs")
        fb_cond = [
            fs.c.scope == Scope.CONSUMER.value,
            fs.c.incognito.is_(False),
            a.deleted_at.is_(None),
            f.deleted_at.is_(None),
            f.purged_at.is_(None),
            f.at <= cutoff,
            f.retain_until > cutoff,
        ]
        if policy.feedback_trainable is FeedbackTrainable.FOLLOWS_SETTING:
            fb_cond += [
                f.choice_at_submission == Training.ON.value,
                a.training == Training.ON.value,
            ]
        fb_select = (
            select(literal(run_id), f.id, f.account_id)
            .select_from(
                t.feedback.join(fs, fs.c.id == f.session_id).join(t.accounts, a.id == f.account_id)
            )
            .where(*fb_cond)
        )
        self.conn.execute(
            insert(t.run_feedback).from_select(["run_id", "feedback_id", "account_id"], fb_select)
        )

    def _freeze_accounts(self, run_id: str) -> None:
        """The accounts with a session or feedback item in the manifest (R21)."""
        members = union(
            select(t.run_sessions.c.account_id).where(t.run_sessions.c.run_id == run_id),
            select(t.run_feedback.c.account_id).where(t.run_feedback.c.run_id == run_id),
        ).subquery()
        self.conn.execute(
            insert(t.run_accounts).from_select(
                ["run_id", "account_id"], select(literal(run_id), members.c.account_id)
            )
        )

    def _store_counts(self, run_id: str, cutoff: datetime) -> None:
        rs, m = t.run_sessions.c, t.messages.c
        n_sessions = self._count(select(func.count()).where(rs.run_id == run_id))
        n_messages = self._count(
            select(func.count())
            .select_from(t.messages.join(t.run_sessions, rs.session_id == m.session_id))
            .where(
                rs.run_id == run_id,
                m.at <= cutoff,
                or_(rs.include_from.is_(None), m.at >= rs.include_from),
                trainable_message(run_id),
            )
        )
        n_feedback = self._count(select(func.count()).where(t.run_feedback.c.run_id == run_id))
        self.conn.execute(
            update(t.runs)
            .where(t.runs.c.id == run_id)
            .values(sessions_count=n_sessions, messages_count=n_messages, feedback_count=n_feedback)
        )

    def _count(self, query: Any) -> int:
        return int(self.conn.execute(query).scalar_one())

    def manifest_sessions(self, run_id: str) -> list[ManifestSession]:
        rs = t.run_sessions.c
        rows = self.conn.execute(
            select(rs.session_id, rs.account_id, rs.include_from)
            .where(rs.run_id == run_id)
            .order_by(rs.session_id)
        )
        return [ManifestSession(r.session_id, r.account_id, r.include_from) for r in rows]

    def manifest_feedback(self, run_id: str) -> list[str]:
        rf = t.run_feedback.c
        return list(
            self.conn.execute(
                select(rf.feedback_id).where(rf.run_id == run_id).order_by(rf.feedback_id)
            ).scalars()
        )
