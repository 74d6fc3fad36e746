"""The `consentry` command line: thin commands over the same service functions as the API."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from consentry.config.policy_file import load_policy, policy_to_toml
from consentry.config.settings import Settings
from consentry.domain.clock import iso, parse_instant
from consentry.entrypoints.api.tracing import start_tracing
from consentry.entrypoints.cli_common import (
    DatabaseUrl,
    JsonOut,
    PolicyPath,
    TestClockOpt,
    core,
    describe,
    err,
    fail_with,
    guarded,
    missing_sqlite_file,
    out,
    private_umask,
    refuse_frozen_clock,
    spinner,
)
from consentry.service import ledger as ledger_service
from consentry.service import retention, runs
from consentry.service.views import run_json

app = typer.Typer(
    name="consentry",
    help="Consent-governed retention, deletion and training runs for AI assistant data.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
policy_app = typer.Typer(help="Policy files.", no_args_is_help=True)
runs_app = typer.Typer(help="Training runs (R19–R26).", no_args_is_help=True)
ledger_app = typer.Typer(help="The consent ledger (R27).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(policy_app, name="policy")
app.add_typer(runs_app, name="runs")
app.add_typer(runs_app, name="run", hidden=True)
app.add_typer(ledger_app, name="ledger")


@app.callback()
def _no_frozen_clock_outside_serve(ctx: typer.Context) -> None:
    # Every command but `serve` refuses CONSENTRY_TEST_CLOCK (issue 17 item 6).
    if ctx.invoked_subcommand != "serve":
        refuse_frozen_clock(str(ctx.invoked_subcommand))
    # One-shot commands (runs create, export, sweep) trace too when OTEL_* ask for it and
    # consentry[otel] is installed (issue 24); otherwise this does nothing.
    try:
        start_tracing()
    except RuntimeError as error:
        raise fail_with("otel_misconfigured", str(error)) from error


def print_json(data: Any) -> None:
    out.print_json(json.dumps(data, default=str))


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
    admin_token: Annotated[
        str | None,
        typer.Option(
            "--admin-token",
            envvar="CONSENTRY_ADMIN_TOKEN",
            help="32 characters or more. Visible to every local user in `ps`: prefer the file.",
        ),
    ] = None,
    admin_token_file: Annotated[
        str | None,
        typer.Option(
            "--admin-token-file",
            envvar="CONSENTRY_ADMIN_TOKEN_FILE",
            help="A file holding the admin token (kept out of argv and the environment).",
        ),
    ] = None,
    test_clock: TestClockOpt = None,
    max_body_bytes: Annotated[
        str | None,
        typer.Option("--max-body-bytes", envvar="CONSENTRY_MAX_BODY_BYTES", help="413 above this."),
    ] = None,
    max_message_chars: Annotated[
        str | None,
        typer.Option(
            "--max-message-chars", envvar="CONSENTRY_MAX_MESSAGE_CHARS", help="413 above this."
        ),
    ] = None,
    signing_key_file: Annotated[
        str | None,
        typer.Option(
            "--signing-key-file",
            envvar="CONSENTRY_SIGNING_KEY_FILE",
            help="Ed25519 PEM key: sign ledger checkpoints (docs/ledger.md).",
        ),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option("--origin", envvar="CONSENTRY_LEDGER_ORIGIN", help="The ledger's name."),
    ] = None,
    webhook_allow_private: Annotated[
        bool,
        typer.Option(
            "--webhook-allow-private",
            help="Let webhooks go to private and loopback addresses (tests, internal use); "
            "also CONSENTRY_WEBHOOK_ALLOW_PRIVATE=1.",
        ),
    ] = False,
    read_timeout: Annotated[
        str | None,
        typer.Option(
            "--read-timeout",
            envvar="CONSENTRY_READ_TIMEOUT_S",
            help="Seconds a request (headers and body) may take to arrive; default 30.",
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            envvar="CONSENTRY_FORWARDED_ALLOW_IPS",
            help="TLS proxies whose X-Forwarded-For/-Proto are believed "
            "(comma-separated; default 127.0.0.1,::1).",
        ),
    ] = None,
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
    source = ctx.get_parameter_source("admin_token")
    if source is not None and source.name == "COMMANDLINE":
        err.print(
            "warning: the admin token is on the command line, where every local user can "
            "read it (ps); use --admin-token-file or CONSENTRY_ADMIN_TOKEN_FILE"
        )
    missing = missing_sqlite_file(settings.database_url)
    if missing is not None:  # first start: the server creates it; say so
        if not missing.parent.is_dir():
            raise fail_with("database_missing", f"there is no folder {missing.parent}")
        err.print(f"creating a new database at {missing}", soft_wrap=True)
    guarded(lambda: run_server(settings, host, port))


@app.command()
def info(
    database_url: DatabaseUrl = None, policy: PolicyPath = None, as_json: JsonOut = False
) -> None:
    """Version, Python, database (password masked), filter scan and why, extras, policy digest."""
    from consentry.diagnostics import collect

    settings = guarded(lambda: Settings.from_env(database_url=database_url, policy_path=policy))
    loaded = guarded(lambda: load_policy(settings.policy_path))
    found = collect(database_url=settings.database_url, policy_digest=loaded.digest)
    if as_json:
        print_json(found)
        return
    table = Table(show_header=False, box=None)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    table.add_row("version", found["version"])
    table.add_row("python", f"{found['python']} ({found['executable']})")
    table.add_row("database", found["database_url"])
    table.add_row("filter scan", f"{found['filter']['scan']}: {found['filter']['reason']}")
    for name, extra in found["extras"].items():
        missing = f"not installed: pip install 'consentry[{name}]'"
        table.add_row(f"extra {name}", "installed" if extra["installed"] else escape(missing))
    table.add_row("policy digest", found["policy_digest"])
    out.print(table)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Create or upgrade the schema to the latest revision (idempotent)."""
    from consentry.adapters.sql.engine import (
        current_revision,
        make_engine,
        refresh_statistics,
        upgrade,
    )

    url = guarded(lambda: Settings.from_env(database_url=database_url)).database_url
    missing = missing_sqlite_file(url)
    if missing is not None and not missing.parent.is_dir():
        raise fail_with("database_missing", f"there is no folder {missing.parent} to create it in")
    upgrade(url)
    if missing is not None:
        out.print(f"created a new database at {missing}", soft_wrap=True)
    engine = make_engine(url)
    refresh_statistics(engine)
    out.print(f"database at revision [bold]{current_revision(engine)}[/]")
    engine.dispose()


