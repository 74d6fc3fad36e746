"""The command line: thin over the service layer, clear errors, non-zero exit on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock, parse_iso
from consentry.entrypoints.cli import app as cli
from consentry.service import accounts, sessions

runner = CliRunner()
CLOCK = "2025-09-01T00:00:00Z"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def seeded(sqlite_url: str) -> tuple[str, str]:
    app = build(Settings(database_url=sqlite_url), migrate=False, clock=TestClock(parse_iso(CLOCK)))
    uid = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
    sid = sessions.start_session(app.ctx, account_id=uid, kind="chat").session.id
    app.engine.dispose()
    return sqlite_url, sid


def test_db_upgrade_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    for _ in range(2):
        code, out, _ = invoke("db", "upgrade", "--database-url", url)
        assert code == 0 and "revision" in out


def test_policy_check_names_the_bad_key(tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text("[retention]\nstandard = -1\n")
    code, _, err = invoke("policy", "check", str(bad))
    assert code == 2 and "retention.standard" in err and "policy_invalid" in err
    good = tmp_path / "ok.toml"
    good.write_text("[retention]\nstandard = 14\n")
    code, out, _ = invoke("policy", "check", str(good))
    assert code == 0 and "digest" in out


def test_policy_show_prints_policy_and_digest() -> None:
    code, out, _ = invoke("policy", "show")
    assert code == 0 and "training_on = 1825" in out and "# digest:" in out


def test_runs_create_list_start_audit(seeded: tuple[str, str]) -> None:
    url, _ = seeded
    code, out, _ = invoke(
        "runs",
        "create",
        "model_training",
        "--database-url",
        url,
        "--test-clock",
        "2025-09-02T00:00:00Z",
    )
    assert code == 0
    run = json.loads(out)
    assert run["counts"]["sessions"] == 1
    code, out, _ = invoke("runs", "list", "--json", "--database-url", url)
    assert [r["run_id"] for r in json.loads(out)] == [run["run_id"]]
    code, out, _ = invoke("runs", "start", run["run_id"], "--database-url", url)
    assert code == 0 and json.loads(out)["status"] == "started"
    code, out, _ = invoke("runs", "audit", run["run_id"], "--database-url", url)
    audit = json.loads(out)
    assert code == 0 and audit["ok"] is True and audit["findings"] == []
    # The same fields as the API's audit (AuditOut), so one client parses both.
    assert audit["checked_sessions"] == 1 == audit["checked"]["sessions"]
    assert {"run_id", "ok", "checked_sessions", "checked_feedback", "findings"} <= set(audit)


def test_runs_create_refuses_other_purposes_R19(seeded: tuple[str, str]) -> None:
    url, _ = seeded
    code, _, err = invoke("runs", "create", "advertising", "--database-url", url)
    assert code == 2 and "purpose_not_permitted" in err


def test_explain_prints_every_rule_R26(seeded: tuple[str, str]) -> None:
    url, sid = seeded
    code, out, _ = invoke("explain", sid, "--database-url", url, "--at", "2025-09-02T00:00:00Z")
    assert code == 0 and "R20" in out and "eligible: True" in out
    code, _, err = invoke("explain", "ses_missing", "--database-url", url)
    assert code == 2 and "not_found" in err
    code, _, err = invoke("explain", sid, "--database-url", url, "--at", "yesterday")
    assert code == 2 and "validation_error" in err


def test_sweep_reports_counts_R17(seeded: tuple[str, str]) -> None:
    url, _ = seeded
    code, out, _ = invoke("sweep", "--database-url", url, "--test-clock", "2031-01-01T00:00:00Z")
    assert code == 0 and json.loads(out)["purged"]["sessions"] == 1


@pytest.mark.parametrize(
    "command",
    [
        ["serve"],
        ["sweep"],
        ["explain"],
        ["redact"],
        ["db", "upgrade"],
        ["policy", "check"],
        ["policy", "show"],
        ["runs", "create"],
        ["runs", "start"],
        ["runs", "list"],
        ["runs", "audit"],
        ["runs", "export"],
        ["runs", "audit-export"],
        ["ledger", "verify"],
        ["webhooks", "add"],
        ["webhooks", "list"],
        ["deliver"],
        ["lake", "export"],
        ["spark", "run-create"],
        ["spark", "export"],
        ["spark", "sweep"],
        ["demo"],
    ],
)
def test_every_documented_command_is_mounted(command: list[str]) -> None:
    """SPEC §3's CLI and the commands the issues add are all reachable from `consentry`."""
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


@pytest.mark.parametrize("instant", ["99999-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "soon"])
def test_a_bad_test_clock_is_a_clear_error_not_a_traceback(tmp_path: Path, instant: str) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    result = CliRunner().invoke(
        cli, ["sweep", "--database-url", url, "--test-clock", instant], catch_exceptions=False
    )
    assert result.exit_code == 2
    assert "validation_error" in result.output and "test clock" in result.output


@pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "analyze"]])
def test_db_upgrade_and_analyze_give_sqlite_planner_statistics(
    seeded: tuple[str, str], command: list[str]
) -> None:
    """Without statistics SQLite picks a 3.5x slower plan for run creation (scale.md)."""
    import sqlite3

    url, _ = seeded
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE IF EXISTS sqlite_stat1")
    result = CliRunner().invoke(cli, [*command, "--database-url", url])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT tbl FROM sqlite_stat1")}
    assert {"accounts", "sessions", "activities"} <= tables


def test_policy_show_output_is_a_policy_file_that_loads(tmp_path: Path) -> None:
    """`consentry policy show > p.toml` round-trips: nothing wrapped or decorated."""
    result = CliRunner().invoke(cli, ["policy", "show"], terminal_width=40)
    assert result.exit_code == 0
    path = tmp_path / "p.toml"
    path.write_text(result.stdout)
    checked = CliRunner().invoke(cli, ["policy", "check", str(path)])
    assert checked.exit_code == 0, checked.output
