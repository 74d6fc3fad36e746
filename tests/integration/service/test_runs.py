"""R19–R23, R26 through the service layer: manifests, opt-out, deletion and the audit."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import insert

from consentry.adapters.sql import tables as t
from consentry.domain.errors import InvalidState, NotFound, PurposeNotPermitted
from consentry.domain.policy import DEFAULT_POLICY, Policy, ResumeScope
from consentry.service import accounts, retention, runs, sessions
from tests.integration.service.conftest import World


def manifest(world: World, purpose: str = "model_training") -> tuple[str, set[str], set[str]]:
    run = runs.create_run(world.ctx, purpose=purpose)
    m = runs.get_manifest(world.ctx, run_id=run.id)
    return run.id, set(m.sessions), set(m.feedback)


def test_other_purposes_are_refused_R19(world: World) -> None:
    with pytest.raises(PurposeNotPermitted):
        runs.create_run(world.ctx, purpose="sale_to_third_parties")


def test_manifest_contains_exactly_the_eligible_sessions_R20(world: World) -> None:
    on = world.user(training="on")
    off = world.user(training="off")
    team = world.user(plan="team", training=None)
    eligible = world.chat(on)
    incognito = sessions.start_session(world.ctx, account_id=on, kind="chat", incognito=True)
    api = sessions.start_session(world.ctx, account_id=on, kind="chat", surface="api")
    deleted = world.chat(on)
    sessions.delete_session(world.ctx, account_id=on, session_id=deleted)
    world.chat(off)
    world.chat(team)
    world.advance(days=1)
    run_id, got, _ = manifest(world)
    assert got == {eligible}
    assert incognito.session.id not in got and api.session.id not in got
    assert runs.audit_run(world.ctx, run_id=run_id).ok


def test_only_messages_at_or_before_cutoff_are_counted_R20(world: World) -> None:
    uid = world.user(training="on")
    sid = world.chat(uid, "one")
    world.say(uid, sid, "two")
    world.advance(days=1)
    run = runs.create_run(world.ctx, purpose="model_training")
    world.say(uid, sid, "after the cutoff")
    assert run.messages == 2
    assert runs.get_run(world.ctx, run_id=run.id).messages == 2


def test_not_resumed_old_chat_stays_out_R10_R20(world: World) -> None:
    uid = world.user(training="off")
    old = world.chat(uid)
    world.advance(days=1)
    world.choose(uid, "on")
    _, got, _ = manifest(world)
    assert old not in got
    world.say(uid, old, "resumed")
    _, got, _ = manifest(world)
    assert old in got


def test_opt_out_removes_from_later_runs_only_R21(world: World) -> None:
    uid = world.user(training="on")
    sid = world.chat(uid)
    world.advance(days=1)
    first, got, _ = manifest(world)
    runs.start_run(world.ctx, run_id=first)
    assert sid in got
    world.choose(uid, "off")
    world.advance(days=1)
    _, later, _ = manifest(world)
    assert sid not in later
    assert sid in runs.get_manifest(world.ctx, run_id=first).sessions
    assert [r.id for r in runs.runs_for_account(world.ctx, account_id=uid)] == [first]


def test_deletion_removes_from_later_runs_not_started_ones_R21(world: World) -> None:
    uid = world.user(training="on")
    sid = world.chat(uid)
    first, _, _ = manifest(world)
    sessions.delete_session(world.ctx, account_id=uid, session_id=sid)
    _, later, _ = manifest(world)
    assert sid not in later
    assert runs.get_manifest(world.ctx, run_id=first).sessions == [sid]
    assert runs.audit_run(world.ctx, run_id=first).ok


def test_account_deletion_excludes_from_every_future_run_R15_R21(world: World) -> None:
    uid = world.user(training="on")
    world.chat(uid)
    accounts.delete_account(world.ctx, account_id=uid)
    _, got, _ = manifest(world)
    assert got == set()


def test_expired_session_is_not_eligible_R20(world: World) -> None:
    uid = world.user(training="on")
    sid = world.chat(uid)
    world.choose(uid, "off")
    world.choose(uid, "on")
    world.advance(days=1826)
    _, got, _ = manifest(world)
    assert sid not in got


def test_safety_flagged_eligible_for_classifiers_regardless_of_choice_R22(world: World) -> None:
    uid = world.user(training="off")
    sid = world.chat(uid)
    retention.place_hold(world.ctx, session_id=sid, kind="safety")
    _, classifier, _ = manifest(world, "safety_classifiers")
    _, training, _ = manifest(world, "model_training")
    assert sid in classifier and sid not in training


def test_train_on_flagged_off_falls_back_to_choice_R22(app_policy_no_flag: World) -> None:
    world = app_policy_no_flag
    uid = world.user(training="off")
    sid = world.chat(uid)
    retention.place_hold(world.ctx, session_id=sid, kind="safety")
    _, got, _ = manifest(world, "safety_classifiers")
    assert sid not in got


@pytest.fixture
def app_policy_no_flag(database_url: str, clock: object) -> World:
    from consentry.bootstrap import build
    from consentry.config.settings import Settings

    policy = replace(DEFAULT_POLICY, safety_train_on_flagged=False)
    app = build(Settings(database_url=database_url), migrate=False, clock=clock, policy=policy)  # type: ignore[arg-type]
    return World(app, clock)  # type: ignore[arg-type]


def test_feedback_eligible_only_when_on_at_submission_and_cutoff_R23(world: World) -> None:
    uid = world.user(training="on")
    sid = world.chat(uid)
    mid = world.say(uid, sid, "answer", role="assistant")
    fb = sessions.give_feedback(
        world.ctx, account_id=uid, session_id=sid, message_id=mid, rating="up"
    )
    _, _, got = manifest(world)
    assert got == {fb.id}
    world.choose(uid, "off")
    _, _, got = manifest(world)
    assert got == set()


def test_start_is_once_and_unknown_runs_are_not_found_R21(world: World) -> None:
    run_id, _, _ = manifest(world)
    runs.start_run(world.ctx, run_id=run_id)
    with pytest.raises(InvalidState):
        runs.start_run(world.ctx, run_id=run_id)
    with pytest.raises(NotFound):
        runs.get_manifest(world.ctx, run_id="run_nope")


def test_explain_lists_each_rule_with_pass_or_fail_R26(world: World) -> None:
    uid = world.user(training="off")
    sid = world.chat(uid)
    result = runs.explain(world.ctx, session_id=sid, purpose="model_training")
    by_rule = {c.rule: c.passed for c in result.checks}
    assert not result.eligible and by_rule["R20"] is False and by_rule["R1"] is True


def test_audit_reports_extra_and_missing_items_R26(world: World) -> None:
    uid = world.user(training="on")
    kept = world.chat(uid)
    other = world.user(training="off")
    stray = world.chat(other)
    run = runs.create_run(world.ctx, purpose="model_training")
    with world.app.engine.begin() as conn:
        conn.execute(
            insert(t.run_sessions).values(run_id=run.id, session_id=stray, account_id=other)
        )
        conn.execute(t.run_sessions.delete().where(t.run_sessions.c.session_id == kept))
    report = runs.audit_run(world.ctx, run_id=run.id)
    problems = {(f.item_id, f.problem) for f in report.findings}
    assert not report.ok
    assert (stray, "extra") in problems and (kept, "missing") in problems


def test_audit_fails_when_ledger_is_tampered_R26_R27(world: World) -> None:
    uid = world.user(training="on")
    world.chat(uid)
    run = runs.create_run(world.ctx, purpose="model_training")
    _tamper_ledger(world, "UPDATE consent_events SET value = 'off' WHERE seq = 1")
    report = runs.audit_run(world.ctx, run_id=run.id)
    assert not report.ok and report.findings[0].kind == "ledger"


def _tamper_ledger(world: World, statement: str) -> None:
    from sqlalchemy import text

    with world.app.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE consent_events DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE consent_events ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS consent_events_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS consent_events_no_delete"))
            conn.execute(text(statement))


@pytest.fixture
def policy() -> Policy:
    return DEFAULT_POLICY


def test_from_first_covered_activity_counts_only_later_messages_R10(
    database_url: str, clock: object
) -> None:
    from consentry.bootstrap import build
    from consentry.config.settings import Settings

    policy = replace(DEFAULT_POLICY, resume_scope=ResumeScope.FROM_FIRST_COVERED_ACTIVITY)
    app = build(Settings(database_url=database_url), migrate=False, clock=clock, policy=policy)  # type: ignore[arg-type]
    world = World(app, clock)  # type: ignore[arg-type]
    uid = world.user(training="off")
    sid = world.chat(uid, "before")
    world.advance(days=1)
    world.choose(uid, "on")
    world.say(uid, sid, "after")
    run = runs.create_run(world.ctx, purpose="model_training")
    assert (run.sessions, run.messages) == (1, 1)
    assert runs.audit_run(world.ctx, run_id=run.id).ok
    app.engine.dispose()
