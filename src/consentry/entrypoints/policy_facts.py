"""The public policy facts (docs/rules.md P1–P3, issue 23 item 3).

What an account holder may read without signing in: the terms version in force and the
notice deadline, retention per choice and per item kind, the plans the choice covers,
the permitted purposes, the filter stages that run before training, and the policy
digest every run records (R25). `GET /v1/policy` answers it as JSON, validated by the
JSON Schema served at `/v1/policy/schema`; `/privacy/policy` shows it to people.
Every value is read from the loaded policy, never written here.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from consentry.domain.clock import iso
from consentry.domain.notice import current_terms
from consentry.domain.policy import GpcMode, NerPolicy, Policy
from consentry.domain.types import Plan, Surface

SCHEMA_PATH = "/v1/policy/schema"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TermsFact(_Closed):
    version: str
    published_at: str = Field(description="ISO 8601, UTC.")
    deadline: str = Field(description="The choice is needed by this instant (R6).")
    text_digest: str = Field(description="SHA-256 of the notice text, as receipts carry (R27).")
    in_force: bool


class NoticeFact(_Closed):
    deadline: str = Field(description="The decision deadline of the terms in force (R6).")
    default_training: bool = Field(description="The toggle's preset on the notice (R5).")


class ChoiceRetention(_Closed):
    training_on: int = Field(description="Days a session is kept when training is allowed.")
    training_off: int = Field(description="Days a session is kept otherwise (R2).")
    on_opt_out: str = Field(description="`keep` or `shorten`: what an opt-out does (R12).")


class KindRetention(_Closed):
    incognito: int
    commercial: int
    feedback: int
    deleted_grace: int
    safety_flagged: int
    safety_scores: int


class RetentionFact(_Closed):
    unit: str = "days"
    per_choice: ChoiceRetention
    per_item_kind: KindRetention


class PlansFact(_Closed):
    covered: list[str] = Field(description="Consumer plans: the training choice applies.")
    not_covered: list[str] = Field(description="Plans whose data is never used for training.")
    commercial_surfaces: list[str] = Field(description="Surfaces never used for training.")


class FilterFact(_Closed):
    scan: str = Field(description="`compiled` or `python`.")
    stages: list[str] = Field(description="In order; `patterns` first, then each NER stage.")


class AutoDeleteFact(_Closed):
    """P12: the auto-delete periods a user may pick; "until I delete it" is always offered."""

    offered_months: list[int] = Field(description="Calendar months, shortest first.")
    default_months: int | None = Field(
        description="Preselected until the user chooses (null: until I delete it); a"
        " region's rule set may preselect another (`jurisdictions.rule_sets`)."
    )


class RuleSetFact(_Closed):
    """P15/P21: what a rule set presets, how it honours GPC, and the retention days its
    accounts' sessions earn."""

    name: str
    notice_default_training: bool = Field(description="The notice toggle's preset (R5).")
    signup_preset: str = Field(description="`none`, `off` or `on`: the sign-up form's preset.")
    gpc: str = Field(description="`opt_out`, `record` or `ignore` (P4-P6).")
    auto_delete_default_months: int | None = Field(
        description="The auto-delete option preselected (null: the policy's default)."
    )
    retention_training_on: int = Field(
        description="Days a session of this rule set's accounts is kept when training is"
        " allowed: the policy's `retention.training_on` unless the rule set shortens it (P21)."
    )
    retention_standard: int = Field(
        description="Days it is kept otherwise: the policy's `retention.standard` unless the"
        " rule set shortens it (P21)."
    )


class JurisdictionsFact(_Closed):
    """P14: which rule set applies to an account of a region."""

    default: str = Field(description="The rule set of an account with no or an unlisted region.")
    regions: dict[str, str] = Field(
        description="ISO 3166-1 alpha-2 or ISO 3166-2 code -> rule set name; a subdivision"
        " not listed takes its country's."
    )
    rule_sets: list[RuleSetFact] = Field(description="Every rule set the table names.")


class PolicyFacts(_Closed):
    """The public facts of the policy in force (P1)."""

    schema_url: str = Field(SCHEMA_PATH, description="Where the JSON Schema of this answer is.")
    terms_version: str
    terms: list[TermsFact]
    notice: NoticeFact
    retention: RetentionFact
    plans: PlansFact
    permitted_purposes: list[str]
    filter: FilterFact
    controller: str
    gpc: str = Field(description="`opt_out`, `record` or `ignore`: how `Sec-GPC: 1` is honoured.")
    policy_digest: str = Field(description="SHA-256 of the canonical policy; runs record it.")
    auto_delete: AutoDeleteFact = Field(description="P12: the periods offered and the default.")
    jurisdictions: JurisdictionsFact = Field(description="P14/P15: the rules by region.")


