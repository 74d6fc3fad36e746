"""The hold and sweeper use cases (`service/retention.py`) and deletion
(`service/sessions.py`) on the in-memory fakes of the retention, hold, sweep and purge
ports (issue 20). tests/integration runs the same use cases on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from consentry.domain.policy import DEFAULT_POLICY
from consentry.service import accounts, retention, sessions
from consentry.service.context import Context
from consentry.service.records import PurgeCounts
from tests.unit.service.conftest import T0, move_clock
from tests.unit.service.fake_uow import InMemoryStore

DAYS = DEFAULT_POLICY.retention.days


def _session(ctx: Context, account_id: str, text: str) -> str:
    started = sessions.start_session(ctx, account_id=account_id, kind="chat")
    sessions.add_message(
        ctx, account_id=account_id, session_id=started.session.id, role="user", content=text
    )
    return started.session.id


def _tombstones(store: InMemoryStore, kind: str) -> dict[str, str]:
    return {t.item_id: t.reason for t in store.tombstones if t.item_type == kind}


def test_a_sweep_purges_what_expired_and_keeps_what_a_hold_protects_R14_R16_R17(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """R17: content past its purge instant is purged, each item leaving a tombstone with
    its reason; R14: a deleted session's reason is `deleted`; R16: a legal hold stops the
    purge until released, a safety flag keeps content for `safety_flagged` days."""
    owner = accounts.sign_up(fake_ctx, plan="free", training="off").account_id
    expired, held, deleted, flagged = (_session(fake_ctx, owner, t) for t in "abcd")
    legal = retention.place_hold(fake_ctx, session_id=held, kind="legal")
    retention.place_hold(fake_ctx, session_id=flagged, kind="safety", scores={"self_harm": 0.9})
    move_clock(fake_ctx, T0 + timedelta(days=1))
    sessions.delete_session(fake_ctx, account_id=owner, session_id=deleted)

    move_clock(fake_ctx, T0 + DAYS("standard") + timedelta(seconds=1))
    first = retention.sweep_expired(fake_ctx)

    assert first.purged == PurgeCounts(sessions=2, messages=2)
    assert _tombstones(fake_store, "session") == {
        expired: "retention_ended",
        deleted: "deleted",
    }
    assert sorted(_tombstones(fake_store, "message").values()) == ["deleted", "retention_ended"]
    assert fake_store.messages(expired) == [] and fake_store.messages(deleted) == []
    assert [m.content for m in fake_store.messages(held)] == ["b"]
    assert fake_store.sessions[held].purge_at is None
    assert fake_store.sessions[flagged].purge_at == T0 + DAYS("safety_flagged")
    (record,) = fake_store.recent_sweeps()
    assert record.id == first.sweep_id and record.purged == first.purged
    assert record.finished_at == T0 + DAYS("standard") + timedelta(seconds=1)
    assert [p[1]["kind"] for p in fake_store.published if p[0] == "retention.purged"] == [
        "sessions"
    ]

    retention.release_hold(fake_ctx, hold_id=legal.id)
    assert fake_store.sessions[held].purge_at == fake_store.sessions[held].retain_until
    second = retention.sweep_expired(fake_ctx)
    assert second.purged == PurgeCounts(sessions=1, messages=1)
    assert fake_store.sessions[held].purged_at is not None
    assert retention.sweep_expired(fake_ctx).purged == PurgeCounts()  # idempotent (R17)
    log = fake_store.recent_sweeps()
    assert len(log) == 3 and log[-1].id == first.sweep_id  # newest first


def test_safety_scores_outlive_the_flagged_content_and_then_go_R16_R17(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """R16: a safety hold's classifier scores are kept `safety_scores` days, longer than
    the flagged content (`safety_flagged`); the sweeper purges each when its time comes,
    and the hold itself stays."""
    owner = accounts.sign_up(fake_ctx, plan="free", training="off").account_id
    flagged = _session(fake_ctx, owner, "x")
    hold = retention.place_hold(fake_ctx, session_id=flagged, kind="safety", scores={"v": 0.5})

    move_clock(fake_ctx, T0 + DAYS("safety_flagged") + timedelta(seconds=1))
    assert retention.sweep_expired(fake_ctx).purged == PurgeCounts(sessions=1, messages=1)
    assert fake_store.scores[hold.id][0] == {"v": 0.5}

    move_clock(fake_ctx, T0 + DAYS("safety_scores") + timedelta(seconds=1))
    assert retention.sweep_expired(fake_ctx).purged == PurgeCounts(scores=1)
    assert fake_store.scores[hold.id][0] is None
    assert _tombstones(fake_store, "scores") == {hold.id: "retention_ended"}
    assert fake_store.get_hold(hold.id) == hold


def test_account_deletion_deletes_sessions_and_feedback_and_purges_after_grace_R14_R15(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """R15: deleting an account deletes its sessions and feedback at once (R14: gone
    from reads) and they are purged by deletion + `deleted_grace`, even for content that
    training-on retention (R12) would have kept for years."""
    owner = accounts.sign_up(fake_ctx, plan="free", training="on").account_id
    kept = _session(fake_ctx, owner, "long")
    answer = sessions.add_message(
        fake_ctx, account_id=owner, session_id=kept, role="assistant", content="ok"
    )
    sessions.give_feedback(
        fake_ctx, account_id=owner, session_id=kept, message_id=answer.id, rating="up"
    )
    assert fake_store.sessions[kept].retain_until == T0 + DAYS("training_on")

    accounts.delete_account(fake_ctx, account_id=owner)
    assert fake_store.list_sessions(owner, limit=10) == []
    assert fake_store.account_feedback(owner) == []
    grace_end = T0 + DAYS("deleted_grace")
    assert fake_store.sessions[kept].purge_at == grace_end

    move_clock(fake_ctx, grace_end)
    purged = retention.sweep_expired(fake_ctx).purged
    assert purged == PurgeCounts(sessions=1, messages=2, feedback=1)
    assert _tombstones(fake_store, "session") == {kept: "deleted"}
