"""Global Privacy Control (docs/rules.md P4–P6, issue 23 item 2).

A request carrying ``Sec-GPC: 1`` is honoured as the policy's ``gpc`` says. Every effect
is a consent event with source ``gpc`` in the ledger, so it shows in the consent history
and has a receipt like any other choice.
"""

from __future__ import annotations

from consentry.domain.jurisdiction import rule_set_for
from consentry.domain.policy import GpcMode
from consentry.domain.scope import account_scope
from consentry.domain.types import ChoiceSource, Scope, Training
from consentry.service import accounts, jurisdiction
from consentry.service.context import Context
from consentry.service.records import AccountRecord


def signal(header: str | None) -> bool:
    """Whether a `Sec-GPC` header value is the signal: exactly ``1`` (GPC spec §3)."""
    return header is not None and header.strip() == "1"


def mode_for(ctx: Context, region: str | None) -> GpcMode:
    """P15: the GPC handling of the rule set for `region` (the policy's `gpc` for the
    seed's rule set)."""
    return rule_set_for(region, ctx.policy).gpc


def presets_off(ctx: Context, gpc: bool, region: str | None = None) -> bool:
    """P4: the sign-up toggle starts off for a GPC request unless the policy ignores it."""
    return gpc and mode_for(ctx, region) is not GpcMode.IGNORE


def sign_up(
    ctx: Context,
    *,
    plan: str,
    training: str | None,
    gpc: bool,
    preset_shown: bool = False,
    region: str | None = None,
) -> accounts.Credentials:
    """R4 with P4: a consumer sign-up with no explicit choice but a GPC signal is recorded
    as `off`, source `gpc`, when the signal stands for the user's choice: under `opt_out`
    always; under `record` only on the sign-up page, whose toggle the user saw preset off
    (`preset_shown`) and left so. An API sign-up without `training` under `record` stays
    422 `choice_required` (SPEC §3). An explicit choice always wins. The mode is the one
    of the rule set for `region` (P15)."""
    consumer = account_scope(accounts.parse_plan(plan), ctx.policy) is Scope.CONSUMER
    region = jurisdiction.parse_region(region)
    if training is None and gpc and consumer:
        mode = mode_for(ctx, region)
        if mode is GpcMode.OPT_OUT or (preset_shown and mode is GpcMode.RECORD):
            return accounts.sign_up(
                ctx, plan=plan, training="off", source=ChoiceSource.GPC, region=region
            )
    return accounts.sign_up(ctx, plan=plan, training=training, region=region)


def honour(ctx: Context, account: AccountRecord, gpc: bool) -> AccountRecord:
    """P5: under ``gpc = "opt_out"`` a signed-in consumer whose choice is `on` gets an
    opt-out with source `gpc`; the terms they accepted stay as they were."""
    if not gpc or mode_for(ctx, account.region) is not GpcMode.OPT_OUT:
        return account
    if account.scope is not Scope.CONSUMER or account.training is not Training.ON:
        return account
    return accounts.gpc_opt_out(ctx, account_id=account.id)
