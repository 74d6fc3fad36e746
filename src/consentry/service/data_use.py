"""What is true, now, about how a user's session is used for training and kept (issue 18).

The pages label each session and explain a deletion from these answers, so they never
say more or less than the rules do:

- :func:`session_uses` asks the run builder's own eligibility SELECT (R20/R22,
  :mod:`consentry.adapters.sql.eligible_sql`) at the current instant, for all the
  sessions of a list at once, and names the runs whose manifest already holds each (R21);
  :func:`session_uses_by_facts` answers the same one session at a time with
  :func:`~consentry.domain.eligibility.decide_eligibility`, which the audit holds runs to.
- :func:`deletion_outlook` says what deleting a session would leave behind: the runs
  that keep it (R21), when its content is purged (R14) and the holds that keep it
  longer (R16), from :func:`~consentry.domain.retention.purge_due`.
- :func:`first_words` gives the start of each session's first message, for titles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from consentry.domain.eligibility import decide_eligibility
from consentry.domain.errors import NotFound
from consentry.domain.retention import purge_due
from consentry.domain.types import HoldFact, Purpose
from consentry.service.accounts import load_account
from consentry.service.context import Context
from consentry.service.records import HoldRecord, RunRecord


@dataclass(frozen=True)
class SessionUse:
    """One session's training status at `at`."""

    session_id: str
    at: datetime
    runs: tuple[RunRecord, ...]
    """Runs whose manifest holds the session; their data never changes (R21)."""
    eligible_for: tuple[Purpose, ...]
    """Purposes a run created at `at` would include it for (R20, R22)."""

    @property
    def may_be_trained_on(self) -> bool:
        """Eligible now for model training: a run created now would contain it."""
        return Purpose.MODEL_TRAINING in self.eligible_for


@dataclass(frozen=True)
class DeletionOutlook:
    """What deleting one session now would, and would not, do (R14, R16, R21)."""

    session_id: str
    at: datetime
    purge_by: datetime | None
    """When its content is purged at the latest; None while a legal hold stands."""
    reason: str
    """Why that date: ``deleted`` (the grace), ``retention ended``, ``safety hold ended``
    or ``legal hold``."""
    holds: tuple[HoldRecord, ...]
    """Holds active now."""
    runs: tuple[RunRecord, ...]
    """Runs created before now whose manifest holds it: it stays in them (R21)."""


def session_uses(ctx: Context, *, account_id: str, session_ids: list[str]) -> dict[str, SessionUse]:
    """The training status of the account's own sessions among `session_ids`, at now,
    for all of them at once: the run builder's eligibility SELECT (R20/R22), one query
    per purpose, and the runs holding them (R21), one query.

    Another account's session, or one that does not exist, is simply absent.
    """
    now = ctx.clock.now()
    purposes = sorted(ctx.policy.permitted_purposes)
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        eligible = uow.runs.eligible_now(
            account_id, session_ids, purposes=purposes, at=now, policy=ctx.policy
        )
        in_runs = uow.runs.runs_with_sessions(list(eligible))
    return {
        sid: SessionUse(sid, now, tuple(in_runs.get(sid, ())), tuple(eligible[sid]))
        for sid in session_ids
        if sid in eligible
    }


def session_uses_by_facts(
    ctx: Context, *, account_id: str, session_ids: list[str]
) -> dict[str, SessionUse]:
    """:func:`session_uses` decided one session at a time from its full history by
    :func:`~consentry.domain.eligibility.decide_eligibility`, the function the audit
    holds runs to (R26). The single session page uses it, and the tests hold the
    set-based answer to it."""
    now = ctx.clock.now()
    purposes = sorted(ctx.policy.permitted_purposes)
    uses: dict[str, SessionUse] = {}
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        in_runs = uow.runs.runs_with_sessions(session_ids)
        for session_id in session_ids:
            facts = uow.runs.one_session_facts(session_id)
            if facts is None or facts.account_id != account_id:
                continue
            eligible = tuple(
                p
                for p in purposes
                if decide_eligibility(facts, purpose=p, at=now, policy=ctx.policy).eligible
            )
            uses[session_id] = SessionUse(
                session_id, now, tuple(in_runs.get(session_id, ())), eligible
            )
    return uses


def deletion_outlook(ctx: Context, *, account_id: str, session_id: str) -> DeletionOutlook:
    """R14/R16/R21: what stays, and until when, if the account deletes this session now."""
    now = ctx.clock.now()
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        session = uow.store.get_session(session_id)
        if (
            session is None
            or session.account_id != account_id
            or session.deleted_at is not None
            or session.purged_at is not None
        ):
            raise NotFound(f"no session {session_id!r}")
        holds = tuple(h for h in uow.store.session_holds(session_id) if _active(h, now))
        runs = tuple(uow.runs.runs_with_sessions([session_id]).get(session_id, ()))
    decision = purge_due(
        retain_until=session.retain_until,
        deleted_at=now,
        holds=[HoldFact(h.kind, h.placed_at, h.released_at) for h in holds],
        policy=ctx.policy,
        at=now,
    )
    return DeletionOutlook(session_id, now, decision.due_at, decision.reason, holds, runs)


def _active(hold: HoldRecord, at: datetime) -> bool:
    return HoldFact(hold.kind, hold.placed_at, hold.released_at).active_at(at)


def first_words(ctx: Context, *, account_id: str, session_ids: list[str]) -> dict[str, str]:
    """The start of the first message the user wrote in each of their sessions (for
    titles); sessions of another account, and sessions without one, are absent."""
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        return uow.runs.first_user_messages(session_ids, chars=200, account_id=account_id)
