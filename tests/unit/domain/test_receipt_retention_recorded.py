"""Receipts that do not drift (docs/rules.md P22): the retention days an event promises
are part of its canonical entry, the receipt states them whatever the policy says later,
and an event without them hashes as before and gets today's computation (P21, R27)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

from consentry.domain.ledger import (
    GENESIS,
    ConsentEvent,
    consent_receipt,
    entry_of,
    event_hash,
    promised_days,
    verify_chain,
)
from consentry.domain.policy import (
    DEFAULT_POLICY,
    GpcMode,
    JurisdictionPolicy,
    Policy,
    RuleSet,
    SignupPreset,
)
from consentry.domain.types import ChoiceSource, EventType, Training

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def regional(on: int, standard: int) -> Policy:
    short = RuleSet("short", True, SignupPreset.NONE, GpcMode.RECORD, None, on, standard)
    return dataclasses.replace(
        DEFAULT_POLICY,
        jurisdictions=JurisdictionPolicy(
            rule_sets=(*DEFAULT_POLICY.jurisdictions.rule_sets, short), regions=(("DE", "short"),)
        ),
    )


def event(
    seq: int, prev: str, value: Training | None, extra: tuple[tuple[str, str], ...]
) -> ConsentEvent:
    fields: dict[str, object] = {
        "seq": seq,
        "event_id": f"evt_{seq}",
        "account_id": "acc_1",
        "at": T0 + timedelta(minutes=seq),
        "type": EventType.CHOICE if value else EventType.DEFERRAL,
        "value": value,
        "source": ChoiceSource.SETTINGS,
        "terms_version": "2025-08-28",
        "prev_hash": prev,
    }
    digest = event_hash(**fields, extra=extra)  # type: ignore[arg-type]
    return ConsentEvent(**fields, hash=digest, extra=extra)  # type: ignore[arg-type]


def test_promised_days_are_the_rule_sets_period_for_the_choice_P21_P22() -> None:
    """P21/P22: `on` promises the training-on period, anything else the standard one, of
    the rule set named (the policy's own without one)."""
    policy = regional(365, 7)
    assert promised_days(policy, Training.ON, "short") == 365
    assert promised_days(policy, Training.OFF, "short") == 7
    assert promised_days(policy, None, "short") == 7
    assert promised_days(policy, Training.ON, "seed") == 1825
    assert promised_days(policy, Training.OFF, None) == 30


def test_recorded_days_are_hashed_and_outlive_a_policy_change_P22_R27() -> None:
    """P22, R27: `retention_days` joins the canonical entry (editing it breaks the chain
    at that event) and the receipt states it under any later policy, `recorded`."""
    extra = (("region", "DE"), ("retention_days", "365"), ("rule_set", "short"))
    first = event(1, GENESIS, Training.ON, extra)
    assert json.loads(entry_of(first))["retention_days"] == "365"
    assert verify_chain([first], head_seq=1, head_hash=first.hash).ok
    for policy in (regional(365, 7), regional(90, 3), DEFAULT_POLICY):
        receipt = consent_receipt(first, policy)
        assert receipt["retention_period_days"] == 365
        assert receipt["retention_period_basis"] == "recorded"
        assert "retention_days" not in receipt  # stated once, as retention_period_days
        assert (receipt["region"], receipt["rule_set"]) == ("DE", "short")
    edited = dataclasses.replace(
        first, extra=(("region", "DE"), ("retention_days", "1825"), ("rule_set", "short"))
    )
    result = verify_chain([edited], head_seq=1, head_hash=first.hash)
    assert not result.ok and result.first_bad_seq == 1


def test_an_event_without_the_field_hashes_as_before_and_gets_todays_days_P22_P21() -> None:
    """P22: an event from before the field (region and rule set only) serialises without
    it, still verifies in a chain with a newer event, and its receipt is computed from
    the policy in force for the rule set it records, `current_policy`."""
    old = event(1, GENESIS, Training.ON, (("region", "DE"), ("rule_set", "short")))
    assert b"retention_days" not in entry_of(old)
    new = event(2, old.hash, Training.OFF, (("retention_days", "7"), ("rule_set", "short")))
    assert verify_chain([old, new], head_seq=2, head_hash=new.hash).ok
    for policy, days in ((regional(365, 7), 365), (regional(90, 3), 90), (DEFAULT_POLICY, 1825)):
        receipt = consent_receipt(old, policy)
        assert receipt["retention_period_days"] == days
        assert receipt["retention_period_basis"] == "current_policy"
        assert consent_receipt(new, policy)["retention_period_days"] == 7
    deferral = event(3, new.hash, None, ())
    assert consent_receipt(deferral, regional(90, 3))["retention_period_days"] == 30
