"""The `consentry` command line: thin commands over the same service functions as the API."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from consentry.config.policy_file import load_policy, policy_to_toml
from consentry.config.settings import Settings
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
    print_json,
    private_umask,
    refuse_frozen_clock,
    spinner,
)
from consentry.entrypoints.cli_runs import register as register_runs
from consentry.entrypoints.cli_serve import serve
from consentry.service import ledger as ledger_service
from consentry.service import retention

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


app.command()(serve)


@app.command()
def info(
    database_url: DatabaseUrl = None, policy: PolicyPath = None, as_json: JsonOut = False
) -> None:
    """Version, Python, database (password masked), filter scan and why, extras, policy digest."""
    from consentry.diagnostics import collect

    settings = guarded(lambda: Settings.from_env(database_url=database_url, policy_path=policy))
    loaded = guarded(lambda: load_policy(settings.policy_path))
    found = guarded(
        lambda: collect(database_url=settings.database_url, policy_digest=loaded.digest)
    )
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
    shredding = found["crypto_shredding"]
    table.add_row("crypto-shredding", f"{'on' if shredding['on'] else 'off'}: {shredding['note']}")
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


register_runs(app, runs_app)  # `explain`; `runs create|start|list|audit` (R20–R26)


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
    from consentry.entrypoints.cli_lake import app as lake_app
    from consentry.entrypoints.cli_outbox import app as outbox_app
    from consentry.entrypoints.cli_region import register as register_region
    from consentry.entrypoints.cli_secrets import app as secrets_app
    from consentry.entrypoints.cli_spark import app as spark_app
    from consentry.entrypoints.cli_summary import register as register_summary
    from consentry.entrypoints.ledger_cli import register as register_ledger

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