@db_app.command("analyze")
def db_analyze(database_url: DatabaseUrl = None) -> None:
    """Refresh the query planner's statistics (ANALYZE); cheap, safe while serving."""
    from consentry.adapters.sql.engine import make_engine, refresh_statistics

    engine = make_engine(guarded(lambda: Settings.from_env(database_url=database_url)).database_url)
    refresh_statistics(engine)
    engine.dispose()
    out.print("statistics refreshed")


@policy_app.command("check")
def policy_check(path: Annotated[str, typer.Argument(help="TOML policy file.")]) -> None:
    """Validate a policy file; errors name the key and the problem."""
    loaded = guarded(lambda: load_policy(path))
    out.print(f"[green]ok[/] {path}: policy digest {loaded.digest}")


@policy_app.command("show")
def policy_show(policy: PolicyPath = None) -> None:
    """Print the effective policy (TOML) and its digest."""
    loaded = guarded(lambda: load_policy(policy))
    # Plain text, never wrapped: the output is a policy file (`policy show > p.toml`).
    typer.echo(policy_to_toml(loaded).rstrip("\n"))
    typer.echo(f"# digest: {loaded.digest}")


@app.command()
def sweep(
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
    test_clock: TestClockOpt = None,
    batch_size: Annotated[int | None, typer.Option(min=1, help="Items per batch.")] = None,
) -> None:
    """Purge every item whose retention ended and that no hold protects (R17)."""
    c = core(database_url, policy, test_clock)
    with spinner("sweeping") as bar:
        result = guarded(
            lambda: retention.sweep_expired(
                c.ctx,
                batch_size=batch_size,
                progress=lambda n: describe(
                    bar, f"purged {n.sessions} sessions, {n.messages} messages"
                ),
            )
        )
    if c.engine.dialect.name == "sqlite":  # PostgreSQL's autovacuum does this itself
        # A sweep can remove a large share of the rows: keep the planner's picture current.
        from consentry.adapters.sql.engine import refresh_statistics

        refresh_statistics(c.engine)
    p = result.purged
    print_json(
        {
            "sweep_id": result.sweep_id,
            "purged": {
                "sessions": p.sessions,
                "messages": p.messages,
                "feedback": p.feedback,
                "scores": p.scores,
            },
            "batches": result.batches,
        }
    )


