"""``consentry runs summary RUN``: the public training-content summary of a run (P7).

A thin wrapper over :func:`consentry.export.ai_act.training_content_summary`; the
export directory defaults to ``OUT/RUN_ID`` as for ``runs export``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.errors import ConsentryError
from consentry.entrypoints.cli_common import DatabaseUrl, PolicyPath, out
from consentry.entrypoints.cli_common import fail_with as _fail
from consentry.entrypoints.cli_export import OutOpt

SummaryFormat = Annotated[
    str, typer.Option("--format", help="md (Markdown, default) or json.", show_default=True)
]


def summary_command(
    run_id: Annotated[str, typer.Argument(help="The exported run.")],
    fmt: SummaryFormat = "md",
    directory: Annotated[
        str | None, typer.Option("--directory", help="Its export directory (default: OUT/RUN_ID).")
    ] = None,
    out_dir: OutOpt = None,
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
) -> None:
    """Print the EU AI Act Art. 53(1)(d) summary of a run's training content (P7)."""
    from consentry.export.ai_act import render_markdown, training_content_summary

    if fmt not in ("md", "json"):
        raise _fail("validation_error", f"--format must be md or json, not {fmt!r}")
    try:
        settings = Settings.from_env(database_url=database_url, policy_path=policy)
        app = build(settings)
        where = directory or str(Path(out_dir or settings.export_dir) / run_id)
        summary = training_content_summary(app.ctx, run_id=run_id, directory=where)
        app.engine.dispose()
    except ConsentryError as error:
        raise _fail(error.code, error.message) from error
    if fmt == "json":
        out.print_json(json.dumps(summary))
    else:
        typer.echo(render_markdown(summary), nl=False)


def register(runs_app: typer.Typer) -> None:
    """Add ``summary`` to the ``runs`` command group."""
    runs_app.command("summary")(summary_command)
