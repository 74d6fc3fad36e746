"""The account and session use cases run on the in-memory fakes of their ports (issue 20,
as cosmicpython's service-layer tests): the real `service/accounts.py` and
`service/sessions.py`, no database. tests/integration runs the same use cases on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consentry.domain.clock import TestClock
from consentry.domain.errors import InvalidInput, NotApplicable, NotFound
from consentry.domain.ledger import verify_chain
from consentry.domain.notice import current_terms
from consentry.domain.policy import DEFAULT_POLICY
from consentry.domain.types import ChoiceSource, EventType, Role, Training
from consentry.service import accounts, sessions
from consentry.service.context import Context
from tests.unit.service.fake_uow import FakeUnitOfWork, InMemoryStore

T0 = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)
PERIODS = DEFAULT_POLICY.retention.periods


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def ctx(store: InMemoryStore) -> Context:
    # No cast: mypy checks FakeUnitOfWork against UnitOfWork (fake_uow.py).
    return Context(uow=FakeUnitOfWork(store), policy=DEFAULT_POLICY, clock=TestClock(T0))


def _snapshot(store: InMemoryStore) -> tuple[object, ...]:
    return (
        dict(store.accounts),
        list(store.events),
        dict(store.sessions),
        dict(store.message_rows),
        list(store.published),
    )


def test_a_choice_is_a_ledger_event_and_the_account_projects_it_R3_R8(
    ctx: Context, store: InMemoryStore
) -> None:
    """R3: a choice is a ledger event accepting the terms in force; R8: it can change any
    time; every change is published (issue 7) and the chain links (R27)."""
    creds = accounts.sign_up(ctx, plan="free", training="off")
    assert isinstance(ctx.clock, TestClock)
    ctx.clock.set(T0 + timedelta(days=2))
    view = accounts.record_choice(ctx, account_id=creds.account_id, training="on")

    terms = current_terms(DEFAULT_POLICY, T0 + timedelta(days=2)).version
    assert view.training is Training.ON and view.terms_version_accepted == terms
    account = store.accounts[creds.account_id]
    assert (account.training, account.choice_at) == (Training.ON, T0 + timedelta(days=2))
    events = list(store.consent_events(creds.account_id))
    assert [(e.type, e.value, e.source) for e in events] == [
        (EventType.CHOICE, Training.OFF, ChoiceSource.SIGNUP),
        (EventType.CHOICE, Training.ON, ChoiceSource.SETTINGS),
    ]
    head = store.ledger_head()
    assert verify_chain(store.events, head_seq=head.seq, head_hash=head.hash).ok
    assert [t for t, _, _ in store.published] == [
        "account.created",
        "consent.choice",
        "consent.choice",
    ]


def test_a_refused_choice_writes_nothing_R2(ctx: Context, store: InMemoryStore) -> None:
    """R2: commercial plans have no choice; the refusal leaves the store as it was (the
    unit of work was not committed)."""
    creds = accounts.sign_up(ctx, plan="team", training=None)
    before = _snapshot(store)
    with pytest.raises(NotApplicable):
        accounts.record_choice(ctx, account_id=creds.account_id, training="on")
    with pytest.raises(InvalidInput):
        accounts.record_choice(ctx, account_id=creds.account_id, training="maybe")
    assert _snapshot(store) == before


def test_a_message_while_on_covers_the_session_and_keeps_it_longer_R10_R12(
    ctx: Context, store: InMemoryStore
) -> None:
    """R10: a message while training is on covers the session from that activity; R12:
    it keeps the session for the training-on period from the last activity."""
    creds = accounts.sign_up(ctx, plan="pro", training="on")
    started = sessions.start_session(ctx, account_id=creds.account_id, kind="chat")
    assert isinstance(ctx.clock, TestClock)
    at = ctx.clock.set(T0 + timedelta(hours=1))
    message = sessions.add_message(
        ctx, account_id=creds.account_id, session_id=started.session.id, role="user", content="hi"
    )

    assert message.covered and message.role is Role.USER
    assert store.messages(started.session.id) == [message]
    session = store.sessions[started.session.id]
    assert session.first_covered_at == T0 and session.last_activity_at == at
    assert session.retain_until == at + PERIODS.training_on
    assert store.published[-1][0] == "message.added"
    assert store.published[-1][1]["covered"] is True


def test_a_message_while_off_is_not_covered_and_keeps_the_standard_period_R9_R12(
    ctx: Context, store: InMemoryStore
) -> None:
    """R9: with training off an activity is not covered; R12: the standard period."""
    creds = accounts.sign_up(ctx, plan="free", training="off")
    started = sessions.start_session(ctx, account_id=creds.account_id, kind="chat")
    message = sessions.add_message(
        ctx, account_id=creds.account_id, session_id=started.session.id, role="user", content="x"
    )
    session = store.sessions[started.session.id]
    assert not message.covered and session.first_covered_at is None
    assert session.retain_until == T0 + PERIODS.standard


def test_another_accounts_session_is_not_found_and_nothing_is_written_R14(
    ctx: Context, store: InMemoryStore
) -> None:
    """A session of another account is simply not found (never 403), and the failed use
    case leaves no activity, message or event behind."""
    owner = accounts.sign_up(ctx, plan="free", training="on")
    other = accounts.sign_up(ctx, plan="free", training="on")
    started = sessions.start_session(ctx, account_id=owner.account_id, kind="chat")
    before = (_snapshot(store), list(store.activities))
    with pytest.raises(NotFound):
        sessions.add_message(
            ctx,
            account_id=other.account_id,
            session_id=started.session.id,
            role="user",
            content="x",
        )
    assert (_snapshot(store), list(store.activities)) == before
