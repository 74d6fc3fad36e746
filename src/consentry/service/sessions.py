"""Sessions, messages and feedback (R7, R9–R14): every activity records its coverage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from consentry.domain import authorship
from consentry.domain import notice as notice_rules
from consentry.domain.coverage import is_covered
from consentry.domain.errors import (
    AssistantNeedsService,
    ChoiceRequired,
    InvalidInput,
    NotFound,
    TooLarge,
    Unauthenticated,
)
from consentry.domain.ids import new_id
from consentry.domain.retention import add_months, feedback_retain_until, retention_period
from consentry.domain.scope import session_scope
from consentry.domain.types import Author, Rating, Role, SessionKind, Surface
from consentry.service.accounts import load_account, state_of
from consentry.service.context import Context, UnitOfWork
from consentry.service.records import (
    AccountRecord,
    FeedbackRecord,
    MessageRecord,
    SessionRecord,
)
from consentry.service.tokens import account_by_token, hash_token


@dataclass(frozen=True)
class SessionView:
    session: SessionRecord
    covered: bool
    messages: tuple[MessageRecord, ...] = ()


E = TypeVar("E", bound=StrEnum)


def check_text(value: str, what: str, limit: int) -> None:
    """Text every store can hold: bounded, valid Unicode (no lone surrogates) and no NUL,
    which PostgreSQL text refuses; refused as input rather than failing in the driver."""
    if len(value) > limit:
        raise TooLarge(f"{what} may hold at most {limit} characters")
    if "\x00" in value:
        raise InvalidInput(f"{what} may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{what} is not valid Unicode (a lone surrogate)") from None


def parse_enum(kind: type[E], value: str, what: str) -> E:
    """A member of `kind`, or a validation error that lists the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(v.value for v in kind)
        raise InvalidInput(f"unknown {what} {value!r}; expected one of {allowed}") from None


def _require_open(ctx: Context, account: AccountRecord) -> None:
    """R7: after the deadline a pending notice blocks new activity until the user chooses."""
    decision = notice_rules.gate(state_of(account), ctx.policy, ctx.clock.now())
    if decision.blocked:
        raise ChoiceRequired(f"a training choice is required to continue: {decision.reason}")


def _own_session(uow: UnitOfWork, account_id: str, session_id: str) -> SessionRecord:
    """Another account's session, or a deleted or purged one, is simply not found (never
    403). A purged session (R17) takes no new content: the sweeper never selects it again."""
    return _owned(uow.store.get_session(session_id), account_id, session_id)


def _owned(session: SessionRecord | None, account_id: str, session_id: str) -> SessionRecord:
    """:func:`_own_session` of a session already read."""
    if (
        session is None
        or session.account_id != account_id
        or session.deleted_at is not None
        or session.purged_at is not None
    ):
        raise NotFound(f"no session {session_id!r}")
    return session


def _activity(
    ctx: Context, uow: UnitOfWork, account: AccountRecord, session: SessionRecord, kind: str
) -> tuple[datetime, bool]:
    """R9 and R12: record one activity, its coverage, and push retention forward."""
    now = ctx.clock.now()
    covered, until = _coverage(ctx, account, session, now)
    uow.store.add_activity(session.id, at=now, covered=covered, kind=kind)
    uow.store.record_activity(session.id, at=now, covered=covered, retain_until=until)
    return now, covered


def _coverage(
    ctx: Context, account: AccountRecord, session: SessionRecord, now: datetime
) -> tuple[bool, datetime]:
    """An activity's coverage (R9) and the retention it pushes the session to (R12)."""
    covered = is_covered(
        scope=session.scope, incognito=session.incognito, training=account.training
    ).covered
    period = retention_period(
        scope=session.scope,
        incognito=session.incognito,
        covered=covered,
        policy=ctx.policy,
        region=account.region,  # P21
    )
    until = now + period
    if account.auto_delete_months:  # P13: the user's auto-delete only shortens
        until = min(until, add_months(now, account.auto_delete_months))
    return covered, until