@runs_app.command("create")
def runs_create(
    purpose: Annotated[
        str,
        typer.Argument(
            metavar="model_training|safety_classifiers",
            help="What the run is for; no other purpose is permitted.",
        ),
    ],
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
    test_clock: TestClockOpt = None,
) -> None:
    """Freeze a run's manifest at now (R20)."""
    c = core(database_url, policy, test_clock)
    with err.status("computing the manifest"):
        run = guarded(lambda: runs.create_run(c.ctx, purpose=purpose))
    print_json(run_json(run))


@runs_app.command("start")
def runs_start(run_id: str, database_url: DatabaseUrl = None, policy: PolicyPath = None) -> None:
    """Mark a run started (R21)."""
    c = core(database_url, policy)
    print_json(run_json(guarded(lambda: runs.start_run(c.ctx, run_id=run_id))))


@runs_app.command("list")
def runs_list(
    database_url: DatabaseUrl = None, policy: PolicyPath = None, as_json: JsonOut = False
) -> None:
    """All runs with their counts."""
    c = core(database_url, policy)
    found = runs.list_runs(c.ctx)
    if as_json:
        print_json([run_json(r) for r in found])
        return
    table = Table("run", "purpose", "cutoff", "status", "sessions", "messages", "feedback")
    for r in found:
        table.add_row(
            r.id,
            r.purpose.value,
            iso(r.cutoff),
            r.status.value,
            str(r.sessions),
            str(r.messages),
            str(r.feedback),
        )
    out.print(table)


@runs_app.command("audit")
def runs_audit(run_id: str, database_url: DatabaseUrl = None, policy: PolicyPath = None) -> None:
    """Re-prove a run's manifest from stored history and the ledger (R26); exit 1 on findings."""
    c = core(database_url, policy)
    with spinner("auditing") as bar:
        report = guarded(
            lambda: runs.audit_run(
                c.ctx, run_id=run_id, progress=lambda n: describe(bar, f"checked {n} sessions")
            )
        )
    # The API's fields (GET /v1/admin/training-runs/{id}/audit), plus the older `checked`.
    print_json(
        {
            "run_id": report.run_id,
            "ok": report.ok,
            "checked_sessions": report.checked_sessions,
            "checked_feedback": report.checked_feedback,
            "checked": {"sessions": report.checked_sessions, "feedback": report.checked_feedback},
            "findings": [f.__dict__ for f in report.findings],
        }
    )
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def explain(
    session_id: str,
    purpose: Annotated[
        str, typer.Option(help="model_training or safety_classifiers")
    ] = "model_training",
    at: Annotated[str | None, typer.Option(help="Instant (ISO 8601); default now.")] = None,
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
    test_clock: TestClockOpt = None,
) -> None:
    """Why a session is or is not eligible: every rule with pass or fail (R26)."""
    c = core(database_url, policy, test_clock)

    def instant() -> datetime | None:
        return None if at is None else parse_instant(at, "--at")

    result = guarded(
        lambda: runs.explain(c.ctx, session_id=session_id, purpose=purpose, at=instant())
    )
    table = Table("rule", "passed", "detail", title=f"eligible: {result.eligible}")
    for check in result.checks:
        table.add_row(
            check.rule, "[green]pass[/]" if check.passed else "[red]fail[/]", check.detail
        )
    out.print(table)


