"""Set-based SQL for training runs (R20–R23), the sweeper (R17) and audit facts (R26).

The manifest is one INSERT … SELECT per item kind inside one consistent read; the
sweeper selects due items through partial indexes, so both cost what they touch.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union,
    update,
)

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.eligible_sql import eligible_sessions
from consentry.adapters.sql.ledger_tree import store_manifest_tree
from consentry.config.sealing import SecretBox, SecretUnreadable, run_secret_context
from consentry.domain.eligibility import FeedbackFacts, SessionFacts
from consentry.domain.ids import STAMP_CHARS, stamp
from consentry.domain.policy import AssistantFrom, FeedbackTrainable, Policy
from consentry.domain.types import (
    ActivityFact,
    Author,
    ChoicePoint,
    EventType,
    HoldFact,
    HoldKind,
    Purpose,
    Role,
    RunStatus,
    Scope,
    Training,
)
from consentry.service.records import AuditRecord, PurgeCounts, RunRecord

s, a, f, h = t.sessions.c, t.accounts.c, t.feedback.c, t.holds.c
TOMBSTONE_COLUMNS = [
    "item_type",
    "item_id",
    "session_id",
    "account_id",
    "reason",
    "purged_at",
    "sweep_id",
]


def _run(row: Any, box: SecretBox | None) -> RunRecord:
    m = row._mapping
    return RunRecord(
        id=m["id"],
        purpose=Purpose(m["purpose"]),
        cutoff=m["cutoff"],
        status=RunStatus(m["status"]),
        created_at=m["created_at"],
        started_at=m["started_at"],
        policy_digest=m["policy_digest"],
        resume_scope=m["resume_scope"],
        ledger_head=m["ledger_head"],
        ledger_events=m["ledger_events"],
        activity_hwm=m["activity_hwm"],
        sessions=m["sessions_count"],
        messages=m["messages_count"],
        feedback=m["feedback_count"],
        pseudonym_secret=_box(box).open(m["pseudonym_secret"], context=run_secret_context(m["id"])),
    )


def _box(box: SecretBox | None) -> SecretBox:
    if box is None:
        raise SecretUnreadable(
            "this store was opened without the secret key: runs' keys are sealed"
        )
    return box


def _in_runs_past(run_id: str, cutoff: datetime) -> Any:
    """R20: a message belongs to a run when written before its cutoff, or at the cutoff
    instant (a frozen clock) but before the run itself: ids sort in the order they were
    made (`domain.ids`), so the message's stamp is below the run's."""
    m = t.messages.c
    prefix = len("msg_")
    made_first = func.substr(m.id, prefix + 1, STAMP_CHARS) < stamp(run_id)
    return and_(m.at <= cutoff, or_(m.at < cutoff, made_first))


def _trainable_message(run_id: str) -> Any:
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


class SqlRunStore:
    def __init__(self, conn: Connection, *, box: SecretBox | None = None) -> None:
        self.conn = conn
        self.box = box
        """Seals the runs' pseudonym keys at rest (issue 17 item 5)."""

    # -- run creation (R20–R23) ----------------------------------------------------
    def create_run(
        self, *, run_id: str, purpose: Purpose, cutoff: datetime, policy: Policy, secret: str
    ) -> RunRecord:
        """Freeze the manifest of a run at `cutoff` (= now) from the current projections.

        Must run in one transaction with a consistent snapshot (REPEATABLE READ on
        PostgreSQL; SQLite's write lock gives the same). The cutoff is now, so the
        account's current choice is its choice at the cutoff.
        """
        head_seq, head_hash = self.conn.execute(
            select(t.ledger_head.c.seq, t.ledger_head.c.hash).where(t.ledger_head.c.id == 1)
        ).one()
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
                pseudonym_secret=_box(self.box).seal(secret, context=run_secret_context(run_id)),
                assistant_from=policy.export_assistant_messages_from.value,
            )
        )
        chosen = eligible_sessions(purpose=purpose, cutoff=cutoff, policy=policy).subquery()
        eligible = select(literal(run_id), *chosen.c)
        self.conn.execute(
            insert(t.run_sessions).from_select(
                ["run_id", "session_id", "account_id", "include_from"], eligible
            )
        )
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
        members = union(
            select(t.run_sessions.c.account_id).where(t.run_sessions.c.run_id == run_id),
            select(t.run_feedback.c.account_id).where(t.run_feedback.c.run_id == run_id),
        ).subquery()
        self.conn.execute(
            insert(t.run_accounts).from_select(
                ["run_id", "account_id"], select(literal(run_id), members.c.account_id)
            )
        )
        rs, m = t.run_sessions.c, t.messages.c
        n_sessions = self._count(select(func.count()).where(rs.run_id == run_id))
        n_messages = self._count(
            select(func.count())
            .select_from(t.messages.join(t.run_sessions, rs.session_id == m.session_id))
            .where(
                rs.run_id == run_id,
                m.at <= cutoff,
                or_(rs.include_from.is_(None), m.at >= rs.include_from),
                _trainable_message(run_id),
            )
        )
        n_feedback = self._count(select(func.count()).where(t.run_feedback.c.run_id == run_id))
        # Issue 21: the manifest's Merkle tree, stored with the run, so proofs read it.
        store_manifest_tree(self.conn, run_id)
        self.conn.execute(
            update(t.runs)
            .where(t.runs.c.id == run_id)
            .values(sessions_count=n_sessions, messages_count=n_messages, feedback_count=n_feedback)
        )
        run = self.get_run(run_id)
        assert run is not None
        return run

    def _count(self, query: Any) -> int:
        return int(self.conn.execute(query).scalar_one())

    def get_run(self, run_id: str) -> RunRecord | None:
        row = self.conn.execute(select(t.runs).where(t.runs.c.id == run_id)).first()
        return _run(row, self.box) if row else None

    def list_runs(self) -> list[RunRecord]:
        rows = self.conn.execute(select(t.runs).order_by(t.runs.c.created_at, t.runs.c.id))
        return [_run(r, self.box) for r in rows]

    def set_run_started(self, run_id: str, at: datetime) -> None:
        self.conn.execute(
            update(t.runs)
            .where(t.runs.c.id == run_id)
            .values(status=RunStatus.STARTED.value, started_at=at)
        )

    def manifest_sessions(self, run_id: str) -> list[tuple[str, str, datetime | None]]:
        rs = t.run_sessions.c
        rows = self.conn.execute(
            select(rs.session_id, rs.account_id, rs.include_from)
            .where(rs.run_id == run_id)
            .order_by(rs.session_id)
        )
        return [(r.session_id, r.account_id, r.include_from) for r in rows]

    def manifest_feedback(self, run_id: str) -> list[str]:
        rf = t.run_feedback.c
        return list(
            self.conn.execute(
                select(rf.feedback_id).where(rf.run_id == run_id).order_by(rf.feedback_id)
            ).scalars()
        )

    def runs_for_account(self, account_id: str) -> list[RunRecord]:
        ra = t.run_accounts.c
        rows = self.conn.execute(
            select(t.runs)
            .join(t.run_accounts, ra.run_id == t.runs.c.id)
            .where(ra.account_id == account_id)
            .order_by(t.runs.c.created_at, t.runs.c.id)
        )
        return [_run(r, self.box) for r in rows]

    def runs_with_sessions(self, session_ids: list[str]) -> dict[str, list[RunRecord]]:
        """R21: for each of these sessions, the runs whose manifest holds it, oldest first."""
        rs = t.run_sessions.c
        found: dict[str, list[RunRecord]] = defaultdict(list)
        if not session_ids:
            return found
        rows = self.conn.execute(
            select(t.runs, rs.session_id.label("manifest_session_id"))
            .join(t.run_sessions, rs.run_id == t.runs.c.id)
            .where(rs.session_id.in_(session_ids))
            .order_by(t.runs.c.created_at, t.runs.c.id)
        )
        for row in rows:
            found[row.manifest_session_id].append(_run(row, self.box))
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
        """The account's own sessions among `session_ids` (deleted ones too), each with
        the purposes a run created at `at` would include it for: the run builder's own
        SELECT (R20/R22), one query per purpose for all of them (issue 18)."""
        if not session_ids:
            return {}
        own = self.conn.execute(
            select(s.id).where(s.id.in_(session_ids), s.account_id == account_id)
        ).scalars()
        found: dict[str, list[Purpose]] = {sid: [] for sid in own}
        for purpose in purposes:
            query = eligible_sessions(purpose=purpose, cutoff=at, policy=policy)
            for sid in self.conn.execute(query.where(s.id.in_(list(found)))).scalars():
                found[sid].append(purpose)
        return found

    def first_user_messages(
        self, session_ids: list[str], *, chars: int, account_id: str | None = None
    ) -> dict[str, str]:
        """The start (`chars` characters) of each session's first user message, for the
        pages to title chats by their first words; with `account_id`, only that
        account's sessions (one query for all of them)."""
        if not session_ids:
            return {}
        m = t.messages.c
        wanted: Any = session_ids
        if account_id is not None:
            wanted = select(s.id).where(s.id.in_(session_ids), s.account_id == account_id)
        first = (
            select(m.session_id, func.min(m.at).label("at"))
            .where(m.session_id.in_(wanted), m.role == "user")
            .group_by(m.session_id)
            .subquery()
        )
        rows = self.conn.execute(
            select(m.session_id, func.substr(m.content, 1, chars).label("start"))
            .join(first, and_(m.session_id == first.c.session_id, m.at == first.c.at))
            .where(m.role == "user")
            .order_by(m.session_id, m.id)
        )
        found: dict[str, str] = {}
        for row in rows:
            found.setdefault(row.session_id, row.start)
        return found

    # -- stored audits (R26, R27) -----------------------------------------------------
    def insert_audit(self, record: AuditRecord) -> None:
        self.conn.execute(
            insert(t.audit_results).values(
                id=record.id,
                run_id=record.run_id,
                audited_at=record.audited_at,
                ledger_head=record.ledger_head,
                ledger_events=record.ledger_events,
                ok=record.ok,
                checked_sessions=record.checked_sessions,
                checked_feedback=record.checked_feedback,
                findings=json.dumps(list(record.findings)),
            )
        )

    def latest_audits(self, run_ids: list[str | None]) -> dict[str | None, AuditRecord]:
        """The newest stored audit of each run (None: the newest ledger verification)."""
        ar = t.audit_results.c
        found: dict[str | None, AuditRecord] = {}
        wanted = [r for r in run_ids if r is not None]
        where = [ar.run_id.in_(wanted)] if wanted else []
        if None in run_ids:
            where.append(ar.run_id.is_(None))
        if not where:
            return found
        rows = self.conn.execute(
            select(t.audit_results).where(or_(*where)).order_by(ar.audited_at, ar.id)
        )
        for r in rows:  # oldest first: the newest of each run is written last
            found[r.run_id] = AuditRecord(
                id=r.id,
                run_id=r.run_id,
                audited_at=r.audited_at,
                ledger_head=r.ledger_head,
                ledger_events=r.ledger_events,
                ok=bool(r.ok),
                checked_sessions=r.checked_sessions,
                checked_feedback=r.checked_feedback,
                findings=tuple(json.loads(r.findings)),
            )
        return found

    # -- sweeper (R17) -------------------------------------------------------------
    def due_sessions(self, now: datetime, limit: int) -> list[str]:
        return list(
            self.conn.execute(
                select(s.id)
                .where(s.purged_at.is_(None), s.purge_at <= now)
                .order_by(s.purge_at, s.id)
                .limit(limit)
            ).scalars()
        )

    def purge_sessions(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        """Delete the content of due sessions, keeping tombstones (ids, reason, time)."""
        m = t.messages.c
        reason = case((s.deleted_at.is_not(None), "deleted"), else_="retention_ended")
        stamp = literal(now, t.UTCDateTime())
        self.conn.execute(
            insert(t.tombstones).from_select(
                TOMBSTONE_COLUMNS,
                select(
                    literal("message"),
                    m.id,
                    m.session_id,
                    s.account_id,
                    reason,
                    stamp,
                    literal(sweep_id),
                )
                .select_from(t.messages.join(t.sessions, s.id == m.session_id))
                .where(m.session_id.in_(ids)),
            )
        )
        n_messages = self.conn.execute(delete(t.messages).where(m.session_id.in_(ids))).rowcount
        self.conn.execute(
            insert(t.tombstones).from_select(
                TOMBSTONE_COLUMNS,
                select(
                    literal("session"), s.id, s.id, s.account_id, reason, stamp, literal(sweep_id)
                ).where(s.id.in_(ids), s.purged_at.is_(None)),
            )
        )
        n_sessions = self.conn.execute(
            update(t.sessions).where(s.id.in_(ids), s.purged_at.is_(None)).values(purged_at=now)
        ).rowcount
        return PurgeCounts(sessions=n_sessions, messages=n_messages)

    def due_feedback(self, now: datetime, limit: int) -> list[str]:
        return list(
            self.conn.execute(
                select(f.id)
                .where(f.purged_at.is_(None), f.purge_at <= now)
                .order_by(f.purge_at, f.id)
                .limit(limit)
            ).scalars()
        )

    def purge_feedback(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        self.conn.execute(
            insert(t.tombstones).from_select(
                TOMBSTONE_COLUMNS,
                select(
                    literal("feedback"),
                    f.id,
                    f.session_id,
                    f.account_id,
                    literal("retention_ended"),
                    literal(now, t.UTCDateTime()),
                    literal(sweep_id),
                ).where(f.id.in_(ids)),
            )
        )
        n = self.conn.execute(
            update(t.feedback)
            .where(f.id.in_(ids), f.purged_at.is_(None))
            .values(purged_at=now, comment=None, rating="")
        ).rowcount
        return PurgeCounts(feedback=n)

    def due_scores(self, now: datetime, limit: int) -> list[str]:
        return list(
            self.conn.execute(
                select(h.id)
                .where(h.scores.is_not(None), h.scores_retain_until <= now)
                .order_by(h.scores_retain_until, h.id)
                .limit(limit)
            ).scalars()
        )

    def purge_scores(self, ids: list[str], *, now: datetime, sweep_id: str) -> PurgeCounts:
        self.conn.execute(
            insert(t.tombstones).from_select(
                TOMBSTONE_COLUMNS,
                select(
                    literal("scores"),
                    h.id,
                    h.session_id,
                    literal(None),
                    literal("retention_ended"),
                    literal(now, t.UTCDateTime()),
                    literal(sweep_id),
                ).where(h.id.in_(ids)),
            )
        )
        n = self.conn.execute(update(t.holds).where(h.id.in_(ids)).values(scores=None)).rowcount
        return PurgeCounts(scores=n)

    # -- audit facts (R26) ---------------------------------------------------------
    def one_session_facts(self, session_id: str) -> SessionFacts | None:
        """The full stored history of one session (for `explain`)."""
        hwm = self.conn.execute(select(func.coalesce(func.max(t.activities.c.id), 0))).scalar_one()
        head = self.conn.execute(select(t.ledger_head.c.seq)).scalar_one()
        return next(self.session_facts(ledger_seq=head, activity_hwm=hwm, only=session_id), None)

    def session_facts(
        self,
        *,
        ledger_seq: int,
        activity_hwm: int,
        batch: int = 2000,
        only: str | None = None,
        run_id: str | None = None,
    ) -> Iterator[SessionFacts]:
        """Every session's history as it stood when a run was created, streamed in batches.

        Only consent events up to `ledger_seq` and activities (and deletions) up to
        `activity_hwm` count, so what happened at the same instant after the run does not.
        With `run_id`, neither do holds placed after that run, nor releases made after it:
        hold and release ids sort in the order they were made (`domain.ids`), like the
        run's own id, so what happened at the cutoff instant keeps its order.
        """
        after_run = stamp(run_id) if run_id is not None else None
        last = ""
        while True:
            rows = self.conn.execute(
                select(t.sessions, a.deleted_at.label("account_deleted_at"))
                .join(t.accounts, a.id == s.account_id)
                .where(s.id > last if only is None else s.id == only)
                .order_by(s.id)
                .limit(batch)
            ).all()
            if not rows:
                return
            ids = [r.id for r in rows]
            accounts = {r.account_id for r in rows}
            acts: dict[str, list[ActivityFact]] = defaultdict(list)
            deleted_seen: set[str] = set()
            for row in self.conn.execute(
                select(t.activities)
                .where(t.activities.c.session_id.in_(ids), t.activities.c.id <= activity_hwm)
                .order_by(t.activities.c.id)
            ):
                if row.kind == "delete":
                    deleted_seen.add(row.session_id)
                else:
                    acts[row.session_id].append(ActivityFact(row.at, bool(row.covered)))
            choices, account_deleted = self._choices(accounts, ledger_seq)
            held: dict[str, list[HoldFact]] = defaultdict(list)
            for row in self.conn.execute(select(t.holds).where(h.session_id.in_(ids))):
                released_at = row.released_at
                if after_run is not None:
                    if stamp(row.id) > after_run:
                        continue
                    if row.release_id is not None and stamp(row.release_id) > after_run:
                        released_at = None
                held[row.session_id].append(
                    HoldFact(HoldKind(row.kind), row.placed_at, released_at)
                )
            for r in rows:
                yield SessionFacts(
                    session_id=r.id,
                    account_id=r.account_id,
                    scope=Scope(r.scope),
                    incognito=bool(r.incognito),
                    activities=tuple(acts[r.id]),
                    choices=tuple(choices[r.account_id]),
                    account_deleted_at=account_deleted.get(r.account_id),
                    deleted_at=r.deleted_at if r.id in deleted_seen else None,
                    purged_at=r.purged_at if only is not None else None,
                    holds=tuple(held[r.id]),
                )
            if only is not None:
                return
            last = ids[-1]

    def _choices(
        self, accounts: set[str], ledger_seq: int
    ) -> tuple[dict[str, list[ChoicePoint]], dict[str, datetime]]:
        ce = t.consent_events.c
        choices: dict[str, list[ChoicePoint]] = defaultdict(list)
        deleted: dict[str, datetime] = {}
        for row in self.conn.execute(
            select(ce.account_id, ce.at, ce.value, ce.source)
            .where(
                ce.account_id.in_(accounts),
                ce.seq <= ledger_seq,
                ce.type == EventType.CHOICE.value,
            )
            .order_by(ce.seq)
        ):
            choices[row.account_id].append(ChoicePoint(row.at, Training(row.value)))
            if row.source == "account_deleted":
                deleted[row.account_id] = row.at
        return choices, deleted

    def _deleted_sessions(self, ids: list[str], activity_hwm: int) -> set[str]:
        act = t.activities.c
        return set(
            self.conn.execute(
                select(act.session_id).where(
                    act.session_id.in_(ids), act.kind == "delete", act.id <= activity_hwm
                )
            ).scalars()
        )

    def feedback_facts(
        self,
        *,
        ledger_seq: int,
        activity_hwm: int,
        batch: int = 2000,
        run_id: str | None = None,
    ) -> Iterator[FeedbackFacts]:
        """Feedback as it stood when a run was created (deletions up to the high-water marks).

        With `run_id`, feedback given after that run is left out, even at its cutoff
        instant: feedback ids sort in the order they were made, like the run's.
        """
        after_run = stamp(run_id) if run_id is not None else None
        last = ""
        while True:
            rows = self.conn.execute(
                select(
                    f.id,
                    f.account_id,
                    f.session_id,
                    f.at,
                    f.choice_at_submission,
                    f.deleted_at,
                    f.purged_at,
                    s.scope,
                    s.incognito,
                )
                .join(t.sessions, s.id == f.session_id)
                .where(f.id > last)
                .order_by(f.id)
                .limit(batch)
            ).all()
            if not rows:
                return
            choices, account_deleted = self._choices({r.account_id for r in rows}, ledger_seq)
            gone = self._deleted_sessions([r.session_id for r in rows], activity_hwm)
            for r in rows:
                if after_run is not None and stamp(r.id) > after_run:
                    continue
                deleted = r.session_id in gone or r.account_id in account_deleted
                yield FeedbackFacts(
                    feedback_id=r.id,
                    account_id=r.account_id,
                    scope=Scope(r.scope),
                    incognito=bool(r.incognito),
                    submitted_at=r.at,
                    choice_at_submission=Training(r.choice_at_submission),
                    choices=tuple(choices[r.account_id]),
                    account_deleted_at=account_deleted.get(r.account_id),
                    deleted_at=r.deleted_at if deleted else None,
                )
            last = rows[-1].id

    # -- export reads (R25) ----------------------------------------------------------
    def export_session_window(self, run_id: str, *, after: str, limit: int) -> list[str]:
        """The next `limit` manifest session ids after `after`, in order (export windows)."""
        rs = t.run_sessions.c
        return list(
            self.conn.execute(
                select(rs.session_id)
                .where(rs.run_id == run_id, rs.session_id > after)
                .order_by(rs.session_id)
                .limit(limit)
            ).scalars()
        )

    def export_messages_page(
        self,
        run_id: str,
        *,
        cutoff: datetime,
        sessions: tuple[str, str],
        after: tuple[str, datetime, str] | None,
        limit: int,
    ) -> list[tuple[str, str, str, str, str, str, str, datetime]]:
        """The next `limit` exportable messages of a run's sessions in the inclusive id
        range `sessions`, after the keyset `after`.

        Rows are (session_id, account_id, kind, surface, message_id, role, content, at),
        ordered by (session_id, at, message_id): messages of manifest sessions at or
        before the cutoff and, when the manifest says so, at or after `include_from`.
        The session window bounds what a planner may choose to sort (PostgreSQL sorts
        the window rather than walking the index when its statistics are stale); keyset
        pages keep each read short and its memory bounded by `limit`.
        """
        rs, m = t.run_sessions.c, t.messages.c
        query = (
            select(rs.session_id, rs.account_id, s.kind, s.surface, m.id, m.role, m.content, m.at)
            .select_from(
                t.run_sessions.join(t.messages, m.session_id == rs.session_id).join(
                    t.sessions, s.id == rs.session_id
                )
            )
            .where(
                rs.run_id == run_id,
                rs.session_id.between(*sessions),
                _in_runs_past(run_id, cutoff),
                or_(rs.include_from.is_(None), m.at >= rs.include_from),
                _trainable_message(run_id),
            )
        )
        if after is not None:
            sid, at, mid = after
            query = query.where(
                rs.session_id >= sid,
                or_(
                    rs.session_id > sid,
                    m.at > at,
                    and_(m.at == at, m.id > mid),
                ),
            )
        rows = self.conn.execute(query.order_by(rs.session_id, m.at, m.id).limit(limit))
        return [
            (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])  # plain tuples, not Rows
            for r in rows
        ]

    def export_feedback_page(
        self, run_id: str, *, after: str | None, limit: int
    ) -> list[tuple[str, str, str | None, datetime]]:
        """The next `limit` exportable feedback items (id, rating, comment, at) by id.

        Feedback purged since the run was created is skipped (see `export_unavailable`).
        """
        rf = t.run_feedback.c
        query = (
            select(f.id, f.rating, f.comment, f.at)
            .select_from(t.run_feedback.join(t.feedback, f.id == rf.feedback_id))
            .where(rf.run_id == run_id, f.purged_at.is_(None))
        )
        if after is not None:
            query = query.where(rf.feedback_id > after)
        rows = self.conn.execute(query.order_by(rf.feedback_id).limit(limit))
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def export_unavailable(self, run_id: str) -> tuple[int, int]:
        """(sessions, feedback) of a run's manifest whose content has been purged since."""
        rs, rf = t.run_sessions.c, t.run_feedback.c
        sessions = self._count(
            select(func.count())
            .select_from(t.run_sessions.outerjoin(t.sessions, s.id == rs.session_id))
            .where(rs.run_id == run_id, or_(s.id.is_(None), s.purged_at.is_not(None)))
        )
        feedback = self._count(
            select(func.count())
            .select_from(t.run_feedback.outerjoin(t.feedback, f.id == rf.feedback_id))
            .where(rf.run_id == run_id, or_(f.id.is_(None), f.purged_at.is_not(None)))
        )
        return sessions, feedback

    def export_session_ids(self, run_id: str, *, cutoff: datetime) -> list[str]:
        """Manifest sessions that still have at least one exportable message (for audits)."""
        rs, m = t.run_sessions.c, t.messages.c
        return list(
            self.conn.execute(
                select(rs.session_id)
                .where(
                    rs.run_id == run_id,
                    exists().where(
                        m.session_id == rs.session_id,
                        _in_runs_past(run_id, cutoff),
                        or_(rs.include_from.is_(None), m.at >= rs.include_from),
                        _trainable_message(run_id),
                    ),
                )
                .order_by(rs.session_id)
            ).scalars()
        )

    def export_feedback_ids(self, run_id: str) -> list[str]:
        """Manifest feedback that has not been purged (for audits)."""
        rf = t.run_feedback.c
        return list(
            self.conn.execute(
                select(rf.feedback_id)
                .join(t.feedback, f.id == rf.feedback_id)
                .where(rf.run_id == run_id, f.purged_at.is_(None))
                .order_by(rf.feedback_id)
            ).scalars()
        )
