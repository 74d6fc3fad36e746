"""Play account plans through the service layer, in time order, on a test clock.

This is the slow, exact path: every rule applies as it would to live traffic, and the
outbox fills as it would. It is meant for small populations (a demo seed, the
equivalence test); :mod:`consentry.demo.bulk` builds large ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from consentry.demo.population import AccountPlan, SessionPlan, author_of, instant
from consentry.domain.clock import TestClock
from consentry.domain.types import Scope
from consentry.service import accounts, retention, sessions
from consentry.service.context import Context

SessionKey = tuple[int, int]
MessageKey = tuple[int, int, int]


@dataclass
class Replayed:
    """What the service layer answered: real ids and tokens, keyed by plan coordinates."""

    tokens: dict[int, str] = field(default_factory=dict)
    accounts: dict[int, str] = field(default_factory=dict)
    sessions: dict[SessionKey, str] = field(default_factory=dict)
    messages: dict[MessageKey, str] = field(default_factory=dict)
    feedback: dict[MessageKey, str] = field(default_factory=dict)
    holds: dict[MessageKey, str] = field(default_factory=dict)
    operations: int = 0


Op = tuple[int, int, int, Callable[[], None]]


def _ops(ctx: Context, plan: AccountPlan, out: Replayed) -> Iterator[Op]:
    a, n = plan.ordinal, 0

    def op(at: int, call: Callable[[], None]) -> Op:
        nonlocal n
        n += 1
        return (at, a, n, call)

    def create() -> None:
        if plan.origin == "import":
            creds = accounts.import_account(ctx, plan=plan.plan.value)
        else:
            first = plan.consent[0].value if plan.scope is Scope.CONSUMER else None
            creds = accounts.sign_up(
                ctx, plan=plan.plan.value, training=first.value if first else None
            )
        out.accounts[a], out.tokens[a] = creds.account_id, creds.token

    yield op(plan.created_at, create)
    steps = plan.consent[1:] if plan.origin == "signup" else plan.consent
    for step in steps:
        if step.type == "deferral":
            yield op(step.at, lambda: _void(accounts.defer_notice(ctx, account_id=out.accounts[a])))
        else:
            value = step.value
            assert value is not None
            call = accounts.accept_notice if step.source == "notice" else accounts.record_choice

            def choose(call: Callable[..., object] = call, v: str = value.value) -> None:
                call(ctx, account_id=out.accounts[a], training=v)

            yield op(step.at, choose)
    for s in plan.sessions:
        yield from _session_ops(ctx, plan, s.no, out, op)
    if plan.deleted_at is not None:
        yield op(plan.deleted_at, lambda: accounts.delete_account(ctx, account_id=out.accounts[a]))


def _void(_: object) -> None:
    return None


def _session_ops(
    ctx: Context,
    plan: AccountPlan,
    no: int,
    out: Replayed,
    op: Callable[[int, Callable[[], None]], Op],
) -> Iterator[Op]:
    """A session's operations in plan order: start, messages, feedback, holds, deletion."""
    a = plan.ordinal
    s = next(x for x in plan.sessions if x.no == no)
    yield from _message_ops(ctx, a, s, out, op)
    yield from _feedback_ops(ctx, a, s, out, op)
    yield from _hold_ops(ctx, a, s, out, op)
    if s.deleted_at is not None:
        yield op(
            s.deleted_at,
            lambda: sessions.delete_session(
                ctx, account_id=out.accounts[a], session_id=out.sessions[(a, no)]
            ),
        )


def _message_ops(
    ctx: Context,
    a: int,
    s: SessionPlan,
    out: Replayed,
    op: Callable[[int, Callable[[], None]], Op],
) -> Iterator[Op]:
    """Start the session, then add each of its messages."""
    no = s.no

    def start() -> None:
        view = sessions.start_session(
            ctx,
            account_id=out.accounts[a],
            kind=s.kind.value,
            surface=s.surface.value,
            incognito=s.incognito,
        )
        out.sessions[(a, no)] = view.session.id

    yield op(s.start, start)
    for m, at in enumerate(s.times):

        def message(m: int = m) -> None:
            record = sessions.add_message(
                ctx,
                account_id=out.accounts[a],
                session_id=out.sessions[(a, no)],
                role=s.roles[m],
                content=s.texts[m],
                author=author_of(s.roles[m]),
            )
            out.messages[(a, no, m)] = record.id

        yield op(at, message)


def _feedback_ops(
    ctx: Context,
    a: int,
    s: SessionPlan,
    out: Replayed,
    op: Callable[[int, Callable[[], None]], Op],
) -> Iterator[Op]:
    """Each rating of an answer in the session."""
    no = s.no
    for k, fb in enumerate(s.feedback):

        def give(k: int = k, fb_message: int = fb.message_no) -> None:
            fb_plan = s.feedback[k]
            record = sessions.give_feedback(
                ctx,
                account_id=out.accounts[a],
                session_id=out.sessions[(a, no)],
                message_id=out.messages[(a, no, fb_message)],
                rating=fb_plan.rating,
                comment=fb_plan.comment,
            )
            out.feedback[(a, no, k)] = record.id

        yield op(fb.at, give)


def _hold_ops(
    ctx: Context,
    a: int,
    s: SessionPlan,
    out: Replayed,
    op: Callable[[int, Callable[[], None]], Op],
) -> Iterator[Op]:
    """Each hold placed on the session, and its release when it has one."""
    no = s.no
    for hold in s.holds:

        def place(h: int = hold.hold_no) -> None:
            plan_h = next(x for x in s.holds if x.hold_no == h)
            record = retention.place_hold(
                ctx, session_id=out.sessions[(a, no)], kind=plan_h.kind, scores=plan_h.scores
            )
            out.holds[(a, no, h)] = record.id

        yield op(hold.at, place)
        if hold.released_at is not None:
            key = (a, no, hold.hold_no)
            yield op(
                hold.released_at,
                lambda key=key: retention.release_hold(ctx, hold_id=out.holds[key]),  # type: ignore[misc]
            )


def replay(
    ctx: Context,
    clock: TestClock,
    plans: list[AccountPlan],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Replayed:
    """Apply every plan through the service functions in global time order.

    Account-level events of a second come before activities of the same second (the
    planner keeps them on even and odd seconds); any refusal is a bug and propagates.
    """
    out = Replayed()
    ops = sorted(
        (o for plan in plans for o in _ops(ctx, plan, out)), key=lambda o: (o[0], o[1], o[2])
    )
    for i, (at, _, _, call) in enumerate(ops):
        clock.set(instant(at))
        call()
        out.operations += 1
        if progress is not None and i % 100 == 0:
            progress(i, len(ops))
    return out
