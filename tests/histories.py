"""Random consent histories, played through the service layer, for the property tests that
hold the four forms of eligibility equal (issue 20): the domain function, the run
builder's SQL, the stored purge instant (`purge_at_expr`) and the Spark rules.

A history is a few accounts (consumer or commercial plans, training on or off at sign-up)
and a list of steps, each after a wait: change the choice, start a session (any surface,
incognito or not), write in one, delete one, place or release a hold, delete an account,
run the sweeper. Steps that the rules refuse (a blocked write, a commercial account's
choice, a hold on purged content) are refused by the service and change nothing, as in
production. The policy is drawn too, with short retention periods, so that retention
ends, deletions pass their grace and sweeps purge inside one history.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import Engine, select

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.eligible_sql import eligible_sessions
from consentry.domain.clock import TestClock
from consentry.domain.eligibility import decide_eligibility
from consentry.domain.errors import ConsentryError
from consentry.domain.policy import (
    DEFAULT_POLICY,
    AutoDeletePolicy,
    GpcMode,
    JurisdictionPolicy,
    OnOptOut,
    Policy,
    ResumeScope,
    RetentionPolicy,
    RuleSet,
    SignupPreset,
)
from consentry.domain.retention import purge_due, retain_until
from consentry.domain.types import Author, Purpose
from consentry.service import accounts, auto_delete, retention, sessions
from consentry.service.context import Context

OPS = (
    *("start", "start", "say", "say", "say", "choose", "choose"),
    *("delete_session", "hold", "hold", "release", "release", "delete_account", "sweep"),
)
"""Weighted: most steps write (so sessions are covered and retained), a few take away."""
SURFACES = (("chat", "web"), ("chat", "web"), ("chat", "api"), ("code", "code"))


@dataclass(frozen=True)
class Step:
    op: str
    wait_hours: int
    account: int
    target: int
    flag: bool
    surface: int


@dataclass(frozen=True)
class History:
    policy: Policy
    accounts: tuple[tuple[str, str | None], ...]
    steps: tuple[Step, ...]
    tail_hours: int
    """How long after the last step the cutoff is taken (retention may end meanwhile)."""


def short_policy(
    resume: ResumeScope,
    opt_out: OnOptOut,
    grace: int,
    flagged: bool,
    *,
    training_on: int = 12,
    auto_delete: AutoDeletePolicy | None = None,
) -> Policy:
    periods = RetentionPolicy(
        training_on=training_on,
        standard=5,
        commercial=4,
        incognito=3,
        feedback=40,
        deleted_grace=grace,
        safety_flagged=10,
        safety_scores=20,
        on_opt_out=opt_out,
    )
    return dataclasses.replace(
        DEFAULT_POLICY,
        retention=periods,
        resume_scope=resume,
        safety_train_on_flagged=flagged,
        sweep_batch_size=7,
        auto_delete=auto_delete or DEFAULT_POLICY.auto_delete,
    )


policies = st.builds(
    short_policy,
    st.sampled_from(ResumeScope),
    st.sampled_from(OnOptOut),
    st.sampled_from([0, 2]),
    st.booleans(),
)
steps = st.builds(
    Step,
    op=st.sampled_from(OPS),
    wait_hours=st.integers(0, 24 * 9),
    account=st.integers(0, 2),
    target=st.integers(0, 7),
    flag=st.booleans(),
    surface=st.integers(0, len(SURFACES) - 1),
)
histories = st.builds(
    History,
    policy=policies,
    accounts=st.lists(
        st.sampled_from(
            [("free", "on"), ("pro", "on"), ("free", "off"), ("max", "off"), ("team", None)]
        ),
        min_size=1,
        max_size=3,
    ).map(tuple),
    steps=st.lists(steps, max_size=24).map(tuple),
    tail_hours=st.integers(0, 24 * 16),
)


AUTO_DELETE_MONTHS = (1, 2, None)
"""The choices the auto-delete step picks from (docs/rules.md P12): the policy below offers
1 and 2 months, so with 90 days of training-on retention a cap shortens within a history."""
policies_with_auto_delete = st.builds(
    short_policy,
    st.sampled_from(ResumeScope),
    st.sampled_from(OnOptOut),
    st.sampled_from([0, 2]),
    st.booleans(),
    training_on=st.just(90),
    auto_delete=st.just(AutoDeletePolicy(offered_months=(1, 2), default_months=1)),
)
histories_with_auto_delete = st.builds(
    History,
    policy=policies_with_auto_delete,
    accounts=st.lists(
        st.sampled_from(
            [("free", "on"), ("pro", "on"), ("max", "on"), ("free", "off"), ("team", None)]
        ),
        min_size=1,
        max_size=3,
    ).map(tuple),
    steps=st.lists(
        st.builds(
            Step,
            op=st.sampled_from((*OPS, *("auto_delete",) * 6, "say", "say")),
            wait_hours=st.integers(0, 24 * 12),
            account=st.integers(0, 2),
            target=st.integers(0, 7),
            flag=st.booleans(),
            surface=st.integers(0, len(SURFACES) - 1),
        ),
        min_size=3,
        max_size=24,
    ).map(tuple),
    tail_hours=st.integers(0, 24 * 40),
)
"""Histories with auto-delete choices (P12, P13), for the SQL forms, the stored
instants and the Spark rules."""


REGIONS = ("DE", "US", None)
"""P21: the regions a regional policy's accounts sign up from, in turn (DE: shortened)."""


