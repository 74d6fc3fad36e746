"""The policy file's `[auto_delete]` and `[jurisdictions]` tables (docs/rules.md P12-P15):
their validation (region codes against ISO 3166) and their TOML form."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from consentry.config.regions import check_region
from consentry.domain.policy import (
    DEFAULT_POLICY,
    GpcMode,
    JurisdictionPolicy,
    Policy,
    RuleSet,
    SignupPreset,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    retention_training_on: int | None = Field(None, ge=1)
    """P21: days; only shorter than `retention.training_on` (checked by the policy)."""
    retention_standard: int | None = Field(None, ge=1)
    """P21: days; only shorter than `retention.standard` (checked by the policy)."""


def _default_rule_sets() -> dict[str, RuleSetModel]:
    return {
        r.name: RuleSetModel(
            notice_default_training=r.notice_default_training,
            signup_preset=r.signup_preset,
            gpc=r.gpc,
            auto_delete_default_months=r.auto_delete_default_months,
            retention_training_on=r.retention_training_on,
            retention_standard=r.retention_standard,
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

    def to_policy(self, notice_default_training: bool, gpc: GpcMode) -> JurisdictionPolicy:
        """The domain value; rule sets fill left-out keys from the top-level ones (P15)."""
        j = self
        rule_sets = tuple(
            RuleSet(
                name=name,
                notice_default_training=notice_default_training
                if r.notice_default_training is None
                else r.notice_default_training,
                signup_preset=r.signup_preset,
                gpc=gpc if r.gpc is None else r.gpc,
                auto_delete_default_months=r.auto_delete_default_months or None,
                retention_training_on=r.retention_training_on,
                retention_standard=r.retention_standard,
            )
            for name, r in sorted(j.rule_sets.items())
        )
        return JurisdictionPolicy(
            rule_sets=rule_sets, regions=tuple(sorted(j.regions.items())), default=j.default
        )


def auto_delete_and_jurisdictions_toml(policy: Policy) -> list[str]:
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
        lines += [  # P21: only where the rule set shortens retention
            f"{key} = {days}"
            for key, days in (
                ("retention_training_on", r.retention_training_on),
                ("retention_standard", r.retention_standard),
            )
            if days is not None
        ]
    return lines


def _q(value: object) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
