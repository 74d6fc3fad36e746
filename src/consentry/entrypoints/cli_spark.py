"""``consentry spark run-create|export|sweep``: the Spark job from the consentry CLI.

Thin wrappers over :func:`consentry.spark.job.run`, which spark-submit also calls.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from consentry.extras import ExtraMissing, require
from consentry.spark import job

app = typer.Typer(help="The Spark job over the lake (SPEC §5).", no_args_is_help=True)


@app.callback()
def _needs_spark() -> None:
    """The Spark job over the lake (SPEC §5); needs the ``spark`` extra."""
    try:
        require("spark", command="consentry spark")
    except ExtraMissing as error:
        typer.echo(f"error {error.code}: {error.message}", err=True)
        raise typer.Exit(2) from error


Lake = Annotated[str, typer.Option("--lake", help="lake root (path or URI)")]
Master = Annotated[
    str | None, typer.Option("--master", help="e.g. local[2]; default: spark-submit's")
]
Policy = Annotated[str | None, typer.Option("--policy", help="policy TOML (default: built in)")]


def _common(master: str | None, policy: str | None) -> list[str]:
    out = []
    if master:
        out += ["--master", master]
    if policy:
        out += ["--policy", policy]
    return out


def _echo(result: dict[str, object]) -> None:
    typer.echo(json.dumps(result, indent=2, default=str))


def run(argv: list[str]) -> dict[str, object]:
    """:func:`consentry.spark.job.run`; a lake in the wrong format, or a run secret that
    does not open with this secret key, exits 2 with why."""
    from consentry.domain.errors import ConsentryError

    try:
        return job.run(argv)
    except ConsentryError as error:
        typer.echo(f"error {error.code}: {error.message}", err=True)
        raise typer.Exit(2) from error


def _refuse_ciphertext(lake: str) -> None:
    """Issue 26: a lake written with crypto-shredding on holds ciphertext the job has no
    keys for; run-create and export exit 2 with ``lake_encrypted`` (spark/shredded.py)."""
    from consentry.domain.errors import ConsentryError
    from consentry.spark.shredded import refuse_encrypted_lake

    try:
        refuse_encrypted_lake(lake)
    except ConsentryError as error:
        typer.echo(f"error {error.code}: {error.message}", err=True)
        raise typer.Exit(2) from error


@app.command("run-create")
def run_create(
    lake: Lake,
    purpose: Annotated[str, typer.Option(help="model_training or safety_classifiers")] = (
        "model_training"
    ),
    cutoff: Annotated[str | None, typer.Option(help="ISO instant (default now)")] = None,
    run_id: Annotated[str | None, typer.Option("--run-id")] = None,
    master: Master = None,
    policy: Policy = None,
) -> None:
    """Compute a run's manifest at a cutoff with the domain rules (R20–R23)."""
    _refuse_ciphertext(lake)
    argv = [*_common(master, policy), "run-create", "--lake", lake, "--purpose", purpose]
    if cutoff:
        argv += ["--cutoff", cutoff]
    if run_id:
        argv += ["--run-id", run_id]
    _echo(run(argv))


@app.command("export")
def export(
    lake: Lake,
    run_id: Annotated[str, typer.Option("--run-id")],
    out: Annotated[str, typer.Option("--out", help="export root; files go to <out>/<run_id>/")],
    shard_rows: Annotated[int, typer.Option("--shard-rows")] = 50_000,
    batch_rows: Annotated[int, typer.Option("--batch-rows")] = 5_000,
    master: Master = None,
    policy: Policy = None,
) -> None:
    """Write a run's filtered, pseudonymised shards and manifest.json (R24, R25)."""
    _refuse_ciphertext(lake)
    argv = [
        *_common(master, policy),
        "export",
        "--lake",
        lake,
        "--run-id",
        run_id,
        "--out",
        out,
        "--shard-rows",
        str(shard_rows),
        "--batch-rows",
        str(batch_rows),
    ]
    _echo(run(argv))


@app.command("sweep")
def sweep(
    lake: Lake,
    now: Annotated[str | None, typer.Option(help="ISO instant (default now)")] = None,
    master: Master = None,
    policy: Policy = None,
) -> None:
    """Purge every lake item whose retention ended and prove it is gone (R14–R17)."""
    argv = [*_common(master, policy), "sweep", "--lake", lake]
    if now:
        argv += ["--now", now]
    result = run(argv)
    _echo(result)
    if result.get("proof"):
        raise typer.Exit(1)


@app.command("audit")
def audit(
    lake: Lake,
    run_id: Annotated[str, typer.Option("--run-id")],
    master: Master = None,
    policy: Policy = None,
) -> None:
    """Re-prove a run's manifest from the table versions it read (Delta time travel)."""
    result = run([*_common(master, policy), "audit", "--lake", lake, "--run-id", run_id])
    _echo(result)
    if result.get("findings"):
        raise typer.Exit(1)
