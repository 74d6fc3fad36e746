"""Accounts and choices: sign-up, import, the notice, settings, history, deletion (R3–R8, R15)."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime

from consentry.domain import notice as notice_rules
from consentry.domain.clock import iso
from consentry.domain.errors import ChoiceMissing, InvalidInput, NotApplicable, Unauthenticated
from consentry.domain.ids import new_id
from consentry.domain.notice import Notice, PrivacyState
from consentry.domain.scope import account_scope
from consentry.domain.types import ChoiceSource, EventType, Plan, Scope, Training
from consentry.service import jurisdiction
from consentry.service.auto_delete import AutoDeleteState, auto_delete_state
from consentry.service.context import Context, UnitOfWork
from consentry.service.records import AccountRecord
from consentry.service.tokens import account_by_token
from consentry.service.tokens import authenticate as authenticate  # re-exported
from consentry.service.tokens import hash_token as hash_token


@dataclass(frozen=True)
class Credentials:
    account_id: str
    token: str


@dataclass(frozen=True)
class PrivacyView:
    account_id: str
    plan: Plan
    scope: Scope
    training: Training
    terms_version_accepted: str | None
    notice: Notice | None
    blocked: bool
    retention_days: int
    region: str | None = None
    """The ISO 3166 region recorded at sign-up (P16)."""
    rule_set: str | None = None
    """The rule set applied to the account (P14); None for commercial accounts."""
    auto_delete: AutoDeleteState | None = None
    """The auto-delete choice (P12); None for commercial accounts."""


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    type: str
    value: str | None
    source: str | None
    terms_version: str
    auto_delete: str | None = None
    """For an `auto_delete` event (P12): ``3m``, ``18m``, ``36m`` or ``off``."""


def parse_plan(value: str) -> Plan:
    try:
        return Plan(value)
    except ValueError:
        allowed = ", ".join(p.value for p in Plan)
        raise InvalidInput(f"unknown plan {value!r}; expected one of {allowed}") from None


def parse_choice(value: str | None) -> Training | None:
    if value is None:
        return None
    if value not in (Training.ON.value, Training.OFF.value):
        raise InvalidInput(f"training must be 'on' or 'off', not {value!r}")
    return Training(value)


def state_of(account: AccountRecord) -> PrivacyState:
    return PrivacyState(
        scope=account.scope,
        training=account.training,
        terms_accepted=account.terms_accepted,
        deleted=account.deleted_at is not None,
    )


def _new_account(
    ctx: Context,
    uow: UnitOfWork,
    *,
    plan: Plan,
    training: Training | None,
    source: ChoiceSource,
    region: str | None = None,
) -> Credentials:
    now = ctx.clock.now()
    scope = account_scope(plan, ctx.policy)
    token = secrets.token_urlsafe(32)
    account = AccountRecord(
        id=new_id("acc"),
        plan=plan,
        scope=scope,
        created_at=now,
        training=Training.NOT_APPLICABLE if scope is Scope.COMMERCIAL else Training.UNSET,
        terms_accepted=None,
        choice_at=None,
        deleted_at=None,
        region=region,
    )
    uow.store.insert_account(account, hash_token(token))
    uow.store.publish("account.created", {"account_id": account.id, "plan": plan}, now)
    if scope is Scope.CONSUMER and training is not None:
        _record(ctx, uow, account, training, source)
    return Credentials(account.id, token)


def sign_up(
    ctx: Context,
    *,
    plan: str,
    training: str | None,
    source: ChoiceSource = ChoiceSource.SIGNUP,
    region: str | None = None,
) -> Credentials:
    """R4: a new consumer account must choose at sign-up; commercial ones have no choice.
    `source` is `gpc` when a GPC signal made the choice (P4, :mod:`consentry.service.gpc`).
    `region` (P16) is an ISO 3166 code, checked here, recorded on the account."""
    plan_value, choice = parse_plan(plan), parse_choice(training)
    region_value = jurisdiction.parse_region(region)
    if account_scope(plan_value, ctx.policy) is Scope.CONSUMER and choice is None:
        raise ChoiceMissing(
            "consumer plans must choose 'on' or 'off' for model training at sign-up"
        )
    with ctx.uow() as uow:
        creds = _new_account(
            ctx, uow, plan=plan_value, training=choice, source=source, region=region_value
        )
        uow.commit()
    _observe_new(ctx, plan_value, choice, source)
    return creds


def import_account(
    ctx: Context, *, plan: str, training: str | None = None, region: str | None = None
) -> Credentials:
    """An existing user brought in by an operator: `unset` unless a prior choice is imported.
    `region` (P16) is the ISO 3166 region the operator knows for the user, if any."""
    plan_value, choice = parse_plan(plan), parse_choice(training)
    region_value = jurisdiction.parse_region(region)
    with ctx.uow() as uow:
        creds = _new_account(
            ctx,
            uow,
            plan=plan_value,
            training=choice,
            source=ChoiceSource.ADMIN_IMPORT,
            region=region_value,
        )
        uow.commit()
    _observe_new(ctx, plan_value, choice, ChoiceSource.ADMIN_IMPORT)
    return creds


def _observe_new(ctx: Context, plan: Plan, choice: Training | None, source: ChoiceSource) -> None:
    """A new account's choice counts when one was recorded: consumer plans only (R2)."""
    if choice is not None and account_scope(plan, ctx.policy) is Scope.CONSUMER:
        ctx.observer.choice_recorded(choice, source)