def regional_policy(resume: ResumeScope, opt_out: OnOptOut, grace: int, flagged: bool) -> Policy:
    """:func:`short_policy` (12 days on, 5 standard) whose `short` rule set, applied to
    DE, shortens retention to 6 and 2 days (docs/rules.md P21)."""
    base = short_policy(resume, opt_out, grace, flagged)
    short = RuleSet("short", True, SignupPreset.NONE, GpcMode.RECORD, None, 6, 2)
    return dataclasses.replace(
        base, jurisdictions=JurisdictionPolicy(rule_sets=(short,), regions=(("DE", "short"),))
    )


histories_regional = st.builds(
    History,
    policy=st.builds(
        regional_policy,
        st.sampled_from(ResumeScope),
        st.sampled_from(OnOptOut),
        st.sampled_from([0, 2]),
        st.booleans(),
    ),
    accounts=st.lists(
        st.sampled_from([("free", "on"), ("pro", "on"), ("free", "off"), ("team", None)]),
        min_size=2,
        max_size=3,
    ).map(tuple),
    steps=st.lists(steps, max_size=24).map(tuple),
    tail_hours=st.integers(0, 24 * 16),
)
"""Histories under a policy whose rule set shortens retention for DE (P21); accounts
sign up from :data:`REGIONS` in turn."""


@dataclass
class Played:
    account_ids: list[str]
    session_ids: list[str]
    cutoff: datetime
    ctx: Context


def play(base: Context, clock: TestClock, history: History) -> Played:
    """Run `history` through the use cases from the clock's current instant."""
    ctx = dataclasses.replace(base, policy=history.policy)
    regional = history.policy.jurisdictions.regional_retention  # P21: regions in turn
    ids = [
        accounts.sign_up(
            ctx, plan=p, training=c, region=REGIONS[i % len(REGIONS)] if regional else None
        ).account_id
        for i, (p, c) in enumerate(history.accounts)
    ]
    live: list[str] = []
    holds: list[str] = []
    for account in ids:  # every account starts with one chat on the web
        with contextlib.suppress(ConsentryError):
            _step(ctx, Step("start", 0, 0, 0, False, 0), account, live, holds)
    for step in history.steps:
        clock.set(clock.now() + timedelta(hours=step.wait_hours, seconds=1))
        account = ids[step.account % len(ids)]
        with contextlib.suppress(ConsentryError):  # refused by a rule: nothing changed
            _step(ctx, step, account, live, holds)
    clock.set(clock.now() + timedelta(hours=history.tail_hours, seconds=1))
    return Played(ids, live, clock.now(), ctx)


