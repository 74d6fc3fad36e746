"""R9–R18 through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consentry.domain.errors import NotFound
from consentry.service import accounts, retention, sessions
from tests.integration.service.conftest import World

DAY = timedelta(days=1)


def test_each_activity_records_coverage_at_that_instant_R9(world: World) -> None:
    uid = world.user(training="on")
    sid = world.chat(uid)
    world.choose(uid, "off")
    world.say(uid, sid, "not covered")
    view = sessions.get_session(world.ctx, account_id=uid, session_id=sid)
    assert [m.covered for m in view.messages] == [True, False]


def test_old_chat_not_covered_until_resumed_while_on_R10(world: World) -> None:
    uid = world.user(training="off")
    sid = world.chat(uid)
    world.advance(days=2)
    world.choose(uid, "on")
    assert not sessions.get_session(world.ctx, account_id=uid, session_id=sid).covered
    world.say(uid, sid, "resumed")
    assert sessions.get_session(world.ctx, account_id=uid, session_id=sid).covered


def test_incognito_never_covered_and_kept_30_days_R11(world: World) -> None:
    uid = world.user(training="on")
    view = sessions.start_session(world.ctx, account_id=uid, kind="chat", incognito=True)
    assert not view.covered
    assert view.session.retain_until == world.clock.now() + 30 * DAY


def test_commercial_surface_never_covered_R1_R2(world: World) -> None:
    uid = world.user(training="on")
    view = sessions.start_session(world.ctx, account_id=uid, kind="chat", surface="api")
    assert not view.covered and view.session.scope.value == "commercial"


def test_code_sessions_of_consumer_accounts_are_covered_R1(world: World) -> None:
    uid = world.user(training="on")
    view = sessions.start_session(world.ctx, account_id=uid, kind="code")
    assert view.covered and view.session.surface.value == "code"


def test_retain_until_five_years_when_covered_30_days_otherwise_R12(world: World) -> None:
    on, off = world.user(training="on"), world.user(training="off")
    now = world.clock.now()
    s_on = sessions.start_session(world.ctx, account_id=on, kind="chat").session
    s_off = sessions.start_session(world.ctx, account_id=off, kind="chat").session
    assert s_on.retain_until == now + 1825 * DAY
    assert s_off.retain_until == now + 30 * DAY


def test_uncovered_session_purged_by_sweep_after_30_days_R12_R17(world: World) -> None:
    uid = world.user(training="off")
    sid = world.chat(uid)
    world.advance(days=29)
    assert retention.sweep_expired(world.ctx).purged.sessions == 0
    world.advance(days=1)
    result = retention.sweep_expired(world.ctx)
    assert (result.purged.sessions, result.purged.messages) == (1, 1)
    with pytest.raises(NotFound):  # R17: nothing readable once purged
        sessions.get_session(world.ctx, account_id=uid, session_id=sid)


def test_deleted_session_gone_at_once_and_purged_after_grace_R14(world: World) -> None:
    uid = world.user(training="on")
    sid = world.chat(uid, "secret words")
    sessions.delete_session(world.ctx, account_id=uid, session_id=sid)
    assert sessions.list_sessions(world.ctx, account_id=uid) == []
    with pytest.raises(NotFound):
        sessions.get_session(world.ctx, account_id=uid, session_id=sid)
    world.advance(days=29)
    assert retention.sweep_expired(world.ctx).purged.messages == 0
    world.advance(days=1)
    assert retention.sweep_expired(world.ctx).purged.messages == 1


def test_account_deletion_deletes_sessions_and_feedback_R15(world: World) -> None:
    uid = world.user(training="on")
    sid = world.chat(uid)
    mid = world.say(uid, sid, "answer", role="assistant")
    sessions.give_feedback(world.ctx, account_id=uid, session_id=sid, message_id=mid, rating="up")
    accounts.delete_account(world.ctx, account_id=uid)
    world.advance(days=30)
    purged = retention.sweep_expired(world.ctx).purged
    assert (purged.sessions, purged.messages, purged.feedback) == (1, 2, 1)


def test_feedback_kept_five_years_from_submission_R13(world: World) -> None:
    uid = world.user(training="off")
    sid = world.chat(uid)
    mid = world.say(uid, sid, "answer", role="assistant")
    fb = sessions.give_feedback(
        world.ctx, account_id=uid, session_id=sid, message_id=mid, rating="down", comment="meh"
    )
    assert fb.retain_until == world.clock.now() + 1825 * DAY


def test_legal_hold_stops_purge_until_released_R16(world: World) -> None:
    uid = world.user(training="off")
    sid = world.chat(uid)
    hold = retention.place_hold(world.ctx, session_id=sid, kind="legal")
    world.advance(days=400)
    assert retention.sweep_expired(world.ctx).purged.sessions == 0
    retention.release_hold(world.ctx, hold_id=hold.id)
    assert retention.sweep_expired(world.ctx).purged.sessions == 1


def test_safety_hold_keeps_deleted_content_730_days_R16(world: World) -> None:
    uid = world.user(training="off")
    sid = world.chat(uid)
    retention.place_hold(world.ctx, session_id=sid, kind="safety", scores={"abuse": 0.97})
    sessions.delete_session(world.ctx, account_id=uid, session_id=sid)
    world.advance(days=729)
    assert retention.sweep_expired(world.ctx).purged.sessions == 0
    world.advance(days=1)
    assert retention.sweep_expired(world.ctx).purged.sessions == 1
    world.advance(days=2555 - 730)
    assert retention.sweep_expired(world.ctx).purged.scores == 1


def test_sweep_is_idempotent_batched_and_keeps_tombstones_R17(world: World) -> None:
    from sqlalchemy import func, select

    from consentry.adapters.sql import tables as t

    uid = world.user(training="off")
    for i in range(7):
        world.chat(uid, f"m{i}")
    world.advance(days=31)
    first = retention.sweep_expired(world.ctx, batch_size=3)
    assert first.purged.sessions == 7 and first.batches >= 3
    assert retention.sweep_expired(world.ctx).purged.sessions == 0
    with world.app.engine.connect() as conn:
        kinds = dict(
            conn.execute(
                select(t.tombstones.c.item_type, func.count()).group_by(t.tombstones.c.item_type)
            ).all()
        )
        contents = conn.execute(select(func.count()).select_from(t.messages)).scalar_one()
    assert kinds == {"session": 7, "message": 7} and contents == 0


def test_opt_out_keeps_retention_by_default_R18(world: World) -> None:
    uid = world.user(training="on")
    sid = world.chat(uid)
    world.choose(uid, "off")
    world.advance(days=31)
    assert retention.sweep_expired(world.ctx).purged.sessions == 0
    assert sessions.get_session(world.ctx, account_id=uid, session_id=sid).messages
