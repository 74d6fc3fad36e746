"""Load and validate a TOML policy file into the domain's :class:`Policy`.

Errors name the key and the problem, e.g. ``retention.training_on: must be >= 1``.
Every key is optional; what is left out keeps the spec's default.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from consentry.config.regions import check_region
from consentry.domain.clock import as_utc
from consentry.domain.errors import PolicyInvalid
from consentry.domain.policy import (
    DEFAULT_POLICY,
    AssistantFrom,
    AutoDeletePolicy,
    FeedbackTrainable,
    GpcMode,
    JurisdictionPolicy,
    NerMode,
    NerPolicy,
    OnOptOut,
    Policy,
    ResumeScope,
    RetentionPolicy,
    RuleSet,
    SignupPreset,
    TermsVersion,
)
from consentry.domain.types import Plan, Purpose, Surface

_D = DEFAULT_POLICY
_R = DEFAULT_POLICY.retention


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TermsModel(_Strict):
    version: str = Field(min_length=1, max_length=64)
    published_at: datetime
    deadline: datetime
    summary: str = ""

    @model_validator(mode="after")
    def _deadline_after_publication(self) -> TermsModel:
        if as_utc(self.deadline) <= as_utc(self.published_at):
            raise ValueError("deadline must be after published_at")
        return self


class RetentionModel(_Strict):
    training_on: int = Field(_R.training_on, ge=1, le=36500)
    standard: int = Field(_R.standard, ge=1, le=36500)
    commercial: int = Field(_R.commercial, ge=1, le=36500)
    incognito: int = Field(_R.incognito, ge=1, le=36500)
    feedback: int = Field(_R.feedback, ge=1, le=36500)
    deleted_grace: int = Field(_R.deleted_grace, ge=0, le=36500)
    safety_flagged: int = Field(_R.safety_flagged, ge=0, le=36500)
    safety_scores: int = Field(_R.safety_scores, ge=0, le=36500)
    on_opt_out: OnOptOut = _R.on_opt_out


class NoticeModel(_Strict):
    default_training: bool = _D.notice_default_training


class CoverageModel(_Strict):
    resume_scope: ResumeScope = _D.resume_scope


class SafetyModel(_Strict):
    train_on_flagged: bool = _D.safety_train_on_flagged


class FeedbackModel(_Strict):
    trainable: FeedbackTrainable = _D.feedback_trainable


class SweepModel(_Strict):
    batch_size: int = Field(_D.sweep_batch_size, ge=1, le=1_000_000)


_N = NerPolicy()
NER_ENTITIES = ("PERSON", "ADDRESS", "LOCATION", "ORGANIZATION")
ADDRESS_LOCALES = ("en", "fr", "de", "es", "it", "nl")


class NerModel(_Strict):
    mode: NerMode = _N.mode
    models: list[str] = Field(default_factory=lambda: list(_N.models), min_length=1, max_length=8)
    entities: list[str] = Field(default_factory=lambda: list(_N.entities))
    address_locales: list[str] = Field(default_factory=lambda: list(_N.address_locales))

    @model_validator(mode="after")
    def _known(self) -> NerModel:
        for name in self.models:
            if not name.isidentifier() or not name.isascii():
                raise ValueError(f"models: {name!r} is not a model package name")
        unknown = sorted(set(self.entities) - set(NER_ENTITIES))
        if unknown:
            raise ValueError(f"entities: unknown {unknown}; known: {list(NER_ENTITIES)}")
        unknown = sorted(set(self.address_locales) - set(ADDRESS_LOCALES))
        if unknown:
            raise ValueError(f"address_locales: unknown {unknown}; known: {list(ADDRESS_LOCALES)}")
        return self


_A = DEFAULT_POLICY.auto_delete
_J = DEFAULT_POLICY.jurisdictions


class AutoDeleteModel(_Strict):
    """P12: the periods offered, in calendar months; `default_months = 0` preselects
    "until I delete it"."""

    offered_months: list[int] = Field(
        default_factory=lambda: list(_A.offered_months), min_length=1, max_length=12
    )
    default_months: int = Field(_A.default_months or 0, ge=0)

    @model_validator(mode="after")
    def _default_offered(self) -> AutoDeleteModel:
        if any(m < 1 or m > 1200 for m in self.offered_months):
            raise ValueError("offered_months: each period must be 1 to 1200 months")
        if len(set(self.offered_months)) != len(self.offered_months):
            raise ValueError("offered_months: periods must be unique")
        if self.default_months and self.default_months not in self.offered_months:
            raise ValueError("default_months: must be 0 or one of offered_months")
        return self


class RuleSetModel(_Strict):
    """P15: a rule set; keys left out take the policy's top-level `notice` and `gpc`."""

    notice_default_training: bool | None = None
    signup_preset: SignupPreset = SignupPreset.NONE
    gpc: GpcMode | None = None
    auto_delete_default_months: int | None = Field(None, ge=0)