def start_session(
    ctx: Context, *, account_id: str, kind: str, surface: str | None = None, incognito: bool = False
) -> SessionView:
    kind_value, surface_value = _session_kind(kind, surface)
    with ctx.uow() as uow:
        account = load_account(uow, account_id)
        return _start(ctx, uow, account, kind_value, surface_value, incognito)


def start_session_with_token(
    ctx: Context, *, token: str, kind: str, surface: str | None = None, incognito: bool = False
) -> SessionView:
    """:func:`start_session` by the account whose token this is, looked up in the new
    session's own transaction (issue 22: one transaction instead of two). Refused like
    :func:`~consentry.service.accounts.authenticate` (R15), before anything else."""
    with ctx.uow() as uow:
        account = account_by_token(uow, token)
        kind_value, surface_value = _session_kind(kind, surface)
        return _start(ctx, uow, account, kind_value, surface_value, incognito)


def _session_kind(kind: str, surface: str | None) -> tuple[SessionKind, Surface]:
    kind_value = parse_enum(SessionKind, kind, "session kind")
    surface_value = parse_enum(
        Surface, surface or ("code" if kind_value is SessionKind.CODE else "web"), "surface"
    )
    return kind_value, surface_value


def _start(
    ctx: Context,
    uow: UnitOfWork,
    account: AccountRecord,
    kind: SessionKind,
    surface: Surface,
    incognito: bool,
) -> SessionView:
    _require_open(ctx, account)
    now = ctx.clock.now()
    session = SessionRecord(
        id=new_id("ses"),
        account_id=account.id,
        kind=kind,
        surface=surface,
        incognito=incognito,
        scope=session_scope(account.plan, surface, ctx.policy),
        created_at=now,
        last_activity_at=now,
        first_covered_at=None,
        retain_until=now,
        deleted_at=None,
        purge_at=None,
        purged_at=None,
    )
    uow.store.insert_session(session)
    _, covered = _activity(ctx, uow, account, session, "start")
    uow.store.publish("session.created", {"account_id": account.id, "session_id": session.id}, now)
    stored = uow.store.get_session(session.id)
    assert stored is not None
    uow.commit()
    return SessionView(stored, covered)


def add_message(
    ctx: Context,
    *,
    account_id: str,
    session_id: str,
    role: str,
    content: str,
    author: Author = Author.ACCOUNT,
) -> MessageRecord:
    """R10: a message on an old session while training is on resumes (covers) it.

    `author` is the kind of credential writing it: the account's own token unless the
    caller is the assistant's backend with a service token. Under the policy's
    `assistant_messages_from = "service"`, an account may not write `role: assistant`
    (403 `assistant_requires_service`, issue 17 item 7)."""
    role_value = _message_role(ctx, role, content, author)
    with ctx.uow() as uow:
        account = load_account(uow, account_id)
        return _append(ctx, uow, account, session_id, role_value, content, author)


def add_message_with_token(
    ctx: Context, *, token: str, session_id: str, role: str, content: str
) -> MessageRecord:
    """:func:`add_message` by the account whose token this is, looked up in the append's
    own transaction (issue 22: one transaction per append instead of two). Refused like
    :func:`~consentry.service.accounts.authenticate` (R15: a deleted account's token is
    dead), and before anything about the message is looked at."""
    digest = hash_token(token)
    with ctx.uow() as uow:
        # One read for the token's account and the session (issue 22); judged in the
        # order of two: the token, the message, the notice (R7), then the session.
        account, session = uow.store.token_account_and_session(digest, session_id)
        if account is None or account.deleted_at is not None:
            raise Unauthenticated("missing, invalid or revoked token")
        role_value = _message_role(ctx, role, content, Author.ACCOUNT)
        _require_open(ctx, account)
        owned = _owned(session, account.id, session_id)
        return _write(ctx, uow, account, owned, role_value, content, Author.ACCOUNT)


