"""Retention periods per region (docs/rules.md P21, issue 23 item 8): a rule set may only
shorten the policy's training-on and standard periods, and the domain's retention uses
the periods of the rule set the account's region maps to."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from consentry.config.policy_file import parse_policy
from consentry.domain.errors import PolicyInvalid
from consentry.domain.ledger import ConsentEvent, consent_receipt
from consentry.domain.policy import (
    DEFAULT_POLICY,
    GpcMode,
    JurisdictionPolicy,
    OnOptOut,
    Policy,
    RuleSet,
    SignupPreset,
)
from consentry.domain.retention import retain_until, retention_period, standard_days
from consentry.domain.types import ActivityFact, ChoicePoint, EventType, Scope, Training

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def regional(on: int | None = 365, standard: int | None = 7, **retention: object) -> Policy:
    """The default policy plus a `short` rule set for DE (and Quebec's subdivision)."""
    short = RuleSet(
        "short",
        True,
        SignupPreset.NONE,
        GpcMode.RECORD,
        retention_training_on=on,
        retention_standard=standard,
    )
    return dataclasses.replace(
        DEFAULT_POLICY,
        retention=dataclasses.replace(DEFAULT_POLICY.retention, **retention),
        jurisdictions=JurisdictionPolicy(
            rule_sets=(*DEFAULT_POLICY.jurisdictions.rule_sets, short),
            regions=(("CA-QC", "short"), ("DE", "short")),
        ),
    )


def test_a_shortened_regions_activities_earn_its_periods_P21() -> None:
    """P21: DE (and CA-QC) earn the rule set's days; FR, CA-ON and no region the policy's;
    commercial and incognito periods are not regional."""
    policy = regional()
    for region, covered, days in (
        ("DE", True, 365),
        ("DE", False, 7),
        ("CA-QC", True, 365),
        ("FR", True, 1825),
        ("CA-ON", False, 30),
        (None, True, 1825),
    ):
        period = retention_period(
            scope=Scope.CONSUMER, incognito=False, covered=covered, policy=policy, region=region
        )
        assert period == timedelta(days=days), (region, covered)
    for scope, incognito in ((Scope.COMMERCIAL, False), (Scope.CONSUMER, True)):
        period = retention_period(
            scope=scope, incognito=incognito, covered=False, policy=policy, region="DE"
        )
        assert period == timedelta(days=30)
    assert (standard_days(policy, "DE"), standard_days(policy, "FR")) == (7, 30)


def test_retain_until_uses_the_accounts_region_with_shorten_P21_R12_R18() -> None:
    """P21 with R12/R18: the latest activity + its region's period; under `shorten` a
    covered activity followed by an opt-out earns the region's standard period."""
    policy = regional(on_opt_out=OnOptOut.SHORTEN)
    acts = [ActivityFact(T0, True), ActivityFact(T0 + timedelta(days=2), False)]
    choices = [ChoicePoint(T0 - timedelta(days=1), Training.ON)]

    def until(region: str | None, *more: ChoicePoint) -> datetime | None:
        return retain_until(
            scope=Scope.CONSUMER,
            incognito=False,
            activities=acts,
            choices=[*choices, *more],
            policy=policy,
            region=region,
        )

    assert until("DE") == T0 + timedelta(days=365)
    assert until("US") == T0 + timedelta(days=1825)
    off = ChoicePoint(T0 + timedelta(days=1), Training.OFF)
    assert until("DE", off) == T0 + timedelta(days=2 + 7)
    assert until("US", off) == T0 + timedelta(days=2 + 30)


def test_a_rule_set_may_only_shorten_retention_P21() -> None:
    """P21: longer than the policy's (or under 1 day) does not load: `policy_invalid`
    naming the key; equal is allowed."""
    regional(on=1825, standard=30)
    for on, standard, key in ((1826, None, "retention_training_on"), (None, 31, "standard")):
        with pytest.raises(ValueError, match=key):
            regional(on=on, standard=standard)
    for days in (0, 31):
        data = {
            "jurisdictions": {
                "regions": {"DE": "short"},
                "rule_sets": {"short": {"retention_standard": days}},
            }
        }
        with pytest.raises(PolicyInvalid, match="retention_standard"):
            parse_policy(data)
    loaded = parse_policy(
        {
            "jurisdictions": {
                "regions": {"DE": "short"},
                "rule_sets": {"short": {"retention_training_on": 90}},
            }
        }
    )
    assert loaded.retention_days(loaded.rule_set("short")) == (90, 30)


def test_a_policy_without_regional_periods_keeps_its_digest_P21() -> None:
    """P21: the new keys are left out of the canonical form while unset, so the default
    policy's digest (recorded in run manifests, R25) is the one before them; setting
    them changes it."""
    rule_sets = DEFAULT_POLICY.to_dict()["jurisdictions"]
    assert isinstance(rule_sets, dict)
    for entry in rule_sets["rule_sets"]:
        assert "retention_standard" not in entry and "retention_training_on" not in entry
    assert regional(None, None).jurisdictions.regional_retention is False
    assert regional().digest != regional(None, None).digest


def test_a_receipt_states_the_period_of_the_rule_set_applied_P21() -> None:
    """P21: a choice event recorded under the `short` rule set states its days; one with
    no rule set recorded (older events) the policy's."""
    policy = regional()

    def event(extra: tuple[tuple[str, str], ...], value: Training) -> ConsentEvent:
        return ConsentEvent(
            seq=1,
            event_id="evt_1",
            account_id="acc_1",
            at=T0,
            type=EventType.CHOICE,
            value=value,
            source=None,
            terms_version=DEFAULT_POLICY.terms[0].version,
            prev_hash="0" * 64,
            hash="1" * 64,
            extra=extra,
        )

    short = (("region", "DE"), ("rule_set", "short"))
    assert consent_receipt(event(short, Training.ON), policy)["retention_period_days"] == 365
    assert consent_receipt(event(short, Training.OFF), policy)["retention_period_days"] == 7
    assert consent_receipt(event((), Training.OFF), policy)["retention_period_days"] == 30


def test_policy_show_round_trips_regional_periods_P21() -> None:
    """P21: `consentry policy show`'s TOML carries a rule set's periods, and loading it
    gives the same policy (same digest); without them no key is written."""
    import tomllib

    from consentry.config.policy_file import policy_to_toml

    policy = regional(on=400, standard=None)
    text = policy_to_toml(policy)
    assert "retention_training_on = 400" in text and "retention_standard =" not in text
    assert parse_policy(tomllib.loads(text)).digest == policy.digest
    assert "retention_training_on" not in policy_to_toml(DEFAULT_POLICY)
