"""Rules by jurisdiction in the service (docs/rules.md P14-P16, issue 23 item 8).

The account's region comes from the sign-up (an explicit field, or the header the
operator's edge sets when a setting names it; never the IP address) and stays on the
account. The rule set the policy maps it to decides the notice's and the sign-up form's
presets and how GPC is honoured; every consent event recorded afterwards carries the
region, the rule set applied and the retention days it promises (P22).
"""

from __future__ import annotations

import dataclasses

from consentry.config.regions import check_region
from consentry.domain.errors import InvalidInput
from consentry.domain.jurisdiction import rule_set_for
from consentry.domain.ledger import promised_days
from consentry.domain.policy import Policy, RetentionPolicy, RuleSet
from consentry.domain.retention import standard_days
from consentry.domain.types import Training
from consentry.service.ports.retention import RetentionStore
from consentry.service.records import AccountRecord


def parse_region(value: str | None) -> str | None:
    """P16: an ISO 3166-1 alpha-2 or ISO 3166-2 code, normalised; None when absent.
    Anything else is 422 `validation_error` with the reason."""
    if value is None or not value.strip():
        return None
    try:
        return check_region(value)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def chosen_region(explicit: str | None, header: str | None) -> str | None:
    """P16: the explicit field wins over the edge's header; both are checked."""
    region = parse_region(explicit)
    return region if region is not None else parse_region(header)


def rule_set_of(policy: Policy, account: AccountRecord) -> RuleSet:
    """P14: the rule set for the account's recorded region."""
    return rule_set_for(account.region, policy)


def event_members(
    policy: Policy, account: AccountRecord, value: Training | None
) -> tuple[tuple[str, str], ...]:
    """P16/P22: the members every new consent event of `account` carries: its region
    (when known), the retention days the event with `value` promises now (its rule set's
    R12 period, P21: fixed in the entry so its receipt never drifts) and the rule set
    applied, in canonical order."""
    rule_set = rule_set_of(policy, account).name
    members: list[tuple[str, str]] = []
    if account.region is not None:
        members.append(("region", account.region))
    members.append(("retention_days", str(promised_days(policy, value, rule_set))))
    members.append(("rule_set", rule_set))
    return tuple(members)


def shorten_retention(policy: Policy, store: RetentionStore, account: AccountRecord) -> None:
    """R18 `shorten` after an opt-out: the account's covered sessions keep the standard
    period of its region's rule set (P21), not the policy's when that one is shorter."""
    store.shorten_retention(account.id, period_days=standard_days(policy, account.region))


def retention_of(policy: Policy, account: AccountRecord | None) -> RetentionPolicy:
    """P21: the policy's retention with the training-on and standard days of `account`'s
    rule set (the policy's own when nobody is signed in or nothing is shortened), for
    the pages that state how long data is kept."""
    if account is None or not policy.jurisdictions.regional_retention:
        return policy.retention
    on, standard = policy.retention_days(rule_set_of(policy, account))
    return dataclasses.replace(policy.retention, training_on=on, standard=standard)
