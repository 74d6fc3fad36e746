"""The policy: every number and list of SPEC §2 as a value, never a constant in code.

:data:`DEFAULT_POLICY` reproduces the spec. Operators load a TOML file instead
(`consentry.config.policy_file`), which validates into the same value.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from consentry.domain.types import Plan, Purpose, Surface


class ResumeScope(StrEnum):
    WHOLE_SESSION = "whole_session"
    FROM_FIRST_COVERED_ACTIVITY = "from_first_covered_activity"


class OnOptOut(StrEnum):
    KEEP = "keep"
    SHORTEN = "shorten"


class FeedbackTrainable(StrEnum):
    FOLLOWS_SETTING = "follows_setting"
    ALWAYS = "always"


class AssistantFrom(StrEnum):
    """Which credential kinds an assistant message may come from (issue 17 item 7).

    Two policy keys take it. ``assistant_messages_from`` says who may *write* one:
    `any` (default: SPEC §3, an account token may post `role: assistant`) or `service`
    (only a service token; an account token gets 403 `assistant_requires_service`).
    ``export_assistant_messages_from`` says which ones a training run counts and exports:
    `service` (default: only those the assistant's backend wrote, so no user can put
    words in the assistant's mouth and into the training data) or `any` (all of them:
    for a deployment whose backend still writes with account tokens, a poisoning path).
    """

    ANY = "any"
    SERVICE = "service"


class GpcMode(StrEnum):
    """How a Global Privacy Control signal (`Sec-GPC: 1`) is honoured (docs/rules.md P4–P6).

    `record` (default): a consumer sign-up with no explicit choice is recorded as `off`
    with source `gpc`, and the sign-up page's toggle starts off; `opt_out`: also, a
    signed-in consumer whose choice is `on` gets an opt-out recorded with source `gpc`;
    `ignore`: the signal changes nothing.
    """

    OPT_OUT = "opt_out"
    RECORD = "record"
    IGNORE = "ignore"


@dataclass(frozen=True, slots=True)
class TermsVersion:
    """A published version of the consumer terms with its decision deadline (R6)."""

    version: str
    published_at: datetime
    deadline: datetime
    summary: str = ""

    @property
    def text_digest(self) -> str:
        """SHA-256 of the notice text, for consent receipts (R27)."""
        return hashlib.sha256(f"{self.version}\n{self.summary}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RetentionPeriods:
    """The periods of a :class:`RetentionPolicy` as ``timedelta``s, built once per policy.

    Retention and eligibility add a period to every activity they look at; reading it
    here costs an attribute access instead of building a ``timedelta`` each time.
    """

    training_on: timedelta
    standard: timedelta
    commercial: timedelta
    incognito: timedelta
    feedback: timedelta
    deleted_grace: timedelta
    safety_flagged: timedelta
    safety_scores: timedelta


DERIVED = {"derived": True}
"""Field metadata: computed from the other fields, so left out of :meth:`Policy.to_dict`."""
OMIT_NONE = {"omit_none": True}
"""Field metadata: left out of :meth:`Policy.to_dict` when None (P21: digests unchanged)."""


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Retention periods in days (R2, R11–R18)."""

    training_on: int = 1825
    standard: int = 30
    commercial: int = 30
    incognito: int = 30
    feedback: int = 1825
    deleted_grace: int = 30
    safety_flagged: int = 730
    safety_scores: int = 2555
    on_opt_out: OnOptOut = OnOptOut.KEEP
    periods: RetentionPeriods = field(init=False, repr=False, compare=False, metadata=DERIVED)
    """The same periods as ``timedelta``s, derived at construction (not part of the digest)."""

    def __post_init__(self) -> None:
        periods = RetentionPeriods(
            training_on=timedelta(days=self.training_on),
            standard=timedelta(days=self.standard),
            commercial=timedelta(days=self.commercial),
            incognito=timedelta(days=self.incognito),
            feedback=timedelta(days=self.feedback),
            deleted_grace=timedelta(days=self.deleted_grace),
            safety_flagged=timedelta(days=self.safety_flagged),
            safety_scores=timedelta(days=self.safety_scores),
        )
        object.__setattr__(self, "periods", periods)

    def days(self, name: str) -> timedelta:
        """The period called `name` (``"feedback"``, ``"deleted_grace"``, …)."""
        value = getattr(self.periods, name)
        assert isinstance(value, timedelta)
        return value


class NerMode(StrEnum):
    """When the filter's NER stage (names, street addresses; SPEC §4) runs.

    `auto` (default): when the `ner` extra (spaCy) is installed; `on`: always, and a
    missing extra or model is an error; `off`: patterns only.
    """

    AUTO = "auto"
    ON = "on"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class NerPolicy:
    """The NER stage: which spaCy models (loaded by package name) and which entities."""

    mode: NerMode = NerMode.AUTO
    models: tuple[str, ...] = ("en_core_web_sm",)
    entities: tuple[str, ...] = ("PERSON", "ADDRESS")
    address_locales: tuple[str, ...] = ("en", "fr", "de", "es", "it", "nl")


