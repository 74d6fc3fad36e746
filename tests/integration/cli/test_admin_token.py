"""The admin token (issue 17 item 4): 32 characters or more, and from a file besides argv
and the environment. On the code before, `--admin-token a` was accepted and worked."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.config.settings import Settings
from consentry.domain.errors import InvalidInput
from consentry.entrypoints import cli as cli_module
from consentry.entrypoints.api import server

runner = CliRunner()
GOOD = "operator-admin-token-" + "x" * 20


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """`consentry serve` up to the server: the settings it would serve with."""
    seen: list[Settings] = []
    monkeypatch.setattr(server, "serve", lambda settings, host, port: seen.append(settings))
    for name in ("CONSENTRY_ADMIN_TOKEN", "CONSENTRY_ADMIN_TOKEN_FILE", "CONSENTRY_TEST_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    return seen


@pytest.mark.parametrize("token", ["a", "x" * 31])
def test_serve_refuses_a_short_admin_token_with_exit_2(
    served: list[Settings], sqlite_url: str, token: str
) -> None:
    result = runner.invoke(
        cli_module.app, ["serve", "--database-url", sqlite_url, "--admin-token", token]
    )
    assert result.exit_code == 2
    assert "admin token" in result.stderr and "32 characters or more" in result.stderr
    assert served == []


def test_serve_reads_the_admin_token_from_a_file(
    served: list[Settings], sqlite_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "admin-token"
    file.write_text(GOOD + "\n", encoding="utf-8")
    result = runner.invoke(
        cli_module.app, ["serve", "--database-url", sqlite_url, "--admin-token-file", str(file)]
    )
    assert result.exit_code == 0, result.stderr
    assert served[0].admin_token == GOOD


def test_the_token_file_comes_from_the_environment_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    file = tmp_path / "admin-token"
    file.write_text(f"  {GOOD}\n", encoding="utf-8")
    monkeypatch.delenv("CONSENTRY_ADMIN_TOKEN", raising=False)
    monkeypatch.setenv("CONSENTRY_ADMIN_TOKEN_FILE", str(file))
    assert Settings.from_env().admin_token == GOOD


def test_a_token_given_twice_an_empty_file_or_a_short_one_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    file = tmp_path / "admin-token"
    file.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("CONSENTRY_ADMIN_TOKEN", GOOD)
    with pytest.raises(InvalidInput, match="either"):
        Settings.from_env(admin_token_file=str(file))
    monkeypatch.delenv("CONSENTRY_ADMIN_TOKEN")
    file.write_text("\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="empty"):
        Settings.from_env(admin_token_file=str(file))
    file.write_text("short\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="32 characters or more"):
        Settings.from_env(admin_token_file=str(file))
    with pytest.raises(InvalidInput, match="cannot read"):
        Settings.from_env(admin_token_file=str(tmp_path / "missing"))


def test_serve_warns_when_the_token_is_on_the_command_line(
    served: list[Settings], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = runner.invoke(
        cli_module.app, ["serve", "--database-url", sqlite_url, "--admin-token", GOOD]
    )
    assert argv.exit_code == 0 and "readable" not in argv.stdout
    assert "every local user" in argv.stderr and "--admin-token-file" in argv.stderr
    monkeypatch.setenv("CONSENTRY_ADMIN_TOKEN", GOOD)
    env = runner.invoke(cli_module.app, ["serve", "--database-url", sqlite_url])
    assert env.exit_code == 0 and "every local user" not in env.stderr
    assert [s.admin_token for s in served] == [GOOD, GOOD]
