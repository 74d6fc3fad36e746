"""Operators learn consentry from the README: a setting or command it lacks is a bug."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_environment_setting_is_documented() -> None:
    used = set()
    for path in (ROOT / "src" / "consentry").rglob("*.py"):
        used |= set(re.findall(r"CONSENTRY_[A-Z0-9_]*[A-Z0-9]", path.read_text(encoding="utf-8")))
    documented = _readme() + (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    missing = sorted(name for name in used if name not in documented)
    assert not missing, f"settings read by the code but documented nowhere: {missing}"


def test_readme_opens_with_the_two_commands() -> None:
    fence = _readme().split("```")[1]
    lines = [line.split("#")[0].strip() for line in fence.splitlines() if line.strip()]
    assert lines[1:] == ["bash scripts/serve.sh", "bash scripts/test.sh"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci


def test_every_cli_command_is_in_the_readme() -> None:
    from typer.main import get_command

    from consentry.entrypoints.cli import app

    group = get_command(app)
    names = [name for name, cmd in group.commands.items() if not cmd.hidden]  # type: ignore[attr-defined]
    readme = _readme()
    missing = [name for name in names if f"consentry {name}" not in readme]
    assert not missing, f"commands missing from the README's command line section: {missing}"