def rotate_token(ctx: Context, *, account_id: str) -> Credentials:
    """A new account token; the old one is dead at once and every browser session of the
    account ends, in one transaction (issue 17 item 3). The new token is shown once."""
    token = secrets.token_urlsafe(32)
    with ctx.uow() as uow:
        account = load_account(uow, account_id)
        uow.store.set_token_hash(account.id, hash_token(token))
        uow.store.delete_account_web_sessions(account.id)
        uow.commit()
    return Credentials(account.id, token)


def load_account(uow: UnitOfWork, account_id: str) -> AccountRecord:
    account = uow.store.get_account(account_id)
    if account is None or account.deleted_at is not None:
        raise Unauthenticated("the account no longer exists")
    return account


def privacy_view(ctx: Context, account: AccountRecord) -> PrivacyView:
    now = ctx.clock.now()
    state = state_of(account)
    rule_set = jurisdiction.rule_set_of(ctx.policy, account)
    if account.scope is Scope.COMMERCIAL:
        days = ctx.policy.retention.commercial
    else:  # P21: the periods of the account's rule set
        on_days, standard_days = ctx.policy.retention_days(rule_set)
        days = on_days if account.training is Training.ON else standard_days
    notice = notice_rules.pending_notice(state, ctx.policy, now)
    consumer = account.scope is Scope.CONSUMER
    if notice is not None and account.training is Training.UNSET:
        # P15: the notice's preset is the account's rule set's (R5 for the seed's)
        preset = Training.ON if rule_set.notice_default_training else Training.OFF
        notice = dataclasses.replace(notice, default_training=preset)
    return PrivacyView(
        account_id=account.id,
        plan=account.plan,
        scope=account.scope,
        training=account.training,
        terms_version_accepted=account.terms_accepted,
        notice=notice,
        blocked=notice_rules.is_blocked(state, ctx.policy, now),
        retention_days=days,
        region=account.region,
        rule_set=rule_set.name if consumer else None,
        auto_delete=auto_delete_state(ctx.policy, account) if consumer else None,
    )


def get_privacy(ctx: Context, *, account_id: str) -> PrivacyView:
    with ctx.uow(read_only=True) as uow:
        return privacy_view(ctx, load_account(uow, account_id))


def _record(
    ctx: Context,
    uow: UnitOfWork,
    account: AccountRecord,
    value: Training,
    source: ChoiceSource,
    *,
    accepts_terms: bool = True,
) -> AccountRecord:
    """R3/R8: a choice is a ledger event that accepts the terms in force; it takes effect now."""
    now = ctx.clock.now()
    terms = notice_rules.current_terms(ctx.policy, now)
    uow.store.append_consent_event(
        account_id=account.id,
        at=now,
        type=EventType.CHOICE,
        value=value,
        source=source,
        terms_version=terms.version,
        extra=jurisdiction.event_members(ctx.policy, account, value),
    )
    # A GPC opt-out of a signed-in account is the browser's signal, not the user answering
    # the notice: it accepts no terms (P5), so a pending notice stays pending.
    accepted = terms.version if accepts_terms else account.terms_accepted
    uow.store.set_privacy(account.id, training=value, terms_accepted=accepted, at=now)
    turned_off = account.training is Training.ON and value is Training.OFF
    if turned_off and ctx.policy.retention.on_opt_out.value == "shorten":
        jurisdiction.shorten_retention(ctx.policy, uow.store, account)
    uow.store.publish(
        "consent.choice",
        {
            "account_id": account.id,
            "value": value,
            "source": source,
            "terms_version": terms.version,
        },
        now,
    )
    updated = uow.store.get_account(account.id)
    assert updated is not None
    return updated


def record_choice(
    ctx: Context, *, account_id: str, training: str, source: ChoiceSource = ChoiceSource.SETTINGS
) -> PrivacyView:
    """R8: change the choice any time; R5: answering the notice is the same act."""
    value = _given_choice(training)
    with ctx.uow() as uow:
        account = _record_choice(ctx, uow, load_account(uow, account_id), value, source)
    ctx.observer.choice_recorded(value, source)
    return privacy_view(ctx, account)


