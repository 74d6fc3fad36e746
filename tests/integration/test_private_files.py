"""Files holding personal data or secrets are owner-only (issue 17 item 5): the SQLite
database with its WAL and SHM files, and export directories and files, under the usual
0022 umask that made them 0644 and 0755 before."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.service import accounts, runs, sessions
from consentry.service.training_export import export_run
from tests.conftest import BEFORE_DEADLINE


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _populate(url: str) -> App:
    app = build(Settings(database_url=url), clock=TestClock(BEFORE_DEADLINE))
    account = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
    session = sessions.start_session(app.ctx, account_id=account, kind="chat").session.id
    sessions.add_message(app.ctx, account_id=account, session_id=session, role="user", content="hi")
    return app


def test_sqlite_database_wal_and_shm_are_created_0600(tmp_path: Path) -> None:
    database = tmp_path / "data" / "consentry.db"
    database.parent.mkdir()
    app = _populate(f"sqlite:///{database}")
    try:
        names = {p.name: _mode(p) for p in database.parent.iterdir()}
        # The connection is open, so the WAL and its index exist right now.
        assert {"consentry.db", "consentry.db-wal", "consentry.db-shm"} <= set(names)
        for name, mode in names.items():
            assert mode & 0o077 == 0, f"{name} is {mode:o}"
        assert names["consentry.db"] == 0o600
    finally:
        app.engine.dispose()


def test_crypto_shredding_files_are_created_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26 with issue 17 item 5: the key vault (wrapped data keys) with its WAL and SHM,
    the KEK ring and the purge log beside the database are owner-only too, under umask 0022.
    The vault's WAL was 0644 before it was opened through ``private_sqlite_files``."""
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "1")
    database = tmp_path / "data" / "consentry.db"
    database.parent.mkdir()
    app = _populate(f"sqlite:///{database}")
    try:
        names = {p.name: _mode(p) for p in database.parent.iterdir()}
        assert {"consentry.db.kek", "consentry.db.keys.sqlite", "consentry.db.keys.sqlite-wal"} <= (
            set(names)
        )
        shared = [f"{name} {mode:o}" for name, mode in names.items() if mode & 0o077]
        assert shared == []
    finally:
        app.engine.dispose()


def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    app = _populate(f"sqlite:///{database}")
    app.engine.dispose()
    os.chmod(database, 0o644)  # as earlier versions left it
    again = build(Settings(database_url=f"sqlite:///{database}"), migrate=False)
    try:
        assert _mode(database) == 0o600
    finally:
        again.engine.dispose()


def test_export_directories_and_files_have_no_group_or_other_access(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = _populate(sqlite_url)
    try:
        run = runs.create_run(app.ctx, purpose="model_training")
        out = tmp_path / "exports" / "nested"
        result = export_run(app.ctx, run_id=run.id, out_dir=str(out))
    finally:
        app.engine.dispose()
    directory = Path(result.directory)
    assert directory.parent == out
    for created in (tmp_path / "exports", out, directory):
        assert _mode(created) == 0o700, created
    files = list(directory.iterdir())
    assert any(f.name == "manifest.json" for f in files) and len(files) >= 2
    for path in files:
        assert _mode(path) == 0o600, path


def test_the_consentry_command_creates_nothing_others_can_read(tmp_path: Path) -> None:
    """The `consentry` process runs with umask 077: files written by libraries (here the
    lake's Delta tables and Parquet files, which hold message text) are private too."""
    database = tmp_path / "lake-source.db"
    _populate(f"sqlite:///{database}").engine.dispose()
    lake = tmp_path / "lake"
    env = {k: v for k, v in os.environ.items() if k != "CONSENTRY_TEST_CLOCK"}
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("consentry")),
            "lake",
            "export",
            "--lake",
            str(lake),
            "--database-url",
            f"sqlite:///{database}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    created = [lake, *lake.rglob("*")]
    assert len(created) > 10 and any(p.suffix == ".parquet" for p in created)
    shared = [f"{p} {_mode(p):o}" for p in created if _mode(p) & 0o077]
    assert shared == []