def _default_rule_sets() -> dict[str, RuleSetModel]:
    return {
        r.name: RuleSetModel(
            notice_default_training=r.notice_default_training,
            signup_preset=r.signup_preset,
            gpc=r.gpc,
            auto_delete_default_months=r.auto_delete_default_months,
        )
        for r in _J.rule_sets
    }


class JurisdictionsModel(_Strict):
    """P14: regions (ISO 3166-1 alpha-2 or 3166-2, checked) to rule set names."""

    default: str = _J.default
    rule_sets: dict[str, RuleSetModel] = Field(default_factory=_default_rule_sets)
    regions: dict[str, str] = Field(default_factory=lambda: dict(_J.regions))

    @model_validator(mode="after")
    def _known(self) -> JurisdictionsModel:
        names = set(self.rule_sets) | {"seed"}
        for name in self.rule_sets:
            if not name.replace("_", "").isalnum() or len(name) > 32:
                raise ValueError(f"rule_sets.{name}: names are letters, digits and _ (32 max)")
        for code, name in self.regions.items():
            try:
                check_region(code)
            except ValueError as error:
                raise ValueError(f"regions.{code}: {error}") from None
            if code != code.upper():
                raise ValueError(f"regions.{code}: write codes in upper case")
            if name not in names:
                raise ValueError(f"regions.{code}: unknown rule set {name!r}")
        if self.default not in names:
            raise ValueError(f"default: unknown rule set {self.default!r}")
        return self


class PolicyModel(_Strict):
    consumer_plans: list[Plan] = Field(default_factory=lambda: sorted(_D.consumer_plans))
    commercial_surfaces: list[Surface] = Field(
        default_factory=lambda: sorted(_D.commercial_surfaces)
    )
    permitted_purposes: list[Purpose] = Field(default_factory=lambda: sorted(_D.permitted_purposes))
    controller: str = _D.controller
    assistant_messages_from: AssistantFrom = _D.assistant_messages_from
    export_assistant_messages_from: AssistantFrom = _D.export_assistant_messages_from
    gpc: GpcMode = _D.gpc  # Global Privacy Control (docs/rules.md P4-P6)
    terms: list[TermsModel] = Field(default_factory=list)
    retention: RetentionModel = Field(default_factory=RetentionModel)
    notice: NoticeModel = Field(default_factory=NoticeModel)
    coverage: CoverageModel = Field(default_factory=CoverageModel)
    safety: SafetyModel = Field(default_factory=SafetyModel)
    feedback: FeedbackModel = Field(default_factory=FeedbackModel)
    sweep: SweepModel = Field(default_factory=SweepModel)
    ner: NerModel = Field(default_factory=NerModel)
    auto_delete: AutoDeleteModel = Field(default_factory=AutoDeleteModel)
    jurisdictions: JurisdictionsModel = Field(default_factory=JurisdictionsModel)

    @model_validator(mode="after")
    def _unique_versions(self) -> PolicyModel:
        versions = [t.version for t in self.terms]
        if len(versions) != len(set(versions)):
            raise ValueError("terms: versions must be unique")
        if Plan.API in self.consumer_plans:
            raise ValueError("consumer_plans: the api plan is always commercial (R1)")
        return self

    def to_policy(self) -> Policy:
        terms = (
            tuple(
                TermsVersion(
                    version=t.version,
                    published_at=as_utc(t.published_at),
                    deadline=as_utc(t.deadline),
                    summary=t.summary,
                )
                for t in self.terms
            )
            or _D.terms
        )
        r = self.retention
        return Policy(
            consumer_plans=frozenset(self.consumer_plans),
            commercial_surfaces=frozenset(self.commercial_surfaces)
            | frozenset({Surface.API, Surface.BEDROCK, Surface.VERTEX}),
            terms=terms,
            notice_default_training=self.notice.default_training,
            retention=RetentionPolicy(**r.model_dump()),
            resume_scope=self.coverage.resume_scope,
            safety_train_on_flagged=self.safety.train_on_flagged,
            feedback_trainable=self.feedback.trainable,
            permitted_purposes=frozenset(self.permitted_purposes),
            sweep_batch_size=self.sweep.batch_size,
            controller=self.controller,
            assistant_messages_from=self.assistant_messages_from,
            export_assistant_messages_from=self.export_assistant_messages_from,
            gpc=self.gpc,
            auto_delete=AutoDeletePolicy(
                offered_months=tuple(sorted(self.auto_delete.offered_months)),
                default_months=self.auto_delete.default_months or None,
            ),
            jurisdictions=self._jurisdictions(),
            ner=NerPolicy(
                mode=self.ner.mode,
                models=tuple(self.ner.models),
                entities=tuple(self.ner.entities),
                address_locales=tuple(self.ner.address_locales),
            ),
        )

    def _jurisdictions(self) -> JurisdictionPolicy:
        j = self.jurisdictions
        rule_sets = tuple(
            RuleSet(
                name=name,
                notice_default_training=self.notice.default_training
                if r.notice_default_training is None
                else r.notice_default_training,
                signup_preset=r.signup_preset,
                gpc=self.gpc if r.gpc is None else r.gpc,
                auto_delete_default_months=r.auto_delete_default_months or None,
            )
            for name, r in sorted(j.rule_sets.items())
        )
        return JurisdictionPolicy(
            rule_sets=rule_sets, regions=tuple(sorted(j.regions.items())), default=j.default
        )


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        problems.append(f"{key}: {item['msg']}")
    return "; ".join(problems)


