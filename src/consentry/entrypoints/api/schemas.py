"""Request and response bodies of the HTTP API (SPEC §3).

These are the wire shapes clients are written against; they are deliberately separate
from the storage records in :mod:`consentry.service.records`. Names follow the SPEC
table exactly; extra fields are additions, never renames.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from consentry.domain.clock import EARLIEST_YEAR, LATEST_YEAR

Choice = Literal["on", "off"]
TrainingState = Literal["on", "off", "unset", "not_applicable"]
PlanName = Literal["free", "pro", "max", "team", "enterprise", "education", "gov", "api"]
SurfaceName = Literal["web", "desktop", "mobile", "code", "api", "bedrock", "vertex"]


def _utc_instant(value: datetime) -> datetime:
    """Naive instants are UTC; far-off ones are refused so date arithmetic cannot overflow."""
    if not EARLIEST_YEAR <= value.year < LATEST_YEAR:
        raise ValueError(f"the year must be between {EARLIEST_YEAR} and {LATEST_YEAR - 1}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant is out of range") from None


Instant = Annotated[datetime, AfterValidator(_utc_instant)]
"""An ISO 8601 instant, normalised to UTC, within a range date arithmetic can handle."""


class Body(BaseModel):
    """Request bodies refuse unknown fields, so a typo is a 422, not a silent default.

    Every string in a body, ids and dictionary keys included, must be text every store can
    hold: no NUL (PostgreSQL refuses it) and no lone surrogate (not encodable as UTF-8).
    Such input is a 422 `validation_error` here instead of a 500 from the driver.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _storable_text(self) -> Body:
        for name, value in self:
            _check_storable(value, name)
        return self


