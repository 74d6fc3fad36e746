"""The policy: every number and list of SPEC §2 as a value, never a constant in code.

:data:`DEFAULT_POLICY` reproduces the spec. Operators load a TOML file instead
(`consentry.config.policy_file`), which validates into the same value.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
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

    def days(self, name: str) -> timedelta:
        value = getattr(self, name)
        assert isinstance(value, int)
        return timedelta(days=value)


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

    def __post_init__(self) -> None:
        if not self.terms:
            raise ValueError("terms: at least one terms version is required")

    def to_dict(self) -> dict[str, object]:
        """A canonical, JSON-ready form (sets sorted, times ISO)."""

        def norm(value: object) -> object:
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

        result = norm(asdict(self))
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
