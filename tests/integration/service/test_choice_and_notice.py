"""R3–R8 through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from consentry.domain.errors import (
    ChoiceMissing,
    ChoiceRequired,
    DeadlinePassed,
    InvalidInput,
    NotApplicable,
    Unauthenticated,
)
from consentry.domain.types import ChoiceSource, Training
from consentry.service import accounts, sessions
from consentry.service.data_export import export_account
from tests.integration.service.conftest import World


def test_signup_without_choice_is_refused_for_consumer_plans_R4(world: World) -> None:
    with pytest.raises(ChoiceMissing):
        accounts.sign_up(world.ctx, plan="free", training=None)


def test_signup_records_choice_event_with_source_and_terms_R3(world: World) -> None:
    uid = world.user(training="off")
    (event,) = accounts.consent_history(world.ctx, account_id=uid)
    assert (event.type, event.value, event.source, event.terms_version) == (
        "choice",
        "off",
        "signup",
        "2025-08-28",
    )
    view = accounts.get_privacy(world.ctx, account_id=uid)
    assert view.training is Training.OFF and view.terms_version_accepted == "2025-08-28"
    assert view.notice is None and not view.blocked


def test_commercial_signup_has_no_choice_and_no_notice_R2(world: World) -> None:
    uid = world.user(plan="team", training=None)
    view = accounts.get_privacy(world.ctx, account_id=uid)
    assert view.training is Training.NOT_APPLICABLE and view.notice is None
    with pytest.raises(NotApplicable):
        world.choose(uid, "on")


def test_imported_account_is_unset_with_pending_notice_R3_R5(world: World) -> None:
    uid = world.imported()
    view = accounts.get_privacy(world.ctx, account_id=uid)
    assert view.training is Training.UNSET
    assert view.notice is not None and view.notice.can_defer
    assert view.notice.default_training is Training.ON


def test_deferral_is_recorded_and_notice_stays_pending_R6(world: World) -> None:
    uid = world.imported()
    view = accounts.defer_notice(world.ctx, account_id=uid)
    assert view.notice is not None
    history = accounts.consent_history(world.ctx, account_id=uid)
    assert [(h.type, h.source) for h in history] == [("deferral", "notice")]


def test_deferral_refused_after_deadline_R6(world: World) -> None:
    uid = world.imported()
    world.advance(days=40)  # 2025-10-11, past the 2025-10-08 deadline
    with pytest.raises(DeadlinePassed):
        accounts.defer_notice(world.ctx, account_id=uid)


def test_blocked_account_cannot_chat_but_can_choose_export_delete_R7(world: World) -> None:
    uid = world.imported()
    sid = world.chat(uid)
    world.advance(days=40)
    assert accounts.get_privacy(world.ctx, account_id=uid).blocked
    with pytest.raises(ChoiceRequired):
        sessions.start_session(world.ctx, account_id=uid, kind="chat")
    with pytest.raises(ChoiceRequired):
        world.say(uid, sid, "more")
    # Never blocked from reading, exporting, deleting or choosing.
    assert export_account(world.ctx, account_id=uid)["account"]["account_id"] == uid
    sessions.delete_session(world.ctx, account_id=uid, session_id=sid)
    view = accounts.accept_notice(world.ctx, account_id=uid, training="off")
    assert not view.blocked and view.training is Training.OFF
    world.chat(uid)


def test_choice_changes_any_time_and_takes_effect_now_R8(world: World) -> None:
    uid = world.user(training="off")
    sid = world.chat(uid)
    assert sessions.get_session(world.ctx, account_id=uid, session_id=sid).covered is False
    world.advance(days=1)
    world.choose(uid, "on")
    mid = world.say(uid, sid, "now covered")
    view = sessions.get_session(world.ctx, account_id=uid, session_id=sid)
    assert view.covered and [m.covered for m in view.messages] == [False, True]
    assert view.messages[-1].id == mid
    history = accounts.consent_history(world.ctx, account_id=uid)
    assert [(h.value, h.source) for h in history] == [("off", "signup"), ("on", "settings")]


def test_invalid_choice_values_are_refused(world: World) -> None:
    uid = world.user()
    with pytest.raises(InvalidInput):
        world.choose(uid, "maybe")
    with pytest.raises(InvalidInput):
        accounts.sign_up(world.ctx, plan="platinum", training="on")


def test_deleted_account_token_is_dead_R15(world: World) -> None:
    creds = accounts.sign_up(world.ctx, plan="pro", training="on")
    assert accounts.authenticate(world.ctx, creds.token).id == creds.account_id
    accounts.delete_account(world.ctx, account_id=creds.account_id)
    with pytest.raises(Unauthenticated):
        accounts.authenticate(world.ctx, creds.token)
    with world.ctx.uow() as uow:  # the ledger keeps a final `off` as proof
        last = list(uow.store.consent_events(creds.account_id))[-1]
    assert (last.value, last.source) == (Training.OFF, ChoiceSource.ACCOUNT_DELETED)
