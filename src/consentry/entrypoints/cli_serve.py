"""`consentry serve`: its options (each also read from a CONSENTRY_* variable) and the
checks it makes before the server starts. Registered from :mod:`consentry.entrypoints.cli`."""

from __future__ import annotations

from typing import Annotated

import typer

from consentry.config.settings import Settings
from consentry.entrypoints.cli_common import (
    DatabaseUrl,
    PolicyPath,
    TestClockOpt,
    err,
    fail_with,
    guarded,
    missing_sqlite_file,
)

Host = Annotated[str, typer.Option(help="Interface to listen on.")]
Port = Annotated[int, typer.Option(help="TCP port.")]
AdminToken = Annotated[
    str | None,
    typer.Option(
        "--admin-token",
        envvar="CONSENTRY_ADMIN_TOKEN",
        help="32 characters or more. Visible to every local user in `ps`: prefer the file.",
    ),
]
AdminTokenFile = Annotated[
    str | None,
    typer.Option(
        "--admin-token-file",
        envvar="CONSENTRY_ADMIN_TOKEN_FILE",
        help="A file holding the admin token (kept out of argv and the environment).",
    ),
]
MaxBodyBytes = Annotated[
    str | None,
    typer.Option("--max-body-bytes", envvar="CONSENTRY_MAX_BODY_BYTES", help="413 above this."),
]
MaxMessageChars = Annotated[
    str | None,
    typer.Option(
        "--max-message-chars", envvar="CONSENTRY_MAX_MESSAGE_CHARS", help="413 above this."
    ),
]
SigningKeyFile = Annotated[
    str | None,
    typer.Option(
        "--signing-key-file",
        envvar="CONSENTRY_SIGNING_KEY_FILE",
        help="Ed25519 PEM key: sign ledger checkpoints (docs/ledger.md).",
    ),
]
Origin = Annotated[
    str | None,
    typer.Option("--origin", envvar="CONSENTRY_LEDGER_ORIGIN", help="The ledger's name."),
]
WebhookAllowPrivate = Annotated[
    bool,
    typer.Option(
        "--webhook-allow-private",
        help="Let webhooks go to private and loopback addresses (tests, internal use); "
        "also CONSENTRY_WEBHOOK_ALLOW_PRIVATE=1.",
    ),
]
ReadTimeout = Annotated[
    str | None,
    typer.Option(
        "--read-timeout",
        envvar="CONSENTRY_READ_TIMEOUT_S",
        help="Seconds a request (headers and body) may take to arrive; default 30.",
    ),
]
ForwardedAllowIps = Annotated[
    str | None,
    typer.Option(
        "--forwarded-allow-ips",
        envvar="CONSENTRY_FORWARDED_ALLOW_IPS",
        help="TLS proxies whose X-Forwarded-For/-Proto are believed "
        "(comma-separated; default 127.0.0.1,::1).",
    ),
]


def serve(
    ctx: typer.Context,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
    admin_token: AdminToken = None,
    admin_token_file: AdminTokenFile = None,
    test_clock: TestClockOpt = None,
    max_body_bytes: MaxBodyBytes = None,
    max_message_chars: MaxMessageChars = None,
    signing_key_file: SigningKeyFile = None,
    origin: Origin = None,
    webhook_allow_private: WebhookAllowPrivate = False,
    read_timeout: ReadTimeout = None,
    forwarded_allow_ips: ForwardedAllowIps = None,
) -> None:
    """Start the HTTP API and the web pages."""
    from consentry.entrypoints.api.server import serve as run_server

    settings = guarded(
        lambda: Settings.from_env(
            database_url=database_url,
            policy_path=policy,
            admin_token=admin_token,
            admin_token_file=admin_token_file,
            test_clock=test_clock,
            max_body_bytes=max_body_bytes,
            max_message_chars=max_message_chars,
            signing_key_file=signing_key_file,
            ledger_origin=origin,
            webhook_allow_private="1" if webhook_allow_private else None,
            read_timeout_s=read_timeout,
            forwarded_allow_ips=forwarded_allow_ips,
        )
    )
    _warn_token_on_command_line(ctx)
    _announce_new_database(settings.database_url)
    guarded(lambda: run_server(settings, host, port))


def _warn_token_on_command_line(ctx: typer.Context) -> None:
    source = ctx.get_parameter_source("admin_token")
    if source is not None and source.name == "COMMANDLINE":
        err.print(
            "warning: the admin token is on the command line, where every local user can "
            "read it (ps); use --admin-token-file or CONSENTRY_ADMIN_TOKEN_FILE"
        )


def _announce_new_database(url: str) -> None:
    """First start on a SQLite file that does not exist: the server creates it; say so."""
    missing = missing_sqlite_file(url)
    if missing is not None:
        if not missing.parent.is_dir():
            raise fail_with("database_missing", f"there is no folder {missing.parent}")
        err.print(f"creating a new database at {missing}", soft_wrap=True)