@lru_cache(maxsize=8)
def _filter(ner: NerPolicy) -> FilterFact:
    """The filter a training run would build from this policy, as its manifest records it.

    The NER models' names and versions are read from their installed packages' metadata
    (:func:`~consentry.redaction.pipeline.stage_names`): listing them loads no model.
    """
    from consentry.redaction import Redactor
    from consentry.redaction.pipeline import stage_names

    scan = "compiled" if Redactor().compiled else "python"
    return FilterFact(scan=scan, stages=list(stage_names(ner)))


def policy_facts(policy: Policy, now: datetime) -> PolicyFacts:
    """The facts of `policy` at `now` (the terms in force depend on the time)."""
    current = current_terms(policy, now)
    r = policy.retention
    terms = sorted(policy.terms, key=lambda t: t.published_at, reverse=True)
    return PolicyFacts(
        terms_version=current.version,
        terms=[
            TermsFact(
                version=t.version,
                published_at=iso(t.published_at),
                deadline=iso(t.deadline),
                text_digest=t.text_digest,
                in_force=t.version == current.version,
            )
            for t in terms
        ],
        notice=NoticeFact(
            deadline=iso(current.deadline), default_training=policy.notice_default_training
        ),
        retention=RetentionFact(
            per_choice=ChoiceRetention(
                training_on=r.training_on, training_off=r.standard, on_opt_out=str(r.on_opt_out)
            ),
            per_item_kind=KindRetention(
                incognito=r.incognito,
                commercial=r.commercial,
                feedback=r.feedback,
                deleted_grace=r.deleted_grace,
                safety_flagged=r.safety_flagged,
                safety_scores=r.safety_scores,
            ),
        ),
        plans=PlansFact(
            covered=[str(p) for p in Plan if p in policy.consumer_plans],
            not_covered=[str(p) for p in Plan if p not in policy.consumer_plans],
            commercial_surfaces=[str(s) for s in Surface if s in policy.commercial_surfaces],
        ),
        permitted_purposes=sorted(str(p) for p in policy.permitted_purposes),
        filter=_filter(policy.ner),
        controller=policy.controller,
        gpc=str(policy.gpc),
        policy_digest=policy.digest,
        auto_delete=AutoDeleteFact(
            offered_months=sorted(policy.auto_delete.offered_months),
            default_months=policy.auto_delete.default_months,
        ),
        jurisdictions=_jurisdictions(policy),
    )


def _jurisdictions(policy: Policy) -> JurisdictionsFact:
    """P14/P15: the region table and the rule sets it names (``seed`` from the top-level
    keys unless redefined), in the order the table first names them."""
    j = policy.jurisdictions
    regions = dict(sorted(j.regions))
    names = list(dict.fromkeys([j.default, *regions.values()]))
    sets = [policy.rule_set(name) for name in names]
    return JurisdictionsFact(
        default=j.default,
        regions=regions,
        rule_sets=[
            RuleSetFact(
                name=r.name,
                notice_default_training=r.notice_default_training,
                signup_preset=str(r.signup_preset),
                gpc=str(r.gpc),
                auto_delete_default_months=r.auto_delete_default_months,
                retention_training_on=days[0],
                retention_standard=days[1],
            )
            for r in sets
            for days in [policy.retention_days(r)]
        ],
    )


class GpcSupport(_Closed):
    """`/.well-known/gpc.json` (GPC specification §3.5)."""

    gpc: bool
    lastUpdate: str


def gpc_resource(policy: Policy, now: datetime) -> GpcSupport:
    """P6: honoured unless `gpc = "ignore"`; last updated when the terms in force were."""
    published = current_terms(policy, now).published_at
    return GpcSupport(gpc=policy.gpc is not GpcMode.IGNORE, lastUpdate=published.date().isoformat())


def facts_schema() -> dict[str, Any]:
    """The published JSON Schema (2020-12) of :class:`PolicyFacts` (P2)."""
    schema = PolicyFacts.model_json_schema(mode="serialization")
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_PATH, **schema}
