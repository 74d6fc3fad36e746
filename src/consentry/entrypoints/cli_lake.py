"""``consentry lake export|migrate``: the system of record into the Delta lake, incrementally."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from consentry.extras import ExtraMissing, require
from consentry.lake.catalog import LakeFormatError
from consentry.lake.export import LakeExporter
from consentry.lake.schema import DEFAULT_BUCKETS

app = typer.Typer(help="The Delta lake the Spark job reads (SPEC §5).", no_args_is_help=True)


@app.callback()
def _needs_lake() -> None:
    """The Delta Lake tables the Spark job reads (SPEC §5); needs the ``lake`` extra."""
    try:
        require("lake", command="consentry lake")
    except ExtraMissing as error:
        typer.echo(f"error {error.code}: {error.message}", err=True)
        raise typer.Exit(2) from error


def _refused(error: LakeFormatError) -> typer.Exit:
    typer.echo(f"error {error.code}: {error.message}", err=True)
    return typer.Exit(2)


@app.command("export")
def export(
    lake: Annotated[str, typer.Option("--lake", help="lake root directory")],
    database_url: Annotated[
        str | None, typer.Option("--database-url", envvar="CONSENTRY_DATABASE_URL")
    ] = None,
    buckets: Annotated[int, typer.Option(help="buckets per table (fixed at first export)")] = (
        DEFAULT_BUCKETS
    ),
    settle_seconds: Annotated[
        float, typer.Option(help="leave rows younger than this for the next export")
    ] = 0.0,
    now: Annotated[str | None, typer.Option(help="ISO instant (default: now)")] = None,
) -> None:
    """Append new ledger entries, activities, messages and tombstones; merge changed rows."""
    from consentry.adapters.sql.engine import make_engine
    from consentry.config.settings import Settings
    from consentry.domain.clock import parse_iso

    url = database_url or Settings.from_env().database_url
    engine = make_engine(url)
    try:
        exporter = LakeExporter(
            engine,
            lake,
            buckets=buckets,
            settle=timedelta(seconds=settle_seconds),
            progress=lambda msg: typer.echo(msg, err=True),
        )
        report = exporter.export(now=parse_iso(now) if now else datetime.now(UTC))
    except LakeFormatError as error:
        raise _refused(error) from error
    finally:
        engine.dispose()
    typer.echo(
        json.dumps(
            {
                "upto": report.upto.isoformat(),
                "vacuumed": report.vacuumed,
                "tables": [vars(t) for t in report.tables],
            },
            indent=2,
        )
    )


@app.command("migrate")
def migrate(lake: Annotated[str, typer.Option("--lake", help="lake root directory")]) -> None:
    """Convert a pointer-format lake to Delta Lake in place (idempotent; rerun after a crash)."""
    from dataclasses import asdict

    from consentry.lake.migrate import migrate_lake

    try:
        report = migrate_lake(lake)
    except LakeFormatError as error:
        raise _refused(error) from error
    typer.echo(json.dumps(asdict(report), indent=2))
