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

from consentry.config.policy_regions import (
    AutoDeleteModel,
    JurisdictionsModel,
    auto_delete_and_jurisdictions_toml,
)
from consentry.domain.clock import as_utc
from consentry.domain.errors import PolicyInvalid
from consentry.domain.policy import (
    DEFAULT_POLICY,
    AssistantFrom,
    AutoDeletePolicy,
    FeedbackTrainable,
    GpcMode,
    NerMode,
    NerPolicy,
    OnOptOut,
    Policy,
    ResumeScope,
    RetentionPolicy,
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
            jurisdictions=self.jurisdictions.to_policy(self.notice.default_training, self.gpc),
            ner=NerPolicy(
                mode=self.ner.mode,
                models=tuple(self.ner.models),
                entities=tuple(self.ner.entities),
                address_locales=tuple(self.ner.address_locales),
            ),
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
    lines = [
        *_top_level_toml(policy),
        *_retention_toml(policy.retention),
        *_switches_toml(policy),
        *_ner_toml(policy.ner),
        *auto_delete_and_jurisdictions_toml(policy),
    ]
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


def _top_level_toml(policy: Policy) -> list[str]:
    """The keys before the first table: controller, plans, surfaces, purposes."""
    return [
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
    ]


def _retention_toml(r: RetentionPolicy) -> list[str]:
    """`[retention]`: every period, then what an opt-out does."""
    periods = (
        "training_on",
        "standard",
        "commercial",
        "incognito",
        "feedback",
        "deleted_grace",
        "safety_flagged",
        "safety_scores",
    )
    return [
        "",
        "[retention]",
        *(f"{k} = {getattr(r, k)}" for k in periods),
        f"on_opt_out = {_q(r.on_opt_out)}",
    ]


def _switches_toml(policy: Policy) -> list[str]:
    """The one-key tables: notice, coverage, safety, feedback, sweep."""
    return [
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
    ]


def _ner_toml(ner: NerPolicy) -> list[str]:
    """`[ner]`: the mode and its lists."""
    return [
        "",
        "[ner]",
        f"mode = {_q(ner.mode)}",
        *(
            f"{k} = [{', '.join(_q(v) for v in getattr(ner, k))}]"
            for k in ("models", "entities", "address_locales")
        ),
    ]


def _q(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
