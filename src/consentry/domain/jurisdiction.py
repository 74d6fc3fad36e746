"""Rules by jurisdiction (docs/rules.md P14-P16, issue 23 item 8).

An account's region is an ISO 3166-1 alpha-2 country code (``DE``) or an ISO 3166-2
subdivision code (``CA-QC``), given at sign-up and kept on the account. The policy maps
regions to rule sets; this module finds the one that applies. Whether a code names a
real country or subdivision is checked where the input arrives (``config.regions``);
here only its shape is, so the domain needs no code list.
"""

from __future__ import annotations

import re

from consentry.domain.policy import Policy, RuleSet

_SHAPE = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")


def normalise_region(code: str) -> str:
    """Upper case without surrounding space; ValueError when it is not shaped like an
    ISO 3166-1 alpha-2 or ISO 3166-2 code."""
    value = code.strip().upper()
    if not _SHAPE.fullmatch(value):
        raise ValueError(
            f"region {code!r} is not an ISO 3166-1 alpha-2 or ISO 3166-2 code (e.g. DE, CA-QC)"
        )
    return value


def rule_set_name(region: str | None, policy: Policy) -> str:
    """P14: the rule set mapped to `region`, else to its country, else the default."""
    table = dict(policy.jurisdictions.regions)
    if region is not None:
        if region in table:
            return table[region]
        country = region.split("-", 1)[0]
        if country in table:
            return table[country]
    return policy.jurisdictions.default


def rule_set_for(region: str | None, policy: Policy) -> RuleSet:
    """The rule set (P14) that applies to an account of `region` (None: no region known)."""
    return policy.rule_set(rule_set_name(region, policy))
