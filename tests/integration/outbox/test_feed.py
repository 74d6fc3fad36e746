"""The change feed: every committed change, in order, resumable; nothing uncommitted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.store import SqlStore
from consentry.adapters.sql.uow import SqlUnitOfWork
from consentry.bootstrap import App
from consentry.domain.clock import TestClock
from consentry.domain.errors import InvalidInput
from consentry.domain.types import Author
from consentry.outbox import feed
from consentry.service import accounts, retention, runs, sessions

from .conftest import make_changes, outbox_ids


def test_feed_pages_are_ordered_and_resumable(app: App) -> None:
    expected = make_changes(app)
    assert len(expected) >= 8
    seen, cursor, pages = [], None, 0
    while True:
        page = feed.read_events(app.engine, after=cursor, limit=3)
        if not page.items:
            assert page.next_cursor == (cursor or "0")
            break
        cursors = [int(e.cursor) for e in page.items]
        assert cursors == sorted(cursors)
        seen += [e.event_id for e in page.items]
        cursor, pages = page.next_cursor, pages + 1
    assert seen == expected
    assert pages == -(-len(expected) // 3)

    # Resuming from any cursor yields exactly what follows it, and new changes after that.
    middle = feed.read_events(app.engine, limit=4).next_cursor
    rest = feed.read_events(app.engine, after=middle, limit=1000)
    assert [e.event_id for e in rest.items] == expected[4:]
    accounts.sign_up(app.ctx, plan="pro", training="off")
    newer = feed.read_events(app.engine, after=cursor)
    assert [e.type for e in newer.items] == ["account.created", "consent.choice"]


def test_feed_items_carry_type_payload_and_time(app: App) -> None:
    user = accounts.sign_up(app.ctx, plan="free", training="on")
    items = feed.read_events(app.engine).items
    assert [i.type for i in items] == ["account.created", "consent.choice"]
    choice = items[1].to_json()
    assert set(choice) == {"event_id", "cursor", "type", "payload", "created_at"}
    assert choice["payload"] == {
        "account_id": user.account_id,
        "value": "on",
        "source": "signup",
        "terms_version": "2025-08-28",
    }
    assert choice["created_at"] == "2025-09-01T00:00:00Z"


def test_rolled_back_change_publishes_nothing(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    user = accounts.sign_up(app.ctx, plan="free", training="on")
    before = outbox_ids(app)

    def crash(self: SqlUnitOfWork) -> None:
        raise RuntimeError("crash before commit")

    monkeypatch.setattr(SqlUnitOfWork, "commit", crash)
    with pytest.raises(RuntimeError):
        accounts.delete_account(app.ctx, account_id=user.account_id)
    with pytest.raises(RuntimeError):
        accounts.record_choice(app.ctx, account_id=user.account_id, training="off")
    monkeypatch.undo()

    assert outbox_ids(app) == before
    assert [e.event_id for e in feed.read_events(app.engine).items] == before
    assert accounts.get_privacy(app.ctx, account_id=user.account_id).training == "on"


def test_feed_never_skips_an_earlier_id_that_commits_late(app: App) -> None:
    """PostgreSQL hands out ids before commit: id 1 may commit after id 2 (feed horizon)."""
    if app.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: ids always commit in order")
    now = app.ctx.clock.now()
    slow = app.engine.connect()
    slow.begin()
    SqlStore(slow).publish("run.started", {"run_id": "slow"}, now)
    with app.ctx.uow() as uow:
        uow.store.publish("run.started", {"run_id": "fast"}, now)
        uow.commit()
    # The later id is committed, but the earlier one may still commit: nothing is safe yet.
    page = feed.read_events(app.engine, lock_timeout_ms=100)
    assert page.items == []
    assert page.next_cursor == "0"
    slow.commit()
    slow.close()
    page = feed.read_events(app.engine)
    assert [e.payload["run_id"] for e in page.items] == ["slow", "fast"]


def test_every_change_of_every_use_case_is_published(app: App, clock: TestClock) -> None:
    ctx = app.ctx
    user = accounts.sign_up(ctx, plan="free", training="on")
    imported = accounts.import_account(ctx, plan="pro")
    accounts.defer_notice(ctx, account_id=imported.account_id)
    view = sessions.start_session(ctx, account_id=user.account_id, kind="chat")
    sid = view.session.id
    sessions.add_message(ctx, account_id=user.account_id, session_id=sid, role="user", content="q")
    answer = sessions.add_message(
        ctx,
        account_id=user.account_id,
        session_id=sid,
        role="assistant",
        content="a secret",
        author=Author.SERVICE,  # the assistant's backend (issue 17 item 7)
    )
    sessions.give_feedback(
        ctx, account_id=user.account_id, session_id=sid, message_id=answer.id, rating="up"
    )
    hold = retention.place_hold(ctx, session_id=sid, kind="legal")
    retention.release_hold(ctx, hold_id=hold.id)
    run = runs.create_run(ctx, purpose="model_training")
    runs.start_run(ctx, run_id=run.id)
    other = sessions.start_session(ctx, account_id=imported.account_id, kind="chat")
    sessions.delete_session(ctx, account_id=imported.account_id, session_id=other.session.id)
    accounts.record_choice(ctx, account_id=user.account_id, training="off")
    accounts.delete_account(ctx, account_id=user.account_id)
    clock.set(clock.now() + timedelta(days=40))
    retention.sweep_expired(ctx)

    items = feed.read_events(app.engine, limit=1000).items
    types = {i.type for i in items}
    assert types == {
        "account.created",
        "consent.choice",
        "consent.deferral",
        "session.created",
        "message.added",
        "feedback.given",
        "hold.placed",
        "hold.released",
        "run.created",
        "run.started",
        "session.deleted",
        "account.deleted",
        "retention.purged",
    }
    # R15: the final `off` of an account deletion is published like any other choice.
    finals = [i for i in items if i.payload.get("source") == "account_deleted"]
    assert [(f.type, f.payload["value"]) for f in finals] == [("consent.choice", "off")]
    # Payloads carry identifiers, never content.
    assert all("secret" not in str(i.payload) for i in items)
    with app.engine.connect() as conn:
        rows = conn.execute(select(t.outbox.c.id)).scalars().all()
    assert len(rows) == len(items)


def test_a_bad_cursor_or_limit_is_refused(app: App) -> None:
    with pytest.raises(InvalidInput):
        feed.read_events(app.engine, after="abc")
    with pytest.raises(InvalidInput):
        feed.read_events(app.engine, after="-1")
    with pytest.raises(InvalidInput):
        feed.read_events(app.engine, limit=0)
