"""Retention periods per region over HTTP (docs/rules.md P21), on SQLite and PostgreSQL:
privacy settings and receipts state the days of the account's region's rule set."""

from __future__ import annotations

import dataclasses
from typing import Any

from consentry.bootstrap import App
from consentry.domain.policy import GpcMode, JurisdictionPolicy, RuleSet, SignupPreset
from tests.e2e.api.conftest import client_for, expect


def test_privacy_and_receipts_state_the_regions_days_P21(core: App) -> None:
    """P21: a DE account of a policy whose `short` rule set keeps 365/7 days is told 365
    with training on and 7 after turning it off, in privacy settings and in receipts; a
    US account is told the policy's 1825 and 30."""
    policy = core.ctx.policy
    short = RuleSet("short", True, SignupPreset.NONE, GpcMode.RECORD, None, 365, 7)
    regional = dataclasses.replace(
        policy,
        jurisdictions=JurisdictionPolicy(
            rule_sets=(*policy.jurisdictions.rule_sets, short),
            regions=(*policy.jurisdictions.regions, ("DE", "short")),
        ),
    )
    other = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, policy=regional))
    with client_for(other) as client:

        def told(region: str) -> list[Any]:
            body = {"plan": "free", "training": "on", "region": region}
            token = expect(client.post("/v1/accounts", json=body), 201)["token"]
            headers = {"Authorization": f"Bearer {token}"}
            days = [expect(client.get("/v1/me/privacy", headers=headers), 200)["retention_days"]]
            expect(client.put("/v1/me/privacy", json={"training": "off"}, headers=headers), 200)
            days.append(
                expect(client.get("/v1/me/privacy", headers=headers), 200)["retention_days"]
            )
            receipts = expect(client.get("/v1/me/consent-receipts", headers=headers), 200)
            return [*days, [r["retention_period_days"] for r in receipts]]

        assert told("DE") == [365, 7, [365, 7]]
        assert told("US") == [1825, 30, [1825, 30]]
