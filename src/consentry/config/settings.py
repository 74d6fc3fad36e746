"""Service settings from flags or the environment (SPEC §3)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from consentry.domain.clock import parse_instant
from consentry.domain.errors import InvalidInput

DEFAULT_DATABASE_URL = "sqlite:///consentry.db"
"""A SQLite file in the working directory; the SQL adapter opens it (settings name it only)."""

BODY_BYTES_PER_MESSAGE_CHAR = 12
"""The most one character of a message can take in a request body: an astral character
JSON-escaped as a surrogate pair (``\\ud83d\\ude00``) or form-encoded (``%F0%9F%98%80``)."""
BODY_BYTES_BESIDES_MESSAGE = 65_536


def body_bytes_for(max_message_chars: int) -> int:
    """The body limit that lets a message of `max_message_chars` through however it is
    encoded (issue 17: a 200,000-character message could not fit in 1 MiB)."""
    return BODY_BYTES_PER_MESSAGE_CHAR * max_message_chars + BODY_BYTES_BESIDES_MESSAGE


DEFAULT_MAX_MESSAGE_CHARS = 200_000
MIN_ADMIN_TOKEN_CHARS = 32
DEFAULT_WEB_SESSION_MINUTES = 12 * 60
DEFAULT_WEB_SESSION_IDLE_MINUTES = 30
DEFAULT_AUTH_FAILURES_PER_MINUTE = 20
DEFAULT_SIGNUPS_PER_HOUR = 20
DEFAULT_DB_STATEMENT_TIMEOUT_MS = 60_000
DEFAULT_DB_LOCK_TIMEOUT_MS = 10_000
DEFAULT_READ_TIMEOUT_S = 30
DEFAULT_FORWARDED_ALLOW_IPS = "127.0.0.1,::1"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    admin_token: str | None = None
    policy_path: str | None = None
    test_clock: str | None = None
    export_dir: str = "exports"
    max_body_bytes: int = 0
    """Request bodies above this answer 413 `too_large` before they are read in full.
    0 (the default): :func:`body_bytes_for` the message limit, so the two agree."""
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    """Messages and feedback comments above this answer 413 `too_large`."""
    web_session_minutes: int = DEFAULT_WEB_SESSION_MINUTES
    """A browser session ends this long after sign-in (CONSENTRY_WEB_SESSION_MINUTES)."""
    web_session_idle_minutes: int = DEFAULT_WEB_SESSION_IDLE_MINUTES
    """…or after this long without a request (CONSENTRY_WEB_SESSION_IDLE_MINUTES)."""
    auth_failures_per_minute: int = DEFAULT_AUTH_FAILURES_PER_MINUTE
    """Failed authentications one client address may make in any 60 s before 429
    (CONSENTRY_AUTH_FAILURES_PER_MINUTE; 0 turns the limit off)."""
    signups_per_hour: int = DEFAULT_SIGNUPS_PER_HOUR
    """Sign-ups (API and web form) one client address may make in any hour before 429
    (CONSENTRY_SIGNUPS_PER_HOUR; 0 turns the limit off)."""
    region_header: str | None = None
    """A request header the operator's edge sets to the client's ISO 3166 region, read at
    sign-up when no explicit `region` is given (CONSENTRY_REGION_HEADER; default: none,
    so no header is trusted; docs/rules.md P16). consentry never derives it from the IP."""
    web_secret: str | None = None
    """Signs browser-session cookies; derived from the admin token when unset."""
    secret_key: str | None = field(default=None, repr=False)
    """The master key for secrets at rest and signing (CONSENTRY_SECRET_KEY); see
    :mod:`consentry.config.secret_key` for the key file used when it is unset."""
    secret_key_file: str | None = None
    """Where the generated master key lives (CONSENTRY_SECRET_KEY_FILE)."""
    signing_key_file: str | None = None
    """Ed25519 PEM key that signs ledger checkpoints (CONSENTRY_SIGNING_KEY_FILE)."""
    ledger_origin: str = "consentry"
    """The ledger's name in its checkpoints (CONSENTRY_LEDGER_ORIGIN)."""
    db_statement_timeout_ms: int = DEFAULT_DB_STATEMENT_TIMEOUT_MS
    """PostgreSQL: the longest one statement may run (0: no limit); past it, 503 `busy`."""
    db_lock_timeout_ms: int = DEFAULT_DB_LOCK_TIMEOUT_MS
    """PostgreSQL: the longest a statement waits for a lock (0: no limit); 503 `busy`."""
    sqlite_synchronous: str = "FULL"
    """SQLite's durability (CONSENTRY_SQLITE_SYNCHRONOUS): FULL syncs every commit, so a
    power loss drops no committed consent event; NORMAL is faster and may lose the last
    commits (only on a battery-backed disk)."""
    sqlite_group_commit: bool = False
    """SQLite: writers of one process share transactions, one fsync per group; each still
    returns only after its own writes committed (CONSENTRY_SQLITE_GROUP_COMMIT=1, issue 22)."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names the server answers for (CONSENTRY_ALLOWED_HOSTS, comma-separated,
    ``*.example.org`` matches subdomains); others get 400 `invalid_host`. Empty: any."""
    webhook_allow_private: bool = False
    """Webhooks may go to private and loopback addresses, over plain http too
    (--webhook-allow-private, CONSENTRY_WEBHOOK_ALLOW_PRIVATE=1): tests, internal use."""
    webhook_allow_http: bool = False
    """Webhooks may use plain http to public addresses (CONSENTRY_WEBHOOK_ALLOW_HTTP=1)."""
    webhook_proxy: str | None = None
    """An egress proxy for webhook deliveries (CONSENTRY_WEBHOOK_PROXY, http(s)://host:port);
    HTTP(S)_PROXY from the environment is ignored. With a proxy, refusing private targets
    is the proxy's job: the delivery cannot pin the address it checked."""
    read_timeout_s: int = DEFAULT_READ_TIMEOUT_S
    """A request (headers and body) must arrive within this many seconds of its first
    byte, or the connection is closed (--read-timeout, CONSENTRY_READ_TIMEOUT_S)."""
    forwarded_allow_ips: str = DEFAULT_FORWARDED_ALLOW_IPS
    """Peers whose X-Forwarded-For/-Proto are believed (--forwarded-allow-ips,
    CONSENTRY_FORWARDED_ALLOW_IPS; comma-separated addresses or networks, ``*`` any)."""

    def __post_init__(self) -> None:
        if self.test_clock is not None:
            parse_instant(self.test_clock, "the test clock")
        if self.max_body_bytes < 0:
            raise InvalidInput("max_body_bytes must be positive")
        if self.max_body_bytes == 0 and self.max_message_chars >= 1:
            object.__setattr__(self, "max_body_bytes", body_bytes_for(self.max_message_chars))
        if self.sqlite_synchronous not in ("FULL", "NORMAL"):
            raise InvalidInput(
                "CONSENTRY_SQLITE_SYNCHRONOUS must be FULL or NORMAL, "
                f"not {self.sqlite_synchronous!r}"
            )
        if self.db_statement_timeout_ms < 0 or self.db_lock_timeout_ms < 0:
            raise InvalidInput("database timeouts must be 0 (no limit) or positive")
        if self.max_message_chars < 1:
            raise InvalidInput("max_message_chars must be at least 1")
        if self.admin_token is not None and len(self.admin_token) < MIN_ADMIN_TOKEN_CHARS:
            raise InvalidInput(
                f"the admin token is too short: it needs {MIN_ADMIN_TOKEN_CHARS} characters "
                f"or more, this one has {len(self.admin_token)} (make one with: python -c "
                "'import secrets; print(secrets.token_urlsafe(32))')"
            )
        if self.web_session_minutes < 1 or self.web_session_idle_minutes < 1:
            raise InvalidInput("web session minutes and idle minutes must be at least 1")
        if self.auth_failures_per_minute < 0 or self.signups_per_hour < 0:
            raise InvalidInput("rate limits must be 0 (off) or more")
        if self.secret_key is not None and len(self.secret_key.strip()) < 32:
            raise InvalidInput("the secret key (CONSENTRY_SECRET_KEY) needs 32 characters or more")
        if self.read_timeout_s < 1:
            raise InvalidInput("the read timeout must be at least 1 second")
        if self.webhook_proxy is not None:
            _check_proxy_url(self.webhook_proxy)
        if self.web_secret is not None and len(self.web_secret) < 32:
            raise InvalidInput("the web secret (CONSENTRY_WEB_SECRET) needs 32 characters or more")

    # size: a flat table, one keyword per setting, each read from its CONSENTRY_* variable
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
            "signing_key_file": env.get("CONSENTRY_SIGNING_KEY_FILE") or None,
            "ledger_origin": env.get("CONSENTRY_LEDGER_ORIGIN") or None,
            "db_statement_timeout_ms": env.get("CONSENTRY_DB_STATEMENT_TIMEOUT_MS") or None,
            "db_lock_timeout_ms": env.get("CONSENTRY_DB_LOCK_TIMEOUT_MS") or None,
            "read_timeout_s": env.get("CONSENTRY_READ_TIMEOUT_S") or None,
            "forwarded_allow_ips": env.get("CONSENTRY_FORWARDED_ALLOW_IPS")
            or env.get("FORWARDED_ALLOW_IPS")  # uvicorn's own name, which the README gave
            or None,
            "webhook_proxy": env.get("CONSENTRY_WEBHOOK_PROXY") or None,
            "region_header": env.get("CONSENTRY_REGION_HEADER") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        token_file = overrides.get("admin_token_file") or env.get("CONSENTRY_ADMIN_TOKEN_FILE")
        if token_file:
            if values["admin_token"]:
                raise InvalidInput(
                    "give the admin token once: either --admin-token/CONSENTRY_ADMIN_TOKEN "
                    "or --admin-token-file/CONSENTRY_ADMIN_TOKEN_FILE"
                )
            values["admin_token"] = read_admin_token_file(token_file)
        return cls(
            database_url=values["database_url"] or DEFAULT_DATABASE_URL,
            admin_token=values["admin_token"],
            region_header=(values["region_header"] or "").strip().lower() or None,
            policy_path=values["policy_path"],
            test_clock=values["test_clock"],
            export_dir=values["export_dir"] or "exports",
            max_body_bytes=_whole(
                values["max_body_bytes"], "CONSENTRY_MAX_BODY_BYTES", 0, minimum=1
            ),
            max_message_chars=_whole(
                values["max_message_chars"],
                "CONSENTRY_MAX_MESSAGE_CHARS",
                DEFAULT_MAX_MESSAGE_CHARS,
                minimum=1,
            ),
            web_session_minutes=_whole(
                env.get("CONSENTRY_WEB_SESSION_MINUTES"),
                "CONSENTRY_WEB_SESSION_MINUTES",
                DEFAULT_WEB_SESSION_MINUTES,
                minimum=1,
            ),
            web_session_idle_minutes=_whole(
                env.get("CONSENTRY_WEB_SESSION_IDLE_MINUTES"),
                "CONSENTRY_WEB_SESSION_IDLE_MINUTES",
                DEFAULT_WEB_SESSION_IDLE_MINUTES,
                minimum=1,
            ),
            auth_failures_per_minute=_whole(
                env.get("CONSENTRY_AUTH_FAILURES_PER_MINUTE"),
                "CONSENTRY_AUTH_FAILURES_PER_MINUTE",
                DEFAULT_AUTH_FAILURES_PER_MINUTE,
            ),
            signups_per_hour=_whole(
                env.get("CONSENTRY_SIGNUPS_PER_HOUR"),
                "CONSENTRY_SIGNUPS_PER_HOUR",
                DEFAULT_SIGNUPS_PER_HOUR,
            ),
            web_secret=values["web_secret"],
            secret_key=values["secret_key"],
            secret_key_file=values["secret_key_file"],
            signing_key_file=values["signing_key_file"],
            ledger_origin=values["ledger_origin"] or "consentry",
            db_statement_timeout_ms=_milliseconds(
                values["db_statement_timeout_ms"],
                "CONSENTRY_DB_STATEMENT_TIMEOUT_MS",
                DEFAULT_DB_STATEMENT_TIMEOUT_MS,
            ),
            db_lock_timeout_ms=_milliseconds(
                values["db_lock_timeout_ms"],
                "CONSENTRY_DB_LOCK_TIMEOUT_MS",
                DEFAULT_DB_LOCK_TIMEOUT_MS,
            ),
            allowed_hosts=_hosts(env.get("CONSENTRY_ALLOWED_HOSTS")),
            sqlite_synchronous=(env.get("CONSENTRY_SQLITE_SYNCHRONOUS") or "FULL").upper(),
            sqlite_group_commit=_flag(
                env.get("CONSENTRY_SQLITE_GROUP_COMMIT"), "CONSENTRY_SQLITE_GROUP_COMMIT"
            ),
            webhook_allow_private=_flag(
                overrides.get("webhook_allow_private")
                or env.get("CONSENTRY_WEBHOOK_ALLOW_PRIVATE"),
                "CONSENTRY_WEBHOOK_ALLOW_PRIVATE",
            ),
            webhook_allow_http=_flag(
                env.get("CONSENTRY_WEBHOOK_ALLOW_HTTP"), "CONSENTRY_WEBHOOK_ALLOW_HTTP"
            ),
            webhook_proxy=values["webhook_proxy"],
            read_timeout_s=_whole(
                values["read_timeout_s"],
                "CONSENTRY_READ_TIMEOUT_S",
                DEFAULT_READ_TIMEOUT_S,
                minimum=1,
            ),
            forwarded_allow_ips=values["forwarded_allow_ips"] or DEFAULT_FORWARDED_ALLOW_IPS,
        )


