"""Service settings from flags or the environment (SPEC §3)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from consentry.adapters.sql.engine import DEFAULT_DATABASE_URL
from consentry.domain.clock import parse_instant
from consentry.domain.errors import InvalidInput

DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_MAX_MESSAGE_CHARS = 200_000


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    admin_token: str | None = None
    policy_path: str | None = None
    test_clock: str | None = None
    export_dir: str = "exports"
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Request bodies above this answer 413 `too_large` before they are read in full."""
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    """Messages and feedback comments above this answer 413 `too_large`."""
    web_secret: str | None = None
    """Signs browser-session cookies; derived from the admin token when unset."""
    secret_key: str | None = field(default=None, repr=False)
    """The master key for secrets at rest and signing (CONSENTRY_SECRET_KEY); see
    :mod:`consentry.config.secret_key` for the key file used when it is unset."""
    secret_key_file: str | None = None
    """Where the generated master key lives (CONSENTRY_SECRET_KEY_FILE)."""

    def __post_init__(self) -> None:
        if self.test_clock is not None:
            parse_instant(self.test_clock, "the test clock")
        if self.max_body_bytes < 1:
            raise InvalidInput("max_body_bytes must be positive")
        if self.max_message_chars < 1:
            raise InvalidInput("max_message_chars must be at least 1")
        if self.secret_key is not None and len(self.secret_key.strip()) < 32:
            raise InvalidInput("the secret key (CONSENTRY_SECRET_KEY) needs 32 characters or more")
        if self.web_secret is not None and len(self.web_secret) < 32:
            raise InvalidInput("the web secret (CONSENTRY_WEB_SECRET) needs 32 characters or more")

    @classmethod
    def from_env(cls, **overrides: str | None) -> Settings:
        env = os.environ
        values: dict[str, str | None] = {
            "database_url": env.get("CONSENTRY_DATABASE_URL") or DEFAULT_DATABASE_URL,
            "admin_token": env.get("CONSENTRY_ADMIN_TOKEN") or None,
            "policy_path": env.get("CONSENTRY_POLICY") or None,
            "test_clock": env.get("CONSENTRY_TEST_CLOCK") or None,
            "export_dir": env.get("CONSENTRY_EXPORT_DIR") or "exports",
            "max_body_bytes": env.get("CONSENTRY_MAX_BODY_BYTES") or None,
            "max_message_chars": env.get("CONSENTRY_MAX_MESSAGE_CHARS") or None,
            "web_secret": env.get("CONSENTRY_WEB_SECRET") or None,
            "secret_key": env.get("CONSENTRY_SECRET_KEY") or None,
            "secret_key_file": env.get("CONSENTRY_SECRET_KEY_FILE") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(
            database_url=values["database_url"] or DEFAULT_DATABASE_URL,
            admin_token=values["admin_token"],
            policy_path=values["policy_path"],
            test_clock=values["test_clock"],
            export_dir=values["export_dir"] or "exports",
            max_body_bytes=_positive_int(
                values["max_body_bytes"], "CONSENTRY_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES
            ),
            max_message_chars=_positive_int(
                values["max_message_chars"],
                "CONSENTRY_MAX_MESSAGE_CHARS",
                DEFAULT_MAX_MESSAGE_CHARS,
            ),
            web_secret=values["web_secret"],
            secret_key=values["secret_key"],
            secret_key_file=values["secret_key_file"],
        )


def _positive_int(raw: str | None, name: str, default: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise InvalidInput(f"{name} must be positive, not {value}")
    return value
