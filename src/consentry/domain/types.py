"""Vocabulary of SPEC §1 as enumerations and small value objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Plan(StrEnum):
    FREE = "free"
    PRO = "pro"
    MAX = "max"
    TEAM = "team"
    ENTERPRISE = "enterprise"
    EDUCATION = "education"
    GOV = "gov"
    API = "api"


class Scope(StrEnum):
    CONSUMER = "consumer"
    COMMERCIAL = "commercial"


class Surface(StrEnum):
    WEB = "web"
    DESKTOP = "desktop"
    MOBILE = "mobile"
    CODE = "code"
    API = "api"
    BEDROCK = "bedrock"
    VERTEX = "vertex"


class SessionKind(StrEnum):
    CHAT = "chat"
    CODE = "code"


class Training(StrEnum):
    """An account's training choice as shown to clients."""

    ON = "on"
    OFF = "off"
    UNSET = "unset"
    NOT_APPLICABLE = "not_applicable"


class ChoiceSource(StrEnum):
    SIGNUP = "signup"
    NOTICE = "notice"
    SETTINGS = "settings"
    ADMIN_IMPORT = "admin_import"
    ACCOUNT_DELETED = "account_deleted"
    GPC = "gpc"
    """A Global Privacy Control signal (`Sec-GPC: 1`) as the policy's `gpc` says (P4, P5)."""


class EventType(StrEnum):
    CHOICE = "choice"
    DEFERRAL = "deferral"
    AUTO_DELETE = "auto_delete"
    """The user's auto-delete period for their history (docs/rules.md P12)."""


class Purpose(StrEnum):
    MODEL_TRAINING = "model_training"
    SAFETY_CLASSIFIERS = "safety_classifiers"


class HoldKind(StrEnum):
    LEGAL = "legal"
    SAFETY = "safety"


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


class Author(StrEnum):
    """Which kind of credential wrote a message (issue 17 item 7)."""

    ACCOUNT = "account"
    """The account's own token (the API or the web pages)."""
    SERVICE = "service"
    """A service token an admin made for the assistant's backend."""


class Rating(StrEnum):
    UP = "up"
    DOWN = "down"


class RunStatus(StrEnum):
    CREATED = "created"
    STARTED = "started"


@dataclass(frozen=True, slots=True)
class ChoicePoint:
    """A training choice (`on`/`off`) that took effect at `at`."""

    at: datetime
    value: Training


@dataclass(frozen=True, slots=True)
class ActivityFact:
    """One activity of a session: its instant and whether it was covered (R9)."""

    at: datetime
    covered: bool


@dataclass(frozen=True, slots=True)
class HoldFact:
    kind: HoldKind
    placed_at: datetime
    released_at: datetime | None = None

    def active_at(self, at: datetime) -> bool:
        return self.placed_at <= at and (self.released_at is None or self.released_at > at)
