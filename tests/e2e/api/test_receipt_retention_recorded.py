"""Receipts that do not drift (docs/rules.md P22, with P21 and R27), over HTTP on SQLite
and PostgreSQL: a consent event records the retention days in force when it is appended,
its receipt (JSON and DPV) keeps stating them after the operator changes the policy, an
event appended before the field existed still verifies and gets today's computation, and
`verify-receipt` refuses a receipt whose days differ from its ledger entry."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.bootstrap import App
from consentry.domain.policy import (
    GpcMode,
    JurisdictionPolicy,
    Policy,
    RetentionPolicy,
    RuleSet,
    SignupPreset,
)
from consentry.domain.types import ChoiceSource, EventType, Training
from consentry.service import ledger
from consentry.service.ledger_ports import CheckpointSigner
from consentry.verify import VerificationError, verify_receipt
from tests.e2e.api.conftest import User, client_for, expect


def _regional(base: Policy, on: int, standard: int, *, training_on: int = 1825) -> Policy:
    """`base` with a `short` rule set (`on`/`standard` days) for DE, and the policy's own
    training-on period set to `training_on`."""
    short = RuleSet("short", True, SignupPreset.NONE, GpcMode.RECORD, None, on, standard)
    return dataclasses.replace(
        base,
        retention=dataclasses.replace(base.retention, training_on=training_on),
        jurisdictions=JurisdictionPolicy(
            rule_sets=(*base.jurisdictions.rule_sets, short),
            regions=(*base.jurisdictions.regions, ("DE", "short")),
        ),
    )


def _with(core: App, policy: Policy, key: Ed25519PrivateKey | None = None) -> App:
    signer = CheckpointSigner("consentry.test/p22", key) if key else core.ctx.signer
    return dataclasses.replace(
        core, ctx=dataclasses.replace(core.ctx, policy=policy, signer=signer)
    )


def _receipts(core: App, user: User, fmt: str = "json") -> Any:
    with client_for(core) as client:
        path = f"/v1/me/consent-receipts?format={fmt}"
        return expect(client.get(path, headers=user.headers), 200)


def _signup(core: App, region: str) -> User:
    with client_for(core) as client:
        body = {"plan": "free", "training": "on", "region": region}
        made = expect(client.post("/v1/accounts", json=body), 201)
        user = User(made["account_id"], made["token"])
        expect(client.put("/v1/me/privacy", json={"training": "off"}, headers=user.headers), 200)
    return user


def test_a_receipts_days_do_not_change_after_the_policy_changes_P22_P21_R27(core: App) -> None:
    """P22: a DE account's `on` and `off` under a rule set of 365/7 days keep receipts of
    365 and 7 days (JSON and DPV) after the operator shortens the rule set to 200/5 and
    then drops DE from the table and changes the policy's own periods; a choice made
    after the change states the new days; the ledger still verifies (R27)."""
    before = _regional(core.ctx.policy, 365, 7)
    user = _signup(_with(core, before), "DE")
    for later in (
        _regional(core.ctx.policy, 200, 5),
        dataclasses.replace(
            core.ctx.policy, retention=RetentionPolicy(training_on=900, standard=20)
        ),
    ):
        now = _with(core, later)
        receipts = _receipts(now, user)
        assert [r["retention_period_days"] for r in receipts] == [365, 7]
        assert {r["retention_period_basis"] for r in receipts} == {"recorded"}
        assert ['"retention_days":"365"' in r["ledger_entry"] for r in receipts] == [True, False]
        graph = _receipts(now, user, "jsonld")["@graph"]
        durations = [
            g["dpv:hasPersonalDataHandling"]["dpv:hasStorageCondition"]["dpv:hasDuration"]
            for g in graph
        ]
        assert [d["@value"] for d in durations] == ["P365D", "P7D"]
    with client_for(now) as client:
        expect(client.put("/v1/me/privacy", json={"training": "on"}, headers=user.headers), 200)
    latest = _receipts(now, user)[-1]
    assert (latest["retention_period_days"], latest["retention_period_basis"]) == (900, "recorded")
    assert ledger.verify_ledger(core.ctx).ok


@pytest.mark.parametrize("region", ["DE", "US"])
def test_an_event_without_the_field_verifies_and_gets_todays_days_P22_R27(
    core: App, region: str
) -> None:
    """P22, R27: an event appended as before the field existed (region and rule set, no
    `retention_days`) hashes without it, the chain and its proof verify, and its receipt
    states the days the current policy gives its rule set (`current_policy`), which do
    follow a policy change; a recorded event beside it does not move."""
    key = Ed25519PrivateKey.generate()
    before = _regional(core.ctx.policy, 365, 7)
    user = _signup(_with(core, before, key), region)
    rule_set = "short" if region == "DE" else "seed"
    with core.ctx.uow() as uow:
        old = uow.store.append_consent_event(
            account_id=user.account_id,
            at=core.ctx.clock.now(),
            type=EventType.CHOICE,
            value=Training.ON,
            source=ChoiceSource.SETTINGS,
            terms_version=core.ctx.policy.terms[0].version,
            extra=(("region", region), ("rule_set", rule_set)),
        )
        uow.commit()
    assert ledger.verify_ledger(core.ctx).ok
    expected = {"DE": (365, 200), "US": (1825, 1500)}[region]
    for policy, days in (
        (before, expected[0]),
        (_regional(core.ctx.policy, 200, 5, training_on=1500), expected[1]),
    ):
        receipts = _receipts(_with(core, policy, key), user)
        last = receipts[-1]
        assert last["record_id"] == old.event_id
        assert "retention_days" not in json.loads(last["ledger_entry"])
        assert (last["retention_period_days"], last["retention_period_basis"]) == (
            days,
            "current_policy",
        )
        recorded = {"DE": [365, 7], "US": [1825, 30]}[region]
        assert [r["retention_period_days"] for r in receipts[:2]] == recorded
        for receipt in receipts:
            verify_receipt(receipt, key.public_key())


def test_verify_receipt_refuses_days_that_differ_from_the_entry_P22(core: App) -> None:
    """P22: the days are in the signed leaf, so a receipt edited to promise other days
    fails offline verification; the same edit on an old event's receipt cannot be caught
    that way (nothing was recorded), which is why its basis says `current_policy`."""
    key = Ed25519PrivateKey.generate()
    user = _signup(_with(core, _regional(core.ctx.policy, 365, 7), key), "DE")
    receipt = _receipts(_with(core, core.ctx.policy, key), user)[0]
    verify_receipt(receipt, key.public_key())
    for forged in (1825, "365"):
        with pytest.raises(VerificationError, match="retention_period_days"):
            verify_receipt({**receipt, "retention_period_days": forged}, key.public_key())