def _step(ctx: Context, step: Step, account: str, live: list[str], holds: list[str]) -> None:
    pick = live[step.target % len(live)] if live else None
    if step.op == "choose":
        accounts.record_choice(ctx, account_id=account, training="on" if step.flag else "off")
    elif step.op == "start":
        kind, surface = SURFACES[step.surface]
        view = sessions.start_session(
            ctx, account_id=account, kind=kind, surface=surface, incognito=step.flag
        )
        live.append(view.session.id)
        _say(ctx, view.session.account_id, view.session.id)
    elif step.op == "say" and pick is not None:
        _say(ctx, _owner(ctx, pick), pick)
    elif step.op == "delete_session" and pick is not None:
        sessions.delete_session(ctx, account_id=_owner(ctx, pick), session_id=pick)
    elif step.op == "hold" and pick is not None:
        hold = retention.place_hold(ctx, session_id=pick, kind="safety" if step.flag else "legal")
        holds.append(hold.id)
    elif step.op == "release" and holds:
        retention.release_hold(ctx, hold_id=holds[step.target % len(holds)])
    elif step.op == "delete_account":
        accounts.delete_account(ctx, account_id=account)
    elif step.op == "sweep":
        retention.sweep_expired(ctx)
    elif step.op == "auto_delete":  # P12: 1 or 2 months, or until deleted
        months = AUTO_DELETE_MONTHS[step.target % len(AUTO_DELETE_MONTHS)]
        auto_delete.choose_auto_delete(ctx, account_id=account, months=months)


def _owner(ctx: Context, session_id: str) -> str:
    with ctx.uow() as uow:
        session = uow.store.get_session(session_id)
        assert session is not None
        return session.account_id


def _say(ctx: Context, account_id: str, session_id: str) -> None:
    sessions.add_message(
        ctx,
        account_id=account_id,
        session_id=session_id,
        role="user",
        content="hello",
        author=Author.ACCOUNT,
    )


Verdicts = dict[str, datetime | None]
"""Eligible session id -> `include_from` (None: every message counts)."""


def domain_verdicts(played: Played, purpose: Purpose) -> Verdicts:
    """The reference: `decide_eligibility` over each session's stored history."""
    found: Verdicts = {}
    with played.ctx.uow() as uow:
        for session_id in played.session_ids:
            facts = uow.runs.one_session_facts(session_id)
            assert facts is not None
            decision = decide_eligibility(
                facts, purpose=purpose, at=played.cutoff, policy=played.ctx.policy
            )
            if decision.eligible:
                found[session_id] = decision.include_from
    return found


def sql_verdicts(engine: Engine, played: Played, purpose: Purpose) -> Verdicts:
    """The run builder's set-based SELECT (`adapters/sql/eligible_sql.py`)."""
    query = eligible_sessions(
        purpose=purpose, cutoff=played.cutoff, policy=played.ctx.policy
    ).where(t.sessions.c.account_id.in_(played.account_ids))
    with engine.connect() as conn:
        return {row.id: row.include_from for row in conn.execute(query)}


def stored_and_derived_purge(
    engine: Engine, played: Played
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(stored, derived) `(retain_until, purge_at)` of every session not yet purged: the
    columns the write path keeps with `purge_at_expr`, and the same instants derived from
    the history by `domain.retention` (R12, R14, R16, R18)."""
    s = t.sessions.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.id, s.retain_until, s.purge_at).where(
                s.account_id.in_(played.account_ids), s.purged_at.is_(None)
            )
        ).all()
    stored = {r.id: (r.retain_until, r.purge_at) for r in rows}
    derived: dict[str, Any] = {}
    policy = played.ctx.policy
    with played.ctx.uow() as uow:
        for session_id in stored:
            facts = uow.runs.one_session_facts(session_id)
            assert facts is not None
            until = retain_until(
                scope=facts.scope,
                incognito=facts.incognito,
                activities=facts.activities,
                choices=facts.choices,
                policy=policy,
                auto_delete=facts.auto_delete,
                region=facts.region,  # P21
            )
            assert until is not None  # every session starts with a message
            due = purge_due(
                retain_until=until,
                deleted_at=facts.deleted_at,
                holds=facts.holds,
                policy=policy,
                at=played.cutoff,
            )
            derived[session_id] = (until, due.due_at)
    return stored, derived