def parse_policy(data: dict[str, Any]) -> Policy:
    try:
        return PolicyModel.model_validate(data).to_policy()
    except ValidationError as error:
        raise PolicyInvalid(f"invalid policy: {_describe(error)}") from None
    except ValueError as error:  # a rule the domain's Policy checks (P13 periods, P15)
        raise PolicyInvalid(f"invalid policy: {error}") from None


def load_policy(path: str | Path | None) -> Policy:
    """The policy in the TOML file at `path`, or the built-in default when `path` is None."""
    if path is None or str(path) == "":
        return DEFAULT_POLICY
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyInvalid(f"policy file {file} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise PolicyInvalid(f"policy file {file} is not valid TOML: {error}") from None
    return parse_policy(data)


def policy_to_toml(policy: Policy) -> str:
    """The effective policy as TOML (for `consentry policy show`)."""
    r = policy.retention
    lines = [
        f"controller = {_q(policy.controller)}",
        f"assistant_messages_from = {_q(policy.assistant_messages_from)}",
        f"export_assistant_messages_from = {_q(policy.export_assistant_messages_from)}",
        f"gpc = {_q(policy.gpc)}",
        f"consumer_plans = [{', '.join(_q(p) for p in sorted(policy.consumer_plans))}]",
        "commercial_surfaces = ["
        + ", ".join(_q(s) for s in sorted(policy.commercial_surfaces))
        + "]",
        "permitted_purposes = ["
        + ", ".join(_q(p) for p in sorted(policy.permitted_purposes))
        + "]",
        "",
        "[retention]",
        *(
            f"{k} = {getattr(r, k)}"
            for k in (
                "training_on",
                "standard",
                "commercial",
                "incognito",
                "feedback",
                "deleted_grace",
                "safety_flagged",
                "safety_scores",
            )
        ),
        f"on_opt_out = {_q(r.on_opt_out)}",
        "",
        "[notice]",
        f"default_training = {str(policy.notice_default_training).lower()}",
        "",
        "[coverage]",
        f"resume_scope = {_q(policy.resume_scope)}",
        "",
        "[safety]",
        f"train_on_flagged = {str(policy.safety_train_on_flagged).lower()}",
        "",
        "[feedback]",
        f"trainable = {_q(policy.feedback_trainable)}",
        "",
        "[sweep]",
        f"batch_size = {policy.sweep_batch_size}",
        "",
        "[ner]",
        f"mode = {_q(policy.ner.mode)}",
        *(
            f"{k} = [{', '.join(_q(v) for v in getattr(policy.ner, k))}]"
            for k in ("models", "entities", "address_locales")
        ),
    ]
    lines += _auto_delete_and_jurisdictions_toml(policy)
    for t in policy.terms:
        lines += [
            "",
            "[[terms]]",
            f"version = {_q(t.version)}",
            f"published_at = {t.published_at.isoformat().replace('+00:00', 'Z')}",
            f"deadline = {t.deadline.isoformat().replace('+00:00', 'Z')}",
            f"summary = {_q(t.summary)}",
        ]
    return "\n".join(lines) + "\n"


def _auto_delete_and_jurisdictions_toml(policy: Policy) -> list[str]:
    """The `[auto_delete]` and `[jurisdictions]` tables (P12, P14, P15)."""
    a, j = policy.auto_delete, policy.jurisdictions
    lines = [
        "",
        "[auto_delete]",
        f"offered_months = [{', '.join(str(m) for m in a.offered_months)}]",
        f"default_months = {a.default_months or 0}",
        "",
        "[jurisdictions]",
        f"default = {_q(j.default)}",
        "",
        "[jurisdictions.regions]",
        *(f"{_q(code)} = {_q(name)}" for code, name in j.regions),
    ]
    for r in j.rule_sets:
        lines += [
            "",
            f"[jurisdictions.rule_sets.{r.name}]",
            f"notice_default_training = {str(r.notice_default_training).lower()}",
            f"signup_preset = {_q(r.signup_preset)}",
            f"gpc = {_q(r.gpc)}",
            f"auto_delete_default_months = {r.auto_delete_default_months or 0}",
        ]
    return lines


def _q(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
