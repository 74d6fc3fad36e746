"""Delivery settings, from the environment (``CONSENTRY_WEBHOOK_*``, ``CONSENTRY_REDIS_*``).

These are operational settings, not policy: they decide how hard consentry tries to tell
other systems about a change, never what the change is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class DeliverySettings:
    max_attempts: int = 8
    """Attempts per delivery before it is dead-lettered (status ``dead``)."""
    backoff_base_s: float = 30.0
    """Retry *n* waits a uniformly random time in [0, min(cap, base · 2^(n-1))] (full jitter)."""
    backoff_cap_s: float = 3600.0
    timeout_s: float = 10.0
    """Connect, read and write timeout of one HTTP attempt."""
    lease_s: float = 60.0
    """How long a claimed delivery is reserved; a worker that dies leaves it due after this."""
    poll_interval_s: float = 1.0
    batch_size: int = 50
    concurrency: int = 8
    redis_url: str | None = None
    redis_stream: str = "consentry:events"
    redis_maxlen: int | None = None
    """Approximate MAXLEN for XADD; None keeps every entry."""
    redis_format: str = "consentry"
    """``consentry`` (separate fields) or ``cloudevents`` (one CloudEvents 1.0 document)."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.lease_s <= self.timeout_s:
            raise ValueError("lease_s must be longer than timeout_s")
        if self.redis_format not in ("consentry", "cloudevents"):
            raise ValueError("CONSENTRY_REDIS_FORMAT must be consentry or cloudevents")

    @classmethod
    def from_env(cls, **overrides: object) -> DeliverySettings:
        env = os.environ
        names = {
            "max_attempts": "CONSENTRY_WEBHOOK_MAX_ATTEMPTS",
            "backoff_base_s": "CONSENTRY_WEBHOOK_BACKOFF_BASE_S",
            "backoff_cap_s": "CONSENTRY_WEBHOOK_BACKOFF_CAP_S",
            "timeout_s": "CONSENTRY_WEBHOOK_TIMEOUT_S",
            "lease_s": "CONSENTRY_WEBHOOK_LEASE_S",
            "poll_interval_s": "CONSENTRY_WEBHOOK_POLL_INTERVAL_S",
            "batch_size": "CONSENTRY_WEBHOOK_BATCH_SIZE",
            "concurrency": "CONSENTRY_WEBHOOK_CONCURRENCY",
            "redis_url": "CONSENTRY_REDIS_URL",
            "redis_stream": "CONSENTRY_REDIS_STREAM",
            "redis_maxlen": "CONSENTRY_REDIS_MAXLEN",
            "redis_format": "CONSENTRY_REDIS_FORMAT",
        }
        types = {f.name: f.type for f in fields(cls)}
        values: dict[str, object] = {}
        for name, var in names.items():
            raw = env.get(var)
            if not raw:
                continue
            kind = str(types[name])
            try:
                if "int" in kind:
                    values[name] = int(raw)
                elif "float" in kind:
                    values[name] = float(raw)
                else:
                    values[name] = raw
            except ValueError:
                raise ValueError(f"{var}={raw!r} is not a number") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
