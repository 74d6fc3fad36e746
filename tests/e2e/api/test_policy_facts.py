"""Issue 23 item 3: the public policy facts (docs/rules.md P1–P3) over HTTP, on SQLite
and PostgreSQL: no token needed, every value read from the policy in force, the digest
the one runs record, the answer valid under the schema served next to it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import jsonschema_rs
import pytest

from consentry.bootstrap import App
from consentry.diagnostics import filter_profile
from consentry.domain.policy import DEFAULT_TERMS, Policy, RetentionPolicy, TermsVersion
from consentry.domain.types import Plan, Purpose
from consentry.redaction import build_redactor
from tests.e2e.api.conftest import ADMIN, Api, client_for, expect


def test_policy_facts_need_no_token_and_state_the_policy_in_force_P1(api: Api, core: App) -> None:
    """P1: `GET /v1/policy` answers without a token, each value from the loaded policy."""
    policy = core.ctx.policy
    facts = expect(api.client.get("/v1/policy"), 200)
    assert facts["terms_version"] == DEFAULT_TERMS.version
    assert facts["notice"] == {"deadline": "2025-10-08T00:00:00Z", "default_training": True}
    assert facts["retention"]["per_choice"] == {
        "training_on": policy.retention.training_on,
        "training_off": policy.retention.standard,
        "on_opt_out": "keep",
    }
    assert facts["retention"]["per_item_kind"]["feedback"] == policy.retention.feedback
    assert facts["plans"]["covered"] == ["free", "pro", "max"]
    assert "team" in facts["plans"]["not_covered"]
    assert facts["permitted_purposes"] == sorted(str(p) for p in policy.permitted_purposes)
    assert facts["filter"] == filter_profile(build_redactor(policy))
    assert facts["filter"]["stages"][0] == "patterns"
    assert facts["controller"] == policy.controller


def test_policy_digest_is_the_one_runs_record_P1_R25(api: Api) -> None:
    """P1, R25: the digest published is the digest a new run records."""
    run = api.create_run()
    digest = expect(api.client.get("/v1/policy"), 200)["policy_digest"]
    stored = expect(api.client.get(f"/v1/admin/training-runs/{run['run_id']}", headers=ADMIN), 200)
    assert digest == run["policy_digest"] == stored["policy_digest"]
    assert len(digest) == 64


def test_an_operators_policy_changes_every_fact_P1_R6(core: App) -> None:
    """P1, R6: another policy gives other facts; the terms in force follow the clock."""
    later = TermsVersion(
        version="2026-06-01",
        published_at=datetime(2026, 6, 1, tzinfo=UTC),
        deadline=datetime(2026, 7, 1, tzinfo=UTC),
        summary="Second version.",
    )
    custom = Policy(
        consumer_plans=frozenset({Plan.FREE}),
        terms=(DEFAULT_TERMS, later),
        notice_default_training=False,
        retention=RetentionPolicy(training_on=730, standard=14, feedback=90),
        permitted_purposes=frozenset({Purpose.SAFETY_CLASSIFIERS}),
    )
    other = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, policy=custom))
    clock = core.test_clock
    assert clock is not None
    with client_for(other) as client:
        clock.set(datetime(2026, 1, 1, tzinfo=UTC))
        before = expect(client.get("/v1/policy"), 200)
        clock.set(datetime(2026, 6, 2, tzinfo=UTC))
        after = expect(client.get("/v1/policy"), 200)
    assert before["terms_version"] == DEFAULT_TERMS.version
    assert after["terms_version"] == "2026-06-01"
    assert after["notice"] == {"deadline": "2026-07-01T00:00:00Z", "default_training": False}
    assert [t["in_force"] for t in after["terms"]] == [True, False]
    assert after["retention"]["per_choice"]["training_on"] == 730
    assert after["retention"]["per_choice"]["training_off"] == 14
    assert after["retention"]["per_item_kind"]["feedback"] == 90
    assert after["plans"]["covered"] == ["free"]
    assert after["permitted_purposes"] == ["safety_classifiers"]
    assert after["policy_digest"] == custom.digest != core.ctx.policy.digest


def _validator(api: Api) -> Any:
    schema = expect(api.client.get("/v1/policy/schema"), 200)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return jsonschema_rs.validator_for(schema)


def test_policy_facts_validate_against_the_published_schema_P2(api: Api) -> None:
    """P2: the answer is valid under `/v1/policy/schema`, and the schema is strict enough
    to reject an answer missing a fact or carrying an unknown one."""
    validator = _validator(api)
    facts = expect(api.client.get("/v1/policy"), 200)
    assert facts["schema_url"] == "/v1/policy/schema"
    validator.validate(facts)
    missing = {k: v for k, v in facts.items() if k != "policy_digest"}
    assert not validator.is_valid(missing)
    assert not validator.is_valid({**facts, "surprise": 1})
    assert not validator.is_valid({**facts, "retention": {**facts["retention"], "per_choice": {}}})


@pytest.mark.parametrize(
    ("language", "heading", "kept"),
    [
        ("en", "Privacy policy facts", "5 years"),
        ("de", "Fakten zur Datenschutzrichtlinie", "5 Jahre"),
    ],
)
def test_the_policy_page_is_public_and_in_the_readers_language_P3(
    api: Api, core: App, language: str, heading: str, kept: str
) -> None:
    """P3: `/privacy/policy` without signing in, in English and German, with the same
    values as the API; the footer of every page links to it."""
    response = api.client.get("/privacy/policy", headers={"Accept-Language": language})
    assert response.status_code == 200
    html = response.text
    assert f"<h1>{heading}</h1>" in html
    assert kept in html and core.ctx.policy.digest in html
    assert "<code>patterns</code>" in html
    signin = api.client.get("/signin", headers={"Accept-Language": language}).text
    assert 'href="/privacy/policy"' in signin


def test_policy_facts_list_auto_delete_periods_and_the_region_table_P1_P12_P14(
    api: Api, core: App
) -> None:
    """P1 (with P12, P14, P15): the facts state the auto-delete periods offered and the
    default, and the region table (each code to its rule set, the default rule set and
    what each rule set presets), read from the policy; the page shows them."""
    policy = core.ctx.policy
    facts = expect(api.client.get("/v1/policy"), 200)
    assert facts["auto_delete"] == {
        "offered_months": sorted(policy.auto_delete.offered_months),
        "default_months": policy.auto_delete.default_months,
    }
    j = facts["jurisdictions"]
    assert j["default"] == policy.jurisdictions.default == "seed"
    assert j["regions"] == dict(policy.jurisdictions.regions)
    assert j["regions"]["DE"] == j["regions"]["CA-QC"] == "opt_in" and "US" not in j["regions"]
    sets = {r["name"]: r for r in j["rule_sets"]}
    assert set(sets) == {"seed", "opt_in"}
    assert sets["opt_in"] == {
        "name": "opt_in",
        "notice_default_training": False,
        "signup_preset": "none",
        "gpc": "opt_out",
        "auto_delete_default_months": None,
        "retention_training_on": policy.retention.training_on,
        "retention_standard": policy.retention.standard,
    }
    assert sets["seed"]["notice_default_training"] is policy.notice_default_training
    assert sets["seed"]["gpc"] == str(policy.gpc)
    _validator(api).validate(facts)
    html = api.client.get("/privacy/policy").text
    assert 'id="policy-auto-delete"' in html and 'id="policy-regions"' in html
    for months in policy.auto_delete.offered_months:
        assert f'data-months="{months}"' in html and f"After {months} months" in html
    assert "Preselected until you choose: after 18 months." in html
    assert 'data-rule-set="opt_in"' in html and "CA-QC" in html
    german = api.client.get("/privacy/policy", headers={"Accept-Language": "de"}).text
    assert "Regeln nach Region" in german and "Nach 36 Monaten" in german


def test_an_operators_auto_delete_and_regions_change_the_facts_P1_P12_P14(core: App) -> None:
    """P1: another policy's auto-delete offer and region table are what the facts say."""
    from consentry.domain.policy import (
        AutoDeletePolicy,
        GpcMode,
        JurisdictionPolicy,
        RuleSet,
        SignupPreset,
    )

    custom = dataclasses.replace(
        core.ctx.policy,
        auto_delete=AutoDeletePolicy(offered_months=(36, 6), default_months=None),
        jurisdictions=JurisdictionPolicy(
            rule_sets=(RuleSet("strict", False, SignupPreset.OFF, GpcMode.OPT_OUT, 6),),
            regions=(("US-CA", "strict"), ("FR", "strict")),
            default="strict",
        ),
    )
    other = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, policy=custom))
    with client_for(other) as client:
        facts = expect(client.get("/v1/policy"), 200)
        html = client.get("/privacy/policy").text
    assert facts["auto_delete"] == {"offered_months": [6, 36], "default_months": None}
    assert facts["jurisdictions"] == {
        "default": "strict",
        "regions": {"FR": "strict", "US-CA": "strict"},
        "rule_sets": [
            {
                "name": "strict",
                "notice_default_training": False,
                "signup_preset": "off",
                "gpc": "opt_out",
                "auto_delete_default_months": 6,
                "retention_training_on": custom.retention.training_on,
                "retention_standard": custom.retention.standard,
            }
        ],
    }
    assert "Preselected until you choose: until you delete it." in html
    assert "FR, US-CA, every other region" in html


