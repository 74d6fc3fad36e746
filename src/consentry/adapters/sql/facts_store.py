"""The SQL side of :class:`~consentry.service.ports.FactsStore`: each session's and
feedback item's stored history as it stood when a run was created, the input of the
domain's eligibility function for audits and `explain` (R20, R23, R26).

Every method runs inside the caller's unit of work.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Connection, func, select

from consentry.adapters.sql import tables as t
from consentry.domain.eligibility import FeedbackFacts, SessionFacts
from consentry.domain.ids import stamp
from consentry.domain.retention import AutoDeletePoint
from consentry.domain.types import (
    ActivityFact,
    ChoicePoint,
    EventType,
    HoldFact,
    HoldKind,
    Scope,
    Training,
)

s, a, f, h = t.sessions.c, t.accounts.c, t.feedback.c, t.holds.c


class SqlFactsStore:
    """History reads over the unit of work's connection."""

    conn: Connection

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
                select(
                    t.sessions,
                    a.deleted_at.label("account_deleted_at"),
                    a.region.label("account_region"),  # P21: its rule set's periods
                )
                .join(t.accounts, a.id == s.account_id)
                .where(s.id > last if only is None else s.id == only)
                .order_by(s.id)
                .limit(batch)
            ).all()
            if not rows:
                return
            ids = [r.id for r in rows]
            accounts = {r.account_id for r in rows}
            acts, deleted_seen = self._activities(ids, activity_hwm)
            choices, account_deleted = self._choices(accounts, ledger_seq)
            auto = self._auto_delete(accounts, ledger_seq)
            held = self._holds(ids, after_run)
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
                    auto_delete=tuple(auto[r.account_id]),
                    region=r.account_region,
                )
            if only is not None:
                return
            last = ids[-1]

    def _activities(
        self, ids: list[str], activity_hwm: int
    ) -> tuple[dict[str, list[ActivityFact]], set[str]]:
        """The sessions' activities up to the high-water mark, oldest first, and which
        of them had a `delete` activity by then (R14, R26)."""
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
        return acts, deleted_seen

    def _holds(self, ids: list[str], after_run: str | None) -> dict[str, list[HoldFact]]:
        """The sessions' holds (R16); with `after_run` (a run's id stamp), holds placed
        after the run are left out and releases made after it are undone."""
        held: dict[str, list[HoldFact]] = defaultdict(list)
        for row in self.conn.execute(select(t.holds).where(h.session_id.in_(ids))):
            released_at = row.released_at
            if after_run is not None:
                if stamp(row.id) > after_run:
                    continue
                if row.release_id is not None and stamp(row.release_id) > after_run:
                    released_at = None
            held[row.session_id].append(HoldFact(HoldKind(row.kind), row.placed_at, released_at))
        return held

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

    def _auto_delete(self, accounts: set[str], ledger_seq: int) -> dict[str, list[AutoDeletePoint]]:
        """P12: each account's auto-delete choices up to the ledger position, oldest first."""
        ce = t.consent_events.c
        points: dict[str, list[AutoDeletePoint]] = defaultdict(list)
        for row in self.conn.execute(
            select(ce.account_id, ce.at, ce.auto_delete)
            .where(
                ce.account_id.in_(accounts),
                ce.seq <= ledger_seq,
                ce.type == EventType.AUTO_DELETE.value,
            )
            .order_by(ce.seq)
        ):
            value = row.auto_delete or "off"
            months = None if value == "off" else int(value.removesuffix("m"))
            points[row.account_id].append(AutoDeletePoint(row.at, months))
        return points

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
