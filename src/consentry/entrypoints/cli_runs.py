"""Training runs on the command line: `runs create|start|list|audit` (R20, R21, R26) and
`explain`, why one session is or is not eligible (R26). Registered from
:mod:`consentry.entrypoints.cli`; `runs export` and `runs summary` live beside their
packages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from consentry.domain.clock import iso, parse_instant
from consentry.entrypoints.cli_common import (
    DatabaseUrl,
    JsonOut,
    PolicyPath,
    TestClockOpt,
    core,
    describe,
    err,
    guarded,
    out,
    print_json,
    spinner,
)
from consentry.service import runs
from consentry.service.views import run_json


def register(app: typer.Typer, runs_app: typer.Typer) -> None:
    """`explain` on the main app; create, start, list and audit on `runs`."""
    app.command()(explain)
    runs_app.command("create")(runs_create)
    runs_app.command("start")(runs_start)
    runs_app.command("list")(runs_list)
    runs_app.command("audit")(runs_audit)


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


def runs_start(run_id: str, database_url: DatabaseUrl = None, policy: PolicyPath = None) -> None:
    """Mark a run started (R21)."""
    c = core(database_url, policy)
    print_json(run_json(guarded(lambda: runs.start_run(c.ctx, run_id=run_id))))


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
