"""A frozen clock from the environment is for `serve` only (issue 17 item 6).

`CONSENTRY_TEST_CLOCK=2099-01-01T00:00:00Z consentry sweep` purged data that had years to
live (R12, R17), and `runs create` cut a run off in 2099 (R20). Every command other than
`serve` now refuses to run while the variable is set: exit 2, a clear message, no
traceback, and nothing done.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.main import get_command
from typer.testing import CliRunner

from consentry.adapters.sql.tables import runs, sessions
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock, parse_iso
from consentry.entrypoints.cli import app as cli
from consentry.service import accounts
from consentry.service import sessions as session_service

FAR_FUTURE = "2099-01-01T00:00:00Z"
runner = CliRunner()


def _leaf_commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group (typer vendors its own click)
            paths.extend(_leaf_commands(command, (*prefix, name)))
        else:
            paths.append((*prefix, name))
    return paths


COMMANDS = [path for path in _leaf_commands(get_command(cli)) if path != ("serve",)]


def test_every_command_but_serve_is_covered() -> None:
    names = {path[0] for path in COMMANDS}
    assert {"sweep", "runs", "explain", "ledger", "db", "deliver", "webhooks"} <= names
    assert ("runs", "create") in COMMANDS and ("serve",) not in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_command_refuses_to_run_with_the_test_clock_in_the_environment(
    path: tuple[str, ...],
) -> None:
    result = runner.invoke(cli, list(path), env={"CONSENTRY_TEST_CLOCK": FAR_FUTURE})
    assert result.exit_code == 2, result.output
    assert "test_clock_refused" in result.stderr
    assert "CONSENTRY_TEST_CLOCK" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture
def stored(sqlite_url: str) -> str:
    """One consumer account with training off: its chat has 30 days to live (R12)."""
    app = build(
        Settings(database_url=sqlite_url),
        migrate=False,
        clock=TestClock(parse_iso("2025-09-01T00:00:00Z")),
    )
    account = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
    session_service.start_session(app.ctx, account_id=account, kind="chat")
    app.engine.dispose()
    return sqlite_url


def _count(url: str, table: object) -> int:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_sweep_with_a_far_future_clock_purges_nothing(stored: str) -> None:
    result = runner.invoke(
        cli, ["sweep", "--database-url", stored], env={"CONSENTRY_TEST_CLOCK": FAR_FUTURE}
    )
    assert result.exit_code == 2
    assert _count(stored, sessions) == 1


def test_runs_create_as_a_real_process_refuses_without_a_traceback(stored: str) -> None:
    script = Path(sys.executable).with_name("consentry")
    env = {**os.environ, "CONSENTRY_TEST_CLOCK": FAR_FUTURE, "CONSENTRY_DATABASE_URL": stored}
    done = subprocess.run(
        [str(script), "runs", "create", "--purpose", "model_training"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "test_clock_refused" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert _count(stored, runs) == 0


def test_serve_still_takes_the_test_clock_from_the_environment() -> None:
    result = runner.invoke(cli, ["serve", "--help"], env={"CONSENTRY_TEST_CLOCK": FAR_FUTURE})
    assert result.exit_code == 0
    assert "test_clock_refused" not in result.output


def test_commands_run_when_the_variable_is_unset_or_empty() -> None:
    for env in ({}, {"CONSENTRY_TEST_CLOCK": ""}):
        result = runner.invoke(cli, ["policy", "show"], env=env)
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "module",
    ["consentry.entrypoints.worker_main", "consentry.entrypoints.cli_demo"],
    ids=["worker", "demo"],
)
def test_module_entry_points_refuse_too(stored: str, module: str) -> None:
    """`python -m` entry points that bypass the `consentry` command refuse as well."""
    env = {**os.environ, "CONSENTRY_TEST_CLOCK": FAR_FUTURE, "CONSENTRY_DATABASE_URL": stored}
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "test_clock_refused" in done.stderr
    assert "Traceback" not in done.stderr