@ledger_app.command("verify")
def ledger_verify(
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
    checkpoint: Annotated[
        Path | None, typer.Option(help="A signed checkpoint the ledger must extend.")
    ] = None,
    public_key: Annotated[
        Path | None, typer.Option(help="The Ed25519 PEM key that signed --checkpoint.")
    ] = None,
) -> None:
    """Walk the hash chain; exit 1 and name the first bad event on any tampering (R27).

    With --checkpoint and --public-key: exit 0 only when the checkpoint's signature
    verifies and the ledger's first N events still hash to its root (issue 21)."""
    if checkpoint is not None or public_key is not None:
        if checkpoint is None or public_key is None:
            raise fail_with("validation_error", "--checkpoint and --public-key go together")
        from consentry.entrypoints.ledger_cli import verify_checkpoint

        verify_checkpoint(database_url, policy, checkpoint, public_key)
        return
    c = core(database_url, policy)
    result = ledger_service.verify_ledger(c.ctx)
    print_json(
        {
            "ok": result.ok,
            "events": result.events,
            "head": result.head,
            "first_bad_seq": result.first_bad_seq,
            "problem": result.problem,
            "clock_backwards_at": result.clock_backwards_at,
        }
    )
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def redact(
    key: Annotated[
        str | None, typer.Option(help="Pseudonym key: keyed pseudonyms instead of [TYPE].")
    ] = None,
    ner: Annotated[
        bool | None,
        typer.Option(
            "--ner/--no-ner",
            help="The NER stage (names, street addresses). Default: the policy's [ner] mode "
            "(auto: on when the 'ner' extra is installed); a missing model exits 2.",
        ),
    ] = None,
    policy: PolicyPath = None,
) -> None:
    """Filter JSON Lines {"text": …} from stdin to {"text", "findings"} on stdout (SPEC §4)."""
    from consentry.redaction import RedactionError, build_redactor, redact_jsonl

    pseudonym_key = key.encode() if key else None
    redactor = guarded(lambda: build_redactor(load_policy(policy), pseudonym_key, ner=ner))
    try:
        redact_jsonl(sys.stdin, sys.stdout, redactor)
    except RedactionError as error:
        err.print(f"[bold red]error[/] redaction_failed: {error}")
        raise typer.Exit(2) from error


def _register_extension_commands() -> None:
    """The commands of the feature packages: export, outbox, lake, Spark, demo, ledger."""
    from consentry.entrypoints.cli_demo import demo
    from consentry.entrypoints.cli_export import register
    from consentry.entrypoints.cli_keys import register as register_keys
    from consentry.entrypoints.cli_outbox import app as outbox_app
    from consentry.entrypoints.cli_region import register as register_region
    from consentry.entrypoints.cli_secrets import app as secrets_app
    from consentry.entrypoints.cli_summary import register as register_summary
    from consentry.entrypoints.ledger_cli import register as register_ledger
    from consentry.lake.cli import app as lake_app
    from consentry.spark.cli import app as spark_app

    register(runs_app)  # `runs export` and `runs audit-export` (R25, R26)
    register_summary(runs_app)  # `runs summary` (docs/rules.md P7)
    app.add_typer(outbox_app)  # `webhooks …` and `deliver`
    app.add_typer(lake_app, name="lake")
    app.add_typer(spark_app, name="spark")
    app.add_typer(secrets_app, name="secrets")  # `secrets reseal` (issue 17)
    app.command("demo")(demo)
    register_ledger(app, ledger_app)  # `ledger checkpoint`, `verify-receipt` (issue 21)
    register_keys(app, db_app)  # `db backup|restore`, `keys status|rotate-kek` (issue 26)
    register_region(policy_app)  # `policy region CODE` (docs/rules.md P14, P15)


_register_extension_commands()


def main() -> None:
    """The `consentry` command. Everything it creates is private to its user (umask 077,
    issue 17 item 5): lake tables, ledger notes and whatever else a library writes, on
    top of the explicit 0600/0700 of the database, key and export files."""
    private_umask()
    app()
