"""Issue 18 / R20–R22: the chat list's training labels come from one set-based pass (the
run builder's eligibility SELECT) and say exactly what the per-session decision says."""

from __future__ import annotations

from consentry.service import data_use, retention, runs, sessions
from consentry.service.data_use import SessionUse
from tests.integration.service.conftest import World


def _label(use: SessionUse) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a page shows: the runs that hold the chat and the purposes it may be used for."""
    return tuple(r.id for r in use.runs), tuple(p.value for p in use.eligible_for)


def _same(world: World, account_id: str, ids: list[str]) -> dict[str, SessionUse]:
    """The set-based answer, after checking it labels every chat as the per-chat one."""
    together = data_use.session_uses(world.ctx, account_id=account_id, session_ids=ids)
    one_by_one = data_use.session_uses_by_facts(world.ctx, account_id=account_id, session_ids=ids)
    assert {sid: _label(u) for sid, u in together.items()} == {
        sid: _label(u) for sid, u in one_by_one.items()
    }
    return together


def test_set_based_labels_equal_the_per_session_decisions_R20_R21_R22(world: World) -> None:
    ctx = world.ctx
    me = world.user(plan="free", training="on")
    unset = world.imported()  # before the notice's deadline (R7 blocks it after)
    unset_chat = world.chat(unset, "choice not made")
    in_run = world.chat(me, "kept in a run")
    world.advance(1)
    runs.create_run(ctx, purpose="model_training")
    world.advance(1)
    covered = world.chat(me, "covered while on")
    incognito = world.chat(me, "private", incognito=True)
    deleted = world.chat(me, "to delete")
    sessions.delete_session(ctx, account_id=me, session_id=deleted)
    empty = sessions.start_session(ctx, account_id=me, kind="chat").session.id
    world.choose(me, "off")
    after_off = world.chat(me, "written while off")
    flagged = world.chat(me, "flagged for safety")
    retention.place_hold(ctx, session_id=flagged, kind="safety")
    now = _same(world, me, [covered, after_off, flagged])
    assert [p.value for p in now[flagged].eligible_for] == ["safety_classifiers"]  # R22
    assert not now[covered].eligible_for and not now[after_off].eligible_for  # R20
    world.advance(40)  # the off chats' 30 days end; the flag keeps `flagged`
    late = world.chat(me, "late")
    other = world.chat(world.user(), "another account's")

    mine = [in_run, covered, incognito, deleted, empty, after_off, flagged, late, other]
    together = data_use.session_uses(ctx, account_id=me, session_ids=mine)
    one_by_one = data_use.session_uses_by_facts(ctx, account_id=me, session_ids=mine)
    assert other not in together and other not in one_by_one
    assert set(together) == set(one_by_one) == set(mine) - {other}
    assert {sid: _label(u) for sid, u in together.items()} == {
        sid: _label(u) for sid, u in one_by_one.items()
    }
    # The cases are the ones meant: off now, so nothing may be used for model training;
    # the run keeps the chat it holds (R21).
    assert not any(u.may_be_trained_on for u in together.values())
    assert together[in_run].runs and not together[covered].runs

    world.choose(me, "on")
    again = _same(world, me, mine)
    assert again[in_run].may_be_trained_on and again[covered].may_be_trained_on
    assert not again[incognito].may_be_trained_on and not again[deleted].may_be_trained_on
    assert again[empty].may_be_trained_on  # started while on: covered (R10)
    assert not _same(world, unset, [unset_chat])[unset_chat].may_be_trained_on  # R20


def test_chat_titles_come_from_the_accounts_own_chats_only(world: World) -> None:
    """Issue 18: the list's titles in one query; another account's chat gives none."""
    me, other = world.user(), world.user()
    mine = world.chat(me, "Plan a trip to Lisbon")
    theirs = world.chat(other, "Someone else's words")
    empty = sessions.start_session(world.ctx, account_id=me, kind="chat").session.id
    titles = data_use.first_words(world.ctx, account_id=me, session_ids=[mine, theirs, empty])
    assert titles == {mine: "Plan a trip to Lisbon"}