def _message_role(ctx: Context, role: str, content: str, author: Author) -> Role:
    """The message's role, once the role, its author and the text are ones it may have."""
    role_value = parse_enum(Role, role, "role")
    refused = authorship.refusal(role=role_value, author=author, policy=ctx.policy)
    if refused is not None:
        raise AssistantNeedsService(refused)
    check_text(content, "a message", ctx.max_message_chars)
    return role_value


def _append(
    ctx: Context,
    uow: UnitOfWork,
    account: AccountRecord,
    session_id: str,
    role_value: Role,
    content: str,
    author: Author,
) -> MessageRecord:
    """The append itself, in the caller's unit of work, committed before it returns."""
    _require_open(ctx, account)
    session = _own_session(uow, account.id, session_id)
    return _write(ctx, uow, account, session, role_value, content, author)


def _write(
    ctx: Context,
    uow: UnitOfWork,
    account: AccountRecord,
    session: SessionRecord,
    role_value: Role,
    content: str,
    author: Author,
) -> MessageRecord:
    """The append's writes (R9, R10, R12) in the caller's unit of work, committed: its
    activity, the session's projections, the message and its event (one statement on
    PostgreSQL, issue 22)."""
    at = ctx.clock.now()
    covered, until = _coverage(ctx, account, session, at)
    message = MessageRecord(new_id("msg"), session.id, role_value, content, at, covered, author)
    uow.store.record_message(
        message,
        retain_until=until,
        event="message.added",
        payload={
            "account_id": account.id,
            "session_id": session.id,
            "message_id": message.id,
            "covered": covered,
            "author": author.value,
        },
    )
    uow.commit()
    return message


def list_sessions(
    ctx: Context, *, account_id: str, limit: int = 50, after: str | None = None
) -> list[SessionRecord]:
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        return uow.store.list_sessions(account_id, limit=limit, after=after)


def get_session(ctx: Context, *, account_id: str, session_id: str) -> SessionView:
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        session = _own_session(uow, account_id, session_id)
        messages = tuple(uow.store.messages(session.id))
    return SessionView(session, session.first_covered_at is not None, messages)


def delete_session(ctx: Context, *, account_id: str, session_id: str) -> None:
    """R14: gone from history and reads at once; purged by deletion + grace (R7: never blocked)."""
    with ctx.uow() as uow:
        now = ctx.clock.now()
        load_account(uow, account_id)
        session = _own_session(uow, account_id, session_id)
        grace = now + ctx.policy.retention.days("deleted_grace")
        uow.store.delete_session(session.id, at=now, purge_by=grace)
        uow.store.publish(
            "session.deleted", {"account_id": account_id, "session_id": session.id}, now
        )
        uow.commit()


def give_feedback(
    ctx: Context,
    *,
    account_id: str,
    session_id: str,
    message_id: str,
    rating: str,
    comment: str | None = None,
) -> FeedbackRecord:
    """R13: feedback keeps `retention.feedback` days and remembers the choice at submission."""
    rating_value = parse_enum(Rating, rating, "rating")
    if comment is not None:
        check_text(comment, "a comment", ctx.max_message_chars)
    with ctx.uow() as uow:
        account = load_account(uow, account_id)
        _require_open(ctx, account)
        session = _own_session(uow, account.id, session_id)
        message = uow.store.get_message(message_id)
        if message is None or message.session_id != session.id:
            raise NotFound(f"no message {message_id!r} in this session")
        if message.role is not Role.ASSISTANT:
            raise InvalidInput("feedback rates an assistant message")
        now = ctx.clock.now()
        record = FeedbackRecord(
            id=new_id("fbk"),
            account_id=account.id,
            session_id=session.id,
            message_id=message.id,
            rating=rating_value,
            comment=comment,
            at=now,
            choice_at_submission=account.training,
            retain_until=feedback_retain_until(now, ctx.policy),
            deleted_at=None,
        )
        uow.store.insert_feedback(record)
        uow.store.publish(
            "feedback.given",
            {"account_id": account.id, "session_id": session.id, "feedback_id": record.id},
            now,
        )
        uow.commit()
    return record
