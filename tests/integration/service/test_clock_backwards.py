"""A clock moved backwards through a restart is a warning, tampering a finding (issue 17;
R26, R27). The service runs for an hour, stops, and starts again with its clock 30
minutes behind; a run is made after the restart. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import insert

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import Policy
from consentry.domain.types import Author
from consentry.service import accounts, audits, ledger, runs, sessions
from tests.integration.service.conftest import World
from tests.integration.service.test_runs import _tamper_ledger


@dataclass
class Restarted:
    before: App
    after: World
    opted_out_session: str
    step_seq: int
    run_id: str


@pytest.fixture
def restarted(app: App, clock: TestClock, database_url: str, policy: Policy) -> Iterator[Restarted]:
    start = clock.now()
    uid = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
    view = sessions.start_session(app.ctx, account_id=uid, kind="chat")
    sessions.add_message(
        app.ctx,
        account_id=uid,
        session_id=view.session.id,
        role="user",
        content="hello",
        author=Author.ACCOUNT,
    )
    clock.set(start + timedelta(hours=1))
    accounts.record_choice(app.ctx, account_id=uid, training="off")  # stamped start+1h
    # The restart: the same database, a clock half an hour behind the last event.
    later = build(
        Settings(database_url=database_url),
        migrate=False,
        clock=TestClock(start + timedelta(minutes=30)),
        policy=policy,
    )
    world = World(later, later.ctx.clock)  # type: ignore[arg-type]
    other = world.user(training="on")  # its events are stamped before the opt-out's
    world.chat(other)
    world.advance(minutes=10)  # start+40m: the run's cutoff is before the opt-out's stamp
    run = runs.create_run(later.ctx, purpose="model_training")
    with later.ctx.uow(read_only=True) as uow:
        events = list(uow.store.consent_events())
    step = next(e.seq for e in events if e.account_id == other)
    try:
        yield Restarted(app, world, view.session.id, step, run.id)
    finally:
        later.engine.dispose()


def test_a_clock_moved_back_is_a_warning_not_a_tamper_finding_R26_R27(
    restarted: Restarted,
) -> None:
    ctx = restarted.after.ctx
    report = runs.audit_run(ctx, run_id=restarted.run_id)
    assert report.ok, report.findings
    assert [(f.item_id, f.problem) for f in report.findings] == [
        (restarted.opted_out_session, "clock_backwards")
    ]
    verified = ledger.verify_ledger(ctx)
    assert verified.ok and verified.clock_backwards_at == restarted.step_seq
    stored = audits.verify_and_store(ctx)
    assert stored.ok and [f["problem"] for f in stored.findings] == ["clock_backwards"]


def test_tampering_after_a_clock_step_is_still_a_finding_R26_R27(
    restarted: Restarted,
) -> None:
    ctx = restarted.after.ctx
    _tamper_ledger(restarted.after, "UPDATE consent_events SET value = 'on' WHERE seq = 2")
    report = runs.audit_run(ctx, run_id=restarted.run_id)
    assert not report.ok and report.findings[0].problem == "ledger_mismatch"
    stored = audits.verify_and_store(ctx)
    assert not stored.ok and stored.findings[0]["problem"] == "ledger_broken"


def test_a_manifest_edit_is_a_finding_even_where_the_clock_stepped_back_R26(
    restarted: Restarted,
) -> None:
    """The opted-out session put into the manifest: by its stamps (opt-out after the
    cutoff) it looks eligible, but by order it is not: an `extra`, not a warning."""
    world = restarted.after
    with world.app.engine.begin() as conn:
        account = conn.execute(
            t.sessions.select().where(t.sessions.c.id == restarted.opted_out_session)
        ).one()
        conn.execute(
            insert(t.run_sessions).values(
                run_id=restarted.run_id,
                session_id=restarted.opted_out_session,
                account_id=account.account_id,
            )
        )
    report = runs.audit_run(world.ctx, run_id=restarted.run_id)
    problems = {(f.item_id, f.problem) for f in report.findings}
    assert not report.ok
    assert (restarted.opted_out_session, "extra") in problems
