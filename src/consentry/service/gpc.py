"""Global Privacy Control (docs/rules.md P4–P6, issue 23 item 2).

A request carrying ``Sec-GPC: 1`` is honoured as the policy's ``gpc`` says. Every effect
is a consent event with source ``gpc`` in the ledger, so it shows in the consent history
and has a receipt like any other choice.
"""

from __future__ import annotations

from consentry.domain.policy import GpcMode
from consentry.domain.scope import account_scope
from consentry.domain.types import ChoiceSource, Scope, Training
from consentry.service import accounts
from consentry.service.context import Context
from consentry.service.records import AccountRecord


def signal(header: str | None) -> bool:
    """Whether a `Sec-GPC` header value is the signal: exactly ``1`` (GPC spec §3)."""
    return header is not None and header.strip() == "1"


def presets_off(ctx: Context, gpc: bool) -> bool:
    """P4: the sign-up toggle starts off for a GPC request unless the policy ignores it."""
    return gpc and ctx.policy.gpc is not GpcMode.IGNORE


def sign_up(
    ctx: Context, *, plan: str, training: str | None, gpc: bool, preset_shown: bool = False
) -> accounts.Credentials:
    """R4 with P4: a consumer sign-up with no explicit choice but a GPC signal is recorded
    as `off`, source `gpc`, when the signal stands for the user's choice: under `opt_out`
    always; under `record` only on the sign-up page, whose toggle the user saw preset off
    (`preset_shown`) and left so. An API sign-up without `training` under `record` stays
    422 `choice_required` (SPEC §3). An explicit choice always wins."""
    consumer = account_scope(accounts.parse_plan(plan), ctx.policy) is Scope.CONSUMER
    if training is None and gpc and consumer:
        mode = ctx.policy.gpc
        if mode is GpcMode.OPT_OUT or (preset_shown and mode is GpcMode.RECORD):
            return accounts.sign_up(ctx, plan=plan, training="off", source=ChoiceSource.GPC)
    return accounts.sign_up(ctx, plan=plan, training=training)


def honour(ctx: Context, account: AccountRecord, gpc: bool) -> AccountRecord:
    """P5: under ``gpc = "opt_out"`` a signed-in consumer whose choice is `on` gets an
    opt-out with source `gpc`; the terms they accepted stay as they were."""
    if not gpc or ctx.policy.gpc is not GpcMode.OPT_OUT:
        return account
    if account.scope is not Scope.CONSUMER or account.training is not Training.ON:
        return account
    return accounts.gpc_opt_out(ctx, account_id=account.id)
