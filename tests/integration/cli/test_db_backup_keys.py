"""Issue 26 through the real CLI: `db backup`, `db restore`, `keys status`, `keys rotate-kek`.

R17: a restored backup is brought up to date with the purges made since (the purge log),
and the ledger verifies; PostgreSQL is refused with `backup_unsupported` naming pg_dump.
"""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.entrypoints.cli import app as cli
from consentry.service import accounts, retention, sessions
from tests.integration.service.conftest import World
from tests.shredding import shredding, world  # noqa: F401 (fixtures)

runner = CliRunner()


def _json(output: str) -> dict[str, object]:
    return json.loads(output[output.index("{") :])  # type: ignore[no-any-return]


def test_backup_restore_replays_purges_and_rotation_keeps_content_R17(
    world: World, tmp_path: Path
) -> None:
    url = world.app.settings.database_url
    uid = world.user(training="on")
    keep, doomed = world.chat(uid, "kept"), world.chat(uid, "doomed")
    backup = tmp_path / "b.sqlite"
    done = runner.invoke(cli, ["db", "backup", str(backup), "--database-url", url])
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    again = runner.invoke(cli, ["db", "backup", str(backup), "--database-url", url])
    assert again.exit_code == 2 and "never overwrites" in again.output

    sessions.delete_session(world.ctx, account_id=uid, session_id=doomed)
    world.clock.set(world.clock.now() + timedelta(days=31))
    retention.sweep_expired(world.ctx)
    world.app.engine.dispose()

    restored = runner.invoke(cli, ["db", "restore", str(backup), "--database-url", url])
    assert restored.exit_code == 0, restored.output
    report = _json(restored.output)
    assert report["purges_reapplied"] == {"sessions": 1, "messages": 1, "feedback": 0, "scores": 0}
    assert report["ledger_ok"] is True

    status = _json(runner.invoke(cli, ["keys", "status", "--database-url", url]).output)
    old = status["current_kek"]
    rotated = runner.invoke(cli, ["keys", "rotate-kek", "--database-url", url, "--batch-size", "1"])
    assert rotated.exit_code == 0, rotated.output
    result = _json(rotated.output)
    # the live keys: `keep`'s pool key and the 62 of its batch no session claimed yet
    # (pool keys are rewrapped like the others, issue 26); `doomed`'s was destroyed
    assert result["rewrapped"] == 63 and result["retired"] == [old]

    fresh = build(Settings.from_env(database_url=url), migrate=False, clock=world.clock)
    try:
        view = sessions.get_session(fresh.ctx, account_id=uid, session_id=keep)
        assert [m.content for m in view.messages] == ["kept"]
        assert accounts.get_privacy(fresh.ctx, account_id=uid) is not None
    finally:
        fresh.engine.dispose()


def test_postgres_backup_is_refused_naming_pg_dump(pg_url: str, tmp_path: Path) -> None:
    done = runner.invoke(cli, ["db", "backup", str(tmp_path / "x"), "--database-url", pg_url])
    assert done.exit_code == 2
    assert "backup_unsupported" in done.output and "pg_dump" in done.output


def test_encrypt_existing_seals_rows_written_in_clear_and_resumes_R17(
    sqlite_url: str, clock: TestClock, shredding: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "0")
    plain = build(Settings.from_env(database_url=sqlite_url), migrate=False, clock=clock)
    w = World(plain, clock)
    uid = w.user(training="on")
    sid = w.chat(uid, "written in clear")
    mid = w.say(uid, sid, "a reply", role="assistant")
    sessions.give_feedback(
        plain.ctx, account_id=uid, session_id=sid, message_id=mid, rating="up", comment="nice"
    )
    retention.place_hold(plain.ctx, session_id=sid, kind="safety", scores={"abuse": 0.9})
    plain.engine.dispose()
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "1")
    args = ["keys", "encrypt-existing", "--database-url", sqlite_url, "--batch-size", "1"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert _json(first.output)["sealed"] == {"messages": 2, "feedback": 1, "holds": 1}
    rerun = _json(runner.invoke(cli, args).output)
    assert rerun["sealed"] == {"messages": 0, "feedback": 0, "holds": 0}
    assert rerun["already_sealed"] == 4
    app = build(Settings.from_env(database_url=sqlite_url), migrate=False, clock=clock)
    try:
        raw = Path(sqlite_url.removeprefix("sqlite:///")).read_bytes()
        assert b"written in clear" not in raw and b"nice" not in raw and b"abuse" not in raw
        texts = [
            m.content
            for m in sessions.get_session(app.ctx, account_id=uid, session_id=sid).messages
        ]
        assert texts == ["written in clear", "a reply"]
    finally:
        app.engine.dispose()