def read_admin_token_file(path: str) -> str:
    """The admin token from a file (surrounding whitespace and the newline dropped), so
    it never appears in a process listing (`ps` shows every argument to every user)."""
    try:
        with open(path, encoding="utf-8") as handle:
            token = handle.read().strip()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read the admin token file {path}: {error}") from None
    if not token:
        raise InvalidInput(f"the admin token file {path} is empty")
    return token


def _check_proxy_url(url: str) -> None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        port, parts = None, urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        # Not echoed: a proxy URL may carry a password.
        raise InvalidInput("CONSENTRY_WEBHOOK_PROXY must look like http(s)://host:port")


def _hosts(raw: str | None) -> tuple[str, ...]:
    """`CONSENTRY_ALLOWED_HOSTS`: comma-separated host names, lower-cased, no ports."""
    if not raw:
        return ()
    hosts = tuple(h.strip().lower().rstrip(".") for h in raw.split(",") if h.strip())
    for host in hosts:
        if ":" in host or "/" in host or (host.startswith("*") and not host.startswith("*.")):
            raise InvalidInput(
                f"CONSENTRY_ALLOWED_HOSTS: {host!r} is not a host name (no ports or paths; "
                "'*.example.org' for subdomains)"
            )
    return hosts


SHREDDING_ENV = "CONSENTRY_CRYPTO_SHREDDING"