def test_policy_facts_state_each_rule_sets_retention_days_P1_P2_P3_P21(core: App) -> None:
    """P1/P21: each rule set of the facts states the days its accounts' sessions are kept
    with training on and otherwise (its own where it shortens them, the policy's where
    not); the answer still validates (P2), the page shows the days in words in English
    and German (P3), and a policy without regional periods keeps its digest."""
    from consentry.domain.policy import GpcMode, JurisdictionPolicy, RuleSet, SignupPreset

    policy = core.ctx.policy
    short = RuleSet("short", True, SignupPreset.NONE, GpcMode.RECORD, None, 365, 7)
    half = RuleSet("half", False, SignupPreset.NONE, GpcMode.OPT_OUT, None, None, 14)
    regional = dataclasses.replace(
        policy,
        jurisdictions=JurisdictionPolicy(
            rule_sets=(*policy.jurisdictions.rule_sets, short, half),
            regions=(("DE", "short"), ("FR", "half"), ("BR", "opt_in")),
        ),
    )
    other = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, policy=regional))
    with client_for(other) as client:
        facts = expect(client.get("/v1/policy"), 200)
        schema = expect(client.get("/v1/policy/schema"), 200)
        html = client.get("/privacy/policy").text
        german = client.get("/privacy/policy", headers={"Accept-Language": "de"}).text
    days = {
        r["name"]: (r["retention_training_on"], r["retention_standard"])
        for r in facts["jurisdictions"]["rule_sets"]
    }
    assert days == {"seed": (1825, 30), "short": (365, 7), "half": (1825, 14), "opt_in": (1825, 30)}
    assert facts["retention"]["per_choice"]["training_on"] == 1825  # the policy's own, unchanged
    assert facts["policy_digest"] == regional.digest != policy.digest
    validator = jsonschema_rs.validator_for(schema)
    validator.validate(facts)
    rule_set = schema["$defs"]["RuleSetFact"]
    assert {"retention_training_on", "retention_standard"} <= set(rule_set["required"])
    dropped = [
        {k: v for k, v in r.items() if k != "retention_standard"}
        for r in facts["jurisdictions"]["rule_sets"]
    ]
    assert not validator.is_valid(
        {**facts, "jurisdictions": {**facts["jurisdictions"], "rule_sets": dropped}}
    )
    for page, words in ((html, ("1 year", "7 days")), (german, ("1 Jahr", "7 Tage"))):
        row = page[page.index('data-rule-set="short"') :]
        row = row[: row.index("</tr>")]
        assert f'<td data-days="365">{words[0]}</td><td data-days="7">{words[1]}</td>' in row
    assert "never for more" in html and "nie länger" in german
    # a policy whose rule sets set no days of their own states the policy's everywhere
    with client_for(core) as client:
        plain = expect(client.get("/v1/policy"), 200)
    assert {
        (r["retention_training_on"], r["retention_standard"])
        for r in plain["jurisdictions"]["rule_sets"]
    } == {(policy.retention.training_on, policy.retention.standard)}
    assert plain["policy_digest"] == policy.digest
