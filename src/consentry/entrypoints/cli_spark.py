"""``consentry spark run-create|export|sweep``: the Spark job from the consentry CLI.

Thin wrappers over :func:`consentry.spark.job.run`, which spark-submit also calls.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
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


def run(argv: list[str], keys: object = None) -> dict[str, object]:
    """:func:`consentry.spark.job.run`; a lake in the wrong format, or a run secret that
    does not open with this secret key, exits 2 with why."""
    from consentry.domain.errors import ConsentryError

    try:
        return job.run(argv, keys=keys)
    except ConsentryError as error:
        typer.echo(f"error {error.code}: {error.message}", err=True)
        raise typer.Exit(2) from error


@contextlib.contextmanager
def _job_keys() -> Iterator[object]:
    """Issue 26: with crypto-shredding on (``CONSENTRY_CRYPTO_SHREDDING=1``), the key vault
    opened from the settings (``bootstrap.shredder_for``: ``KeyPlaces``), as the
    export's :class:`~consentry.spark.shredded.ContentKeys`; closed when the job ends.
    Off: None, and an export over a lake holding ciphertext exits 2 with ``lake_encrypted``."""
    from consentry.bootstrap import shredder_for
    from consentry.config.settings import Settings

    shredder = shredder_for(Settings.from_env())  # the one switch, as the service's
    if shredder is None:
        yield None
        return
    try:
        yield shredder.keys
    finally:
        engine = getattr(shredder.keys, "engine", None)
        if engine is not None:
            engine.dispose()


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
    """Compute a run's manifest at a cutoff with the domain rules (R20–R23); it reads no
    text, so a lake holding ciphertext (crypto-shredding) needs no keys."""
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
    """Write a run's filtered, pseudonymised shards and manifest.json (R24, R25); with
    crypto-shredding on, opened with the run's data keys for this job only (issue 26)."""
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
    with _job_keys() as keys:
        _echo(run(argv, keys=keys))


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