def record_choice_with_token(ctx: Context, *, token: str, training: str) -> PrivacyView:
    """:func:`record_choice` (settings) by a token's account, found in its transaction."""
    with ctx.uow() as uow:
        account = account_by_token(uow, token)
        value = _given_choice(training)
        account = _record_choice(ctx, uow, account, value, ChoiceSource.SETTINGS)
    ctx.observer.choice_recorded(value, ChoiceSource.SETTINGS)
    return privacy_view(ctx, account)


def _given_choice(training: str) -> Training:
    if (value := parse_choice(training)) is None:
        raise InvalidInput("training is required")
    return value


def _record_choice(
    ctx: Context, uow: UnitOfWork, account: AccountRecord, value: Training, source: ChoiceSource
) -> AccountRecord:
    if account.scope is Scope.COMMERCIAL:
        raise NotApplicable("commercial plans have no training choice; their data never trains")
    account = _record(ctx, uow, account, value, source)
    uow.commit()
    return account


def gpc_opt_out(ctx: Context, *, account_id: str) -> AccountRecord:
    """P5: record `off` with source `gpc` if the choice is still `on` (checked in the same
    transaction, so two signals at once record one opt-out)."""
    with ctx.uow() as uow:
        account = load_account(uow, account_id)
        if account.scope is not Scope.CONSUMER or account.training is not Training.ON:
            return account
        account = _record(ctx, uow, account, Training.OFF, ChoiceSource.GPC, accepts_terms=False)
        uow.commit()
    ctx.observer.choice_recorded(Training.OFF, ChoiceSource.GPC)
    return account


def accept_notice(ctx: Context, *, account_id: str, training: str) -> PrivacyView:
    return record_choice(ctx, account_id=account_id, training=training, source=ChoiceSource.NOTICE)


def defer_notice(ctx: Context, *, account_id: str) -> PrivacyView:
    """R6: "Not now" is recorded in the ledger and leaves the notice pending."""
    with ctx.uow() as uow:
        now = ctx.clock.now()
        account = load_account(uow, account_id)
        if account.scope is Scope.COMMERCIAL:
            raise NotApplicable("commercial plans have no training notice")
        notice = notice_rules.check_deferral(state_of(account), ctx.policy, now)
        uow.store.append_consent_event(
            account_id=account.id,
            at=now,
            type=EventType.DEFERRAL,
            value=None,
            source=ChoiceSource.NOTICE,
            terms_version=notice.terms_version,
            extra=jurisdiction.event_members(ctx.policy, account, None),
        )
        uow.store.publish("consent.deferral", {"account_id": account.id}, now)
        uow.commit()
    ctx.observer.notice_deferred()
    return privacy_view(ctx, account)


def consent_history(ctx: Context, *, account_id: str) -> list[HistoryItem]:
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        return [
            HistoryItem(
                at=e.at,
                type=e.type.value,
                value=e.value.value if e.value else None,
                source=e.source.value if e.source else None,
                terms_version=e.terms_version,
                auto_delete=dict(e.extra).get("auto_delete"),
            )
            for e in uow.store.consent_events(account_id)
        ]


def delete_account(ctx: Context, *, account_id: str) -> None:
    """R15: sessions and feedback deleted, a final `off`, credentials revoked: one transaction."""
    with ctx.uow() as uow:
        now = ctx.clock.now()
        account = load_account(uow, account_id)
        grace = now + ctx.policy.retention.days("deleted_grace")
        uow.store.delete_account_sessions(account.id, at=now, purge_by=grace)
        uow.store.mark_feedback_deleted(account.id, at=now, purge_by=grace)
        if account.training is Training.ON and ctx.policy.retention.on_opt_out.value == "shorten":
            # R18: the final `off` below is an opt-out like any other (the domain's
            # retain_until and the audit count it so; the property test found the gap).
            jurisdiction.shorten_retention(ctx.policy, uow.store, account)
        if account.scope is Scope.CONSUMER:
            terms = notice_rules.current_terms(ctx.policy, now)
            uow.store.append_consent_event(
                account_id=account.id,
                at=now,
                type=EventType.CHOICE,
                value=Training.OFF,
                source=ChoiceSource.ACCOUNT_DELETED,
                terms_version=account.terms_accepted or terms.version,
                extra=jurisdiction.event_members(ctx.policy, account, Training.OFF),
            )
            uow.store.set_privacy(
                account.id, training=Training.OFF, terms_accepted=account.terms_accepted, at=now
            )
            uow.store.publish(
                "consent.choice",
                {
                    "account_id": account.id,
                    "value": Training.OFF,
                    "source": ChoiceSource.ACCOUNT_DELETED,
                    "terms_version": account.terms_accepted or terms.version,
                },
                now,
            )
        uow.store.mark_account_deleted(account.id, now)
        uow.store.delete_account_web_sessions(account.id)  # signed out everywhere
        uow.store.publish("account.deleted", {"account_id": account.id, "at": iso(now)}, now)
        uow.commit()
    if account.scope is Scope.CONSUMER:
        ctx.observer.choice_recorded(Training.OFF, ChoiceSource.ACCOUNT_DELETED)
