"""CLI commands for exports: ``consentry runs export``, ``runs audit-export`` and
``runs open``.

Thin wrappers over :func:`consentry.service.training_export.export_run`,
:func:`consentry.service.export_audit.audit_export` and
:func:`consentry.export.opened.open_export`; registered on ``runs_app`` in
:mod:`consentry.entrypoints.cli`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.errors import ConsentryError
from consentry.entrypoints.cli_common import (
    DatabaseUrl,
    PolicyPath,
    describe,
    err,
    out,
    spinner,
)
from consentry.entrypoints.cli_common import fail_with as _fail
from consentry.redaction import RedactionError

FormatOpt = Annotated[
    str, typer.Option("--format", help="parquet (default) or jsonl.", show_default=True)
]
OutOpt = Annotated[
    str | None,
    typer.Option(
        "--out", envvar="CONSENTRY_EXPORT_DIR", help="Parent directory (default: ./exports)."
    ),
]


def export_command(
    run_id: Annotated[str, typer.Argument(help="The run to export.")],
    fmt: FormatOpt = "parquet",
    out_dir: OutOpt = None,
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
) -> None:
    """Write a run's filtered, pseudonymised shards and manifest.json to OUT/RUN_ID (R25)."""
    from consentry.service.training_export import export_run

    try:
        settings = Settings.from_env(database_url=database_url, policy_path=policy)
        app = build(settings)
        with spinner("exporting") as bar:
            result = export_run(
                app.ctx,
                run_id=run_id,
                out_dir=out_dir or settings.export_dir,
                fmt=fmt,
                progress=lambda n: describe(bar, f"exported {n} rows"),
            )
        app.engine.dispose()
    except ConsentryError as error:
        raise _fail(error.code, error.message) from error
    except RedactionError as error:
        raise _fail("redaction_failed", f"{error}; no manifest was written") from error
    out.print_json(
        json.dumps(
            {
                "directory": result.directory,
                "files": [asdict(f) for f in result.files],
                "unavailable": asdict(result.unavailable),
            }
        )
    )


def audit_export_command(
    run_id: Annotated[str, typer.Argument(help="The run to audit.")],
    directory: Annotated[
        str | None, typer.Argument(help="Its export directory (default: OUT/RUN_ID).")
    ] = None,
    out_dir: OutOpt = None,
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
) -> None:
    """Re-prove a run and its export (R25, R26): exit 1 and name each item on findings."""
    from consentry.service.export_audit import audit_export

    try:
        settings = Settings.from_env(database_url=database_url, policy_path=policy)
        app = build(settings)
        where = directory or str(Path(out_dir or settings.export_dir) / run_id)
        with err.status("auditing"):
            report = audit_export(app.ctx, run_id=run_id, directory=where)
        app.engine.dispose()
    except ConsentryError as error:
        raise _fail(error.code, error.message) from error
    out.print_json(
        json.dumps(
            {
                "run_id": report.run_id,
                "directory": where,
                "ok": report.ok,
                "checked": {
                    "sessions": report.checked_sessions,
                    "feedback": report.checked_feedback,
                },
                "findings": [asdict(f) for f in report.findings],
            }
        )
    )
    if not report.ok:
        raise typer.Exit(1)


def open_command(
    run_id: Annotated[str, typer.Argument(help="The run whose sealed export to open.")],
    to: Annotated[
        str, typer.Option("--to", help="A new directory for the plain shards (made 0700).")
    ],
    directory: Annotated[
        str | None, typer.Argument(help="Its export directory (default: OUT/RUN_ID).")
    ] = None,
    out_dir: OutOpt = None,
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
) -> None:
    """Decrypt a run's sealed export (crypto-shredding on) into a new directory, for its
    trainer, while the run key exists (issue 26)."""
    from consentry.export.opened import open_export

    try:
        settings = Settings.from_env(database_url=database_url, policy_path=policy)
        app = build(settings)
        where = directory or str(Path(out_dir or settings.export_dir) / run_id)
        with err.status("opening"):
            opened = open_export(app.ctx, run_id=run_id, directory=where, target=to)
        app.engine.dispose()
    except ConsentryError as error:
        raise _fail(error.code, error.message) from error
    out.print_json(json.dumps(asdict(opened)))


def register(runs_app: typer.Typer) -> None:
    """Add ``export``, ``audit-export`` and ``open`` to the ``runs`` command group."""
    runs_app.command("export")(export_command)
    runs_app.command("audit-export")(audit_export_command)
    runs_app.command("open")(open_command)
