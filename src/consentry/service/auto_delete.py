"""Auto-delete chosen by the user (docs/rules.md P12, P13; issue 23 item 1).

A consumer account picks how long its history is kept: one of the policy's
`auto_delete.offered_months` or "until I delete it". The choice is a consent event in the
ledger; it can only shorten retention (R12 stays the bound), and the sweeper purges what
it shortens like anything else whose retention ended (R17).
"""

from __future__ import annotations

from dataclasses import dataclass

from consentry.domain import notice as notice_rules
from consentry.domain.errors import InvalidInput, NotApplicable, Unauthenticated
from consentry.domain.policy import Policy
from consentry.domain.types import ChoiceSource, EventType, Scope
from consentry.service import jurisdiction
from consentry.service.context import Context
from consentry.service.records import AccountRecord


@dataclass(frozen=True)
class AutoDeleteState:
    """P12: the choice (None: until the user deletes it, also while never chosen),
    whether one was made, the periods offered and the control's preset."""

    months: int | None
    chosen: bool
    offered_months: tuple[int, ...]
    preset_months: int | None


def auto_delete_state(policy: Policy, account: AccountRecord) -> AutoDeleteState:
    """P12/P15: the control's preset is the choice, or while there is none the rule
    set's default, else the policy's."""
    stored = account.auto_delete_months  # None: never chose; 0: "until I delete it"
    months = stored or None
    rule_set = jurisdiction.rule_set_of(policy, account)
    preset = rule_set.auto_delete_default_months or policy.auto_delete.default_months
    return AutoDeleteState(
        months=months,
        chosen=stored is not None,
        offered_months=policy.auto_delete.offered_months,
        preset_months=months if stored is not None else preset,
    )


def option(months: int | None) -> str:
    """The ledger's form of a choice (P12): ``18m``, or ``off`` for "until I delete it"."""
    return "off" if months is None else f"{months}m"


def parse_months(ctx: Context, months: object) -> int | None:
    """P12: an offered number of months, or None ("until I delete it")."""
    offered = ctx.policy.auto_delete.offered_months
    if months is None:
        return None
    if isinstance(months, bool) or not isinstance(months, int) or months not in offered:
        allowed = ", ".join(str(m) for m in offered)
        raise InvalidInput(f"months must be one of {allowed} or null, not {months!r}")
    return months


def choose_auto_delete(
    ctx: Context, *, account_id: str, months: object, source: ChoiceSource = ChoiceSource.SETTINGS
) -> AccountRecord:
    """P12/P13: record the choice in the ledger and cap the account's sessions at their
    last activity + `months` (only ever earlier), in one transaction."""
    value = parse_months(ctx, months)
    with ctx.uow() as uow:
        now = ctx.clock.now()
        account = uow.store.get_account(account_id)
        if account is None or account.deleted_at is not None:
            raise Unauthenticated("the account no longer exists")
        if account.scope is not Scope.CONSUMER:
            raise NotApplicable("commercial plans keep data for their contract's period")
        terms = notice_rules.current_terms(ctx.policy, now)
        members = (
            ("auto_delete", option(value)),
            *jurisdiction.event_members(ctx.policy, account, None),
        )
        uow.store.append_consent_event(
            account_id=account.id,
            at=now,
            type=EventType.AUTO_DELETE,
            value=None,
            source=source,
            terms_version=terms.version,
            extra=members,
        )
        uow.store.set_auto_delete(account.id, months=0 if value is None else value)
        if value is not None:
            uow.store.cap_retention(account.id, months=value)
        uow.store.publish(
            "consent.auto_delete",
            {"account_id": account.id, "auto_delete": option(value), "source": source},
            now,
        )
        updated = uow.store.get_account(account.id)
        uow.commit()
    assert updated is not None
    return updated