def crypto_shredding_on(environ: dict[str, str] | None = None) -> bool:
    """Issue 26: whether content is sealed under data keys (``CONSENTRY_CRYPTO_SHREDDING``).

    Off unless set; ``1/true/yes/on`` and ``0/false/no/off`` in any case, anything else is
    refused (``invalid_input``) rather than read as off, so a typo cannot leave an operator
    who asked for shredding without it.
    """
    env = os.environ if environ is None else environ
    return _flag(env.get(SHREDDING_ENV), SHREDDING_ENV)


def env_whole(name: str, minimum: int, environ: dict[str, str] | None = None) -> int | None:
    """A whole-number setting read straight from the environment (``None`` when unset); a
    value that is not a whole number of ``minimum`` or more is ``invalid_input``."""
    raw = (os.environ if environ is None else environ).get(name)
    return None if not raw else _whole(raw.strip(), name, 0, minimum)


def _flag(raw: str | None, name: str) -> bool:
    if raw is None or raw == "":
        return False
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise InvalidInput(f"{name} must be 1 or 0, not {raw!r}")


def _whole(raw: str | None, name: str, default: int, minimum: int = 0) -> int:
    """A whole number of ``minimum`` or more (a minimum of 0: 0 turns a limit off)."""
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise InvalidInput(f"{name} must be {minimum} or more, not {value}")
    return value


def _milliseconds(raw: str | None, name: str, default: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number of milliseconds, not {raw!r}") from None
    if value < 0:
        raise InvalidInput(f"{name} must be 0 (no limit) or positive, not {value}")
    return value