@dataclass(frozen=True, slots=True)
class AutoDeletePolicy:
    """Auto-delete periods a user may pick for their history (docs/rules.md P12, P13).

    `offered_months` are the calendar-month periods offered; "until I delete it" (no
    auto-delete) is always offered too. `default_months` is the option preselected in
    the control (None: "until I delete it"); an account that never chose keeps the
    retention of R12.
    """

    offered_months: tuple[int, ...] = (3, 18, 36)
    default_months: int | None = 18

    def __post_init__(self) -> None:
        if not self.offered_months:
            raise ValueError("auto_delete.offered_months: at least one period is required")
        if self.default_months is not None and self.default_months not in self.offered_months:
            raise ValueError("auto_delete.default_months: must be one of offered_months")


class SignupPreset(StrEnum):
    """What the sign-up form's training toggle starts at (docs/rules.md P15)."""

    NONE = "none"
    """Nothing chosen: the user must pick one of the two (opt-in regions)."""
    OFF = "off"
    ON = "on"


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The consent rules applied to accounts of some regions (docs/rules.md P15).

    `notice_default_training` is R5's preset of the notice; `signup_preset` the sign-up
    form's; `gpc` how a GPC signal is honoured (P4-P6); `auto_delete_default_months`
    the auto-delete option preselected (P12; None: the policy's ``auto_delete`` default).
    `retention_training_on` / `retention_standard` (days; None: the policy's) shorten
    the R12 periods for accounts of these regions (P21); left out of the canonical form
    when None, so a policy without them keeps its digest.
    """

    name: str
    notice_default_training: bool
    signup_preset: SignupPreset
    gpc: GpcMode
    auto_delete_default_months: int | None = None
    retention_training_on: int | None = field(default=None, metadata=OMIT_NONE)
    retention_standard: int | None = field(default=None, metadata=OMIT_NONE)

    @property
    def shortens_retention(self) -> bool:
        """P21: whether this rule set sets a retention period of its own."""
        return self.retention_training_on is not None or self.retention_standard is not None


OPT_IN_REGIONS: tuple[str, ...] = (
    # EU member states and the other EEA countries (GDPR)
    *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
    *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
    *("IS", "LI", "NO"),
    # EU territory with ISO 3166-1 codes of their own: the outermost regions of France
    # and Saint-Martin (GDPR applies there), and Åland (part of Finland)
    *("GF", "GP", "MQ", "RE", "YT", "MF", "AX"),
    "GB",  # UK GDPR
    "CH",  # revised FADP
    "BR",  # LGPD
    "CA-QC",  # Quebec's Law 25
)
"""Regions the default policy maps to the `opt_in` rule set (issue 23 item 8)."""


@dataclass(frozen=True, slots=True)
class JurisdictionPolicy:
    """Rule sets by region (docs/rules.md P14-P16): ISO 3166-1 alpha-2 country codes or
    ISO 3166-2 subdivision codes mapped to a rule set's name; a subdivision not listed
    takes its country's rule set, and an unlisted or unknown region the `default` one.
    The rule set named ``seed`` is built from the policy's top-level ``notice`` and
    ``gpc`` keys unless it is defined here."""

    rule_sets: tuple[RuleSet, ...] = (RuleSet("opt_in", False, SignupPreset.NONE, GpcMode.OPT_OUT),)
    regions: tuple[tuple[str, str], ...] = tuple(sorted((c, "opt_in") for c in OPT_IN_REGIONS))
    default: str = "seed"

    @property
    def regional_retention(self) -> bool:
        """P21: whether any rule set shortens the retention periods."""
        return any(r.shortens_retention for r in self.rule_sets)

    def __post_init__(self) -> None:
        names = {r.name for r in self.rule_sets} | {"seed"}
        for code, name in self.regions:
            if name not in names:
                raise ValueError(f"jurisdictions.regions.{code}: unknown rule set {name!r}")
        if self.default not in names:
            raise ValueError(f"jurisdictions.default: unknown rule set {self.default!r}")


DEFAULT_TERMS = TermsVersion(
    version="2025-08-28",
    published_at=datetime(2025, 8, 28, tzinfo=UTC),
    deadline=datetime(2025, 10, 8, tzinfo=UTC),
    summary=(
        "We updated the Consumer Terms and Privacy Policy. You can choose whether your chats "
        "and coding sessions may be used to improve our models. If you allow it, data from new "
        "or resumed sessions is kept for five years; otherwise it is kept for 30 days. You can "
        "change this at any time in Privacy settings."
    ),
)


@dataclass(frozen=True, slots=True)
class Policy:
    consumer_plans: frozenset[Plan] = frozenset({Plan.FREE, Plan.PRO, Plan.MAX})
    commercial_surfaces: frozenset[Surface] = frozenset(
        {Surface.API, Surface.BEDROCK, Surface.VERTEX}
    )
    terms: tuple[TermsVersion, ...] = (DEFAULT_TERMS,)
    notice_default_training: bool = True
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    resume_scope: ResumeScope = ResumeScope.WHOLE_SESSION
    safety_train_on_flagged: bool = True
    feedback_trainable: FeedbackTrainable = FeedbackTrainable.FOLLOWS_SETTING
    permitted_purposes: frozenset[Purpose] = frozenset(Purpose)
    sweep_batch_size: int = 1000
    controller: str = "consentry operator"
    assistant_messages_from: AssistantFrom = AssistantFrom.ANY
    export_assistant_messages_from: AssistantFrom = AssistantFrom.SERVICE
    ner: NerPolicy = field(default_factory=NerPolicy)
    gpc: GpcMode = GpcMode.RECORD
    auto_delete: AutoDeletePolicy = field(default_factory=AutoDeletePolicy)
    jurisdictions: JurisdictionPolicy = field(default_factory=JurisdictionPolicy)

    def __post_init__(self) -> None:
        if not self.terms:
            raise ValueError("terms: at least one terms version is required")
        shortest = min(self.auto_delete.offered_months)
        if shortest < 1 or shortest * 28 < self.retention.standard:
            # P13: auto-delete shortens only what training allows (R12): even its shortest
            # period outlasts the standard one, so an opt-out (R18) never outlives it.
            raise ValueError(
                "auto_delete.offered_months: every period must be at least 1 month and "
                f"at least retention.standard ({self.retention.standard} days, 28 per month)"
            )
        for rule_set in self.jurisdictions.rule_sets:
            months = rule_set.auto_delete_default_months
            if months is not None and months not in self.auto_delete.offered_months:
                raise ValueError(
                    f"jurisdictions.rule_sets.{rule_set.name}.auto_delete_default_months: "
                    "must be one of auto_delete.offered_months"
                )
            self._check_regional_retention(rule_set)

    def _check_regional_retention(self, rule_set: RuleSet) -> None:
        """P21: a rule set's retention periods may only shorten the policy's (R12); P13's
        check above then holds for the region too (its standard period is no longer)."""
        prefix = f"jurisdictions.rule_sets.{rule_set.name}"
        own = (
            ("retention_training_on", rule_set.retention_training_on, self.retention.training_on),
            ("retention_standard", rule_set.retention_standard, self.retention.standard),
        )
        for key, days, ceiling in own:
            if days is not None and not 1 <= days <= ceiling:
                raise ValueError(
                    f"{prefix}.{key}: must be 1 to {ceiling} days (a region may only "
                    "shorten the policy's retention, R12)"
                )

    def retention_days(self, rule_set: RuleSet) -> tuple[int, int]:
        """P21: (training-on, standard) retention days for accounts under `rule_set`."""
        r = self.retention
        return (
            rule_set.retention_training_on or r.training_on,
            rule_set.retention_standard or r.standard,
        )

    def rule_set(self, name: str) -> RuleSet:
        """The rule set called `name`; ``seed`` is the top-level keys unless redefined."""
        for rule_set in self.jurisdictions.rule_sets:
            if rule_set.name == name:
                return rule_set
        preset = SignupPreset.NONE  # R4: the seed's sign-up page presets nothing either
        return RuleSet("seed", self.notice_default_training, preset, self.gpc)

    def to_dict(self) -> dict[str, object]:
        """A canonical, JSON-ready form (sets sorted, times ISO)."""

        def norm(value: object) -> object:
            if is_dataclass(value) and not isinstance(value, type):
                return {
                    f.name: norm(getattr(value, f.name))
                    for f in fields(value)
                    if not f.metadata.get("derived")
                    and not (f.metadata.get("omit_none") and getattr(value, f.name) is None)
                }
            if isinstance(value, frozenset | set):
                return sorted(str(v) for v in value)
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: norm(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [norm(v) for v in value]
            if isinstance(value, StrEnum):
                return str(value)
            return value

        result = norm(self)
        assert isinstance(result, dict)
        return result

    @property
    def digest(self) -> str:
        """SHA-256 of the canonical policy; recorded in every run manifest (R25)."""
        body = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode()).hexdigest()

    def terms_version(self, version: str) -> TermsVersion | None:
        return next((t for t in self.terms if t.version == version), None)


DEFAULT_POLICY = Policy()