def _check_storable(value: object, where: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{where} may not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(f"{where} is not valid Unicode (a lone surrogate)") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_storable(key, f"{where} key")
            _check_storable(item, where)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_storable(item, where)


# --- errors -------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str


class ErrorBody(BaseModel):
    """Every error: ``{"error": {"code", "message"}}`` with a stable ``code``."""

    error: ErrorDetail


# --- accounts and privacy -----------------------------------------------------------


class SignUp(Body):
    plan: PlanName
    training: Choice | None = None
    region: str | None = Field(
        default=None,
        max_length=16,
        description="ISO 3166-1 alpha-2 or ISO 3166-2 code (DE, CA-QC), kept on the account; "
        "it picks the consent rules applied (docs/rules.md P14-P16). 422 validation_error "
        "when ISO 3166 does not list it.",
    )


class ImportAccount(Body):
    plan: PlanName
    training: Choice | None = Field(
        default=None, description="A choice the user already made elsewhere; default unset."
    )
    region: str | None = Field(
        default=None,
        max_length=16,
        description="ISO 3166 region of the user, if known (docs/rules.md P16); 422 if unlisted.",
    )


class CredentialsOut(BaseModel):
    account_id: str
    token: str = Field(description="Shown once; only its hash is stored.")


class NoticeOut(BaseModel):
    terms_version: str
    deadline: str
    can_defer: bool
    default_training: Choice


class AutoDeleteOut(BaseModel):
    """docs/rules.md P12: the auto-delete choice (`months` null: until the user deletes
    it), whether one was made, the periods offered and the control's preset."""

    months: int | None
    chosen: bool
    offered_months: list[int]
    preset_months: int | None


class PrivacyOut(BaseModel):
    account_id: str
    plan: PlanName
    scope: Literal["consumer", "commercial"]
    training: TrainingState
    terms_version_accepted: str | None
    notice: NoticeOut | None
    blocked: bool
    retention_days: int
    region: str | None = Field(default=None, description="ISO 3166 region from sign-up (P16)")
    rule_set: str | None = Field(default=None, description="Rule set applied (P14); consumer")
    auto_delete: AutoDeleteOut | None = Field(default=None, description="P12; consumer only")


class AutoDeleteIn(Body):
    """docs/rules.md P12: one of the offered periods in months, or null: until I delete it."""

    months: int | None


class ChoiceIn(Body):
    training: Choice


class HistoryItemOut(BaseModel):
    at: str
    type: Literal["choice", "deferral", "auto_delete"]
    value: Choice | None
    source: str | None
    terms_version: str
    auto_delete: str | None = Field(
        default=None, description="For type auto_delete (P12): 3m, 18m, 36m or off"
    )


# --- sessions -----------------------------------------------------------------------


class SessionIn(Body):
    kind: Literal["chat", "code"]
    surface: SurfaceName | None = None
    incognito: bool = False


class SessionCreated(BaseModel):
    session_id: str
    covered: bool
    retain_until: str


class SessionOut(BaseModel):
    session_id: str
    kind: Literal["chat", "code"]
    surface: SurfaceName
    incognito: bool
    scope: Literal["consumer", "commercial"]
    created_at: str
    last_activity_at: str
    covered: bool
    retain_until: str


class MessageOut(BaseModel):
    message_id: str
    role: Literal["user", "assistant"]
    content: str
    at: str
    covered: bool
    author: Literal["account", "service"] = Field(
        description="Which kind of credential wrote it: the account's token or a service token."
    )


class SessionDetail(SessionOut):
    messages: list[MessageOut]


class SessionPage(BaseModel):
    items: list[SessionOut]
    next_cursor: str | None


class MessageIn(Body):
    role: Literal["user", "assistant"]
    content: str


class MessageCreated(BaseModel):
    message_id: str
    at: str
    covered: bool


class FeedbackIn(Body):
    message_id: str
    rating: Literal["up", "down"]
    comment: str | None = None


class FeedbackCreated(BaseModel):
    feedback_id: str


# --- training runs ------------------------------------------------------------------


class RunIn(Body):
    purpose: str = Field(
        description="model_training or safety_classifiers; anything else is refused (R19)"
    )


class RunRef(BaseModel):
    run_id: str
    purpose: str
    cutoff: str


class RunCounts(BaseModel):
    sessions: int
    messages: int
    feedback: int


class RunOut(RunRef):
    status: Literal["created", "started"]
    counts: RunCounts
    policy_digest: str
    ledger_head: str


class ManifestOut(BaseModel):
    run_id: str
    sessions: list[str]
    feedback: list[str]


class ExportIn(Body):
    format: Literal["parquet", "jsonl"] = "parquet"


class ExportedFileOut(BaseModel):
    path: str
    sha256: str
    rows: int


class ExportOut(BaseModel):
    directory: str
    files: list[ExportedFileOut]


class AuditFindingOut(BaseModel):
    kind: str
    item_id: str
    problem: str
    detail: str


class AuditOut(BaseModel):
    run_id: str
    ok: bool
    checked_sessions: int
    checked_feedback: int
    findings: list[AuditFindingOut]


class StoredAuditOut(AuditOut):
    """An audit kept for the pages (issue 18): when it ran and the ledger head it saw."""

    audit_id: str
    audited_at: str
    ledger_head: str
    ledger_events: int


# --- admin --------------------------------------------------------------------------


class PurgedOut(BaseModel):
    sessions: int
    messages: int
    feedback: int
    scores: int


class SweepOut(BaseModel):
    purged: PurgedOut
    sweep_id: str
    batches: int


class HoldIn(Body):
    session_id: str
    kind: Literal["legal", "safety"]
    scores: dict[str, float] | None = Field(
        default=None, description="Classifier scores kept for retention.safety_scores (R16)."
    )


class HoldCreated(BaseModel):
    hold_id: str


class CheckOut(BaseModel):
    rule: str
    passed: bool
    detail: str


class ExplainOut(BaseModel):
    eligible: bool
    checks: list[CheckOut]
    include_from: str | None = None


class LedgerOut(BaseModel):
    ok: bool
    events: int
    head: str
    first_bad_seq: int | None = None
    problem: str | None = None
    clock_backwards_at: int | None = None
    """The first event stamped before an earlier one: the clock was moved back, not a
    break (`ok` stays true)."""


class ClockIn(Body):
    now: Instant


class ClockOut(BaseModel):
    now: str


class Health(BaseModel):
    status: Literal["ok"]


JsonObject = dict[str, Any]
