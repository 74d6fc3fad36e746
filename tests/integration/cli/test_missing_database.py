"""Issue 18, the command line: a command pointed at a SQLite file that does not exist
refuses with a clear error instead of creating an empty database (or a traceback);
`db upgrade` creates it and says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.entrypoints.cli import app as cli


@pytest.mark.parametrize(
    "command",
    [["sweep"], ["runs", "list"], ["ledger", "verify"], ["explain", "ses_x"]],
)
def test_a_missing_sqlite_file_is_refused_not_created(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "typo.db"
    result = CliRunner().invoke(
        cli, [*command, "--database-url", f"sqlite:///{path}"], catch_exceptions=False
    )
    assert result.exit_code == 2, result.output
    assert "database_missing" in result.output and str(path) in result.output
    assert not path.exists()


def test_a_bad_path_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'x.db'}"
    result = CliRunner().invoke(cli, ["sweep", "--database-url", url], catch_exceptions=False)
    assert result.exit_code == 2
    assert "database_missing" in result.output
    assert "Traceback" not in result.output


def test_db_upgrade_creates_the_database_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    url = f"sqlite:///{path}"
    first = CliRunner().invoke(cli, ["db", "upgrade", "--database-url", url])
    assert first.exit_code == 0 and f"created a new database at {path}" in first.output
    again = CliRunner().invoke(cli, ["db", "upgrade", "--database-url", url])
    assert again.exit_code == 0 and "created" not in again.output
    swept = CliRunner().invoke(cli, ["sweep", "--database-url", url])
    assert swept.exit_code == 0, swept.output


def test_db_upgrade_into_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}"
    result = CliRunner().invoke(cli, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 2 and "database_missing" in result.output
