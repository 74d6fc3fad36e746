"""What every `consentry` command shares: consoles, option types, errors, a spinner.

The main CLI (:mod:`consentry.entrypoints.cli`) and the command groups that live beside
their packages (export, outbox, demo) import these, so a flag reads and fails the same
way everywhere: a consentry error prints ``error <code>: <message>`` and exits 2.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import typer.core
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.errors import ConsentryError

# Typer writes a type placeholder after every option, `--json <bool>` included; a flag
# takes no value, so its placeholder only misleads (issue 18: help written for people).
_option_type = typer.core.TyperOption.display_type_rich


def _flag_without_placeholder(self: typer.core.TyperOption, ctx: Any) -> str | None:
    return None if self.is_flag else _option_type(self, ctx)


typer.core.TyperOption.display_type_rich = _flag_without_placeholder  # type: ignore[method-assign]

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", envvar="CONSENTRY_DATABASE_URL", help="SQLAlchemy URL."),
]
PolicyPath = Annotated[
    str | None, typer.Option("--policy", envvar="CONSENTRY_POLICY", help="TOML policy file.")
]
TestClockOpt = Annotated[
    str | None,
    typer.Option("--test-clock", envvar="CONSENTRY_TEST_CLOCK", help="Freeze the clock (ISO)."),
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def fail_with(code: str, message: str) -> typer.Exit:
    """Print the error line; the caller raises the returned exit (status 2)."""
    # Messages are text, not Rich markup: `pip install 'consentry[spark]'` must print as is.
    err.print(f"[bold red]error[/] [red]{escape(code)}[/]: {escape(message)}", soft_wrap=True)
    return typer.Exit(2)


def private_umask() -> None:
    """Files and directories this process creates get no group or other permissions
    (issue 17 item 5). Called once at start, before any thread exists."""
    os.umask(0o077)


def refuse_frozen_clock(command: str) -> None:
    """Exit 2 when CONSENTRY_TEST_CLOCK is set: a clock frozen from the environment made
    `sweep` purge data with years to live and `runs create` cut off in 2099 (issue 17
    item 6). Only `serve` (and tests, which build their own clock) may use it."""
    if os.environ.get("CONSENTRY_TEST_CLOCK"):
        raise fail_with(
            "test_clock_refused",
            "CONSENTRY_TEST_CLOCK is set: a frozen clock is only for `consentry serve` "
            f"(`--test-clock`), never for `{command}`, which would act at the wrong "
            "instant (purge or cut off by a false date). Unset it and retry.",
        )


def print_json(data: Any) -> None:
    """JSON on stdout (instants and other values as their text)."""
    out.print_json(json.dumps(data, default=str))


def fail(error: ConsentryError) -> None:
    raise fail_with(error.code, error.message)


def guarded(fn: Callable[[], T]) -> T:
    """Run `fn`, turning consentry's errors into a message and exit status 2."""
    try:
        return fn()
    except ConsentryError as error:
        raise fail_with(error.code, error.message) from error


def core(database_url: str | None, policy: str | None, test_clock: str | None = None) -> App:
    """The application for one command, from its flags and the environment."""
    settings = guarded(
        lambda: Settings.from_env(
            database_url=database_url, policy_path=policy, test_clock=test_clock
        )
    )
    missing = missing_sqlite_file(settings.database_url)
    if missing is not None:
        # Refuse rather than create an empty database: a mistyped path would otherwise
        # "work" and show nothing (a sweep of nothing, a run of nobody).
        raise fail_with(
            "database_missing",
            f"there is no database at {missing}. Check the path, or create one with "
            "`consentry db upgrade --database-url <url>` (`consentry serve` creates one too).",
        )
    return guarded(lambda: build(settings))


def missing_sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names when it does not exist yet; None for an existing file,
    an in-memory or URI database, and every other kind of database."""
    try:
        database = make_url(url).database if url.startswith("sqlite") else None
    except ArgumentError:
        return None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database)
    return None if path.exists() else path


def spinner(description: str) -> Progress:
    """A transient spinner on stderr for long work; stdout stays machine-readable."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    bar.add_task(description, total=None)
    return bar


def describe(bar: Progress, text: str) -> None:
    """Replace the spinner's text (progress callbacks)."""
    bar.update(bar.task_ids[0], description=text)
