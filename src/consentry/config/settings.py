"""Service settings from flags or the environment (SPEC §3)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from consentry.adapters.sql.engine import DEFAULT_DATABASE_URL


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    admin_token: str | None = None
    policy_path: str | None = None
    test_clock: str | None = None
    export_dir: str = "exports"
    max_body_bytes: int = 1_048_576

    @classmethod
    def from_env(cls, **overrides: str | None) -> Settings:
        env = os.environ
        values: dict[str, str | None] = {
            "database_url": env.get("CONSENTRY_DATABASE_URL") or DEFAULT_DATABASE_URL,
            "admin_token": env.get("CONSENTRY_ADMIN_TOKEN") or None,
            "policy_path": env.get("CONSENTRY_POLICY") or None,
            "test_clock": env.get("CONSENTRY_TEST_CLOCK") or None,
            "export_dir": env.get("CONSENTRY_EXPORT_DIR") or "exports",
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(
            database_url=values["database_url"] or DEFAULT_DATABASE_URL,
            admin_token=values["admin_token"],
            policy_path=values["policy_path"],
            test_clock=values["test_clock"],
            export_dir=values["export_dir"] or "exports",
        )
