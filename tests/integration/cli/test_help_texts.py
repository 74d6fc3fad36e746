"""Issue 18, the command line: `--help` is written for people: no issue numbers, no RST
backticks, no `<bool>` placeholder after a flag, and a run's purpose reads as the choice it
is."""

from __future__ import annotations

import re

import click
from typer.main import get_command
from typer.testing import CliRunner

from consentry.entrypoints.cli import app

WIDE = {"COLUMNS": "200"}


def _commands() -> list[list[str]]:
    found: list[list[str]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        found.append(path)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(get_command(app), [])
    return found


def test_no_help_text_shows_an_issue_number_or_rst_backticks() -> None:
    problems = []
    for path in _commands():
        result = CliRunner().invoke(app, [*path, "--help"], env=WIDE)
        assert result.exit_code == 0, (path, result.output)
        for pattern in (r"\bissue \d+", r"``", r"<bool>"):
            if re.search(pattern, result.output):
                problems.append((" ".join(path) or "consentry", pattern))
    assert problems == []


def test_run_purposes_read_as_a_choice_R19() -> None:
    result = CliRunner().invoke(app, ["runs", "create", "--help"], env=WIDE)
    assert "model_training|safety_classifiers" in result.output
    refused = CliRunner().invoke(app, ["runs", "create", "resale", "--database-url", "sqlite://"])
    assert refused.exit_code == 2
    assert "purpose_not_permitted" in refused.output
