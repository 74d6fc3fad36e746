"""`consentry secrets reseal` (issue 17): the stored secrets (runs' pseudonym keys,
webhook signing secrets) sealed again under a new master key; resumable, a transaction
per batch, refusing a wrong old key with `wrong_old_key` and changing nothing. SQLite
and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.reseal import ResealResult, WrongOldKey, reseal_secrets
from consentry.bootstrap import build
from consentry.config.sealing import (
    SecretBox,
    SecretUnreadable,
    run_secret_context,
    webhook_secret_context,
)
from consentry.config.settings import Settings
from consentry.entrypoints.cli import app as cli
from consentry.outbox import registry
from consentry.outbox.targets import TargetGuard
from consentry.service import runs

OLD = "old-master-key-" + "o" * 40
NEW = "new-master-key-" + "n" * 40
WRONG = "wrong-master-key-" + "w" * 40


@dataclass
class Sealed:
    url: str
    run_keys: dict[str, str]
    """run id -> its pseudonym key in clear."""
    webhook_secrets: dict[str, str]


def _stored(url: str) -> dict[str, str]:
    engine = build(Settings(database_url=url, secret_key=NEW), migrate=False).engine
    try:
        with engine.connect() as conn:
            values = {r.id: r.pseudonym_secret for r in conn.execute(select(t.runs))}
            values |= {r.id: r.secret for r in conn.execute(select(t.webhook_endpoints))}
    finally:
        engine.dispose()
    return values


@pytest.fixture
def sealed(database_url: str) -> Sealed:
    """Five runs and three webhook endpoints, sealed under OLD."""
    app = build(Settings(database_url=database_url, secret_key=OLD), migrate=False)
    try:
        made = [runs.create_run(app.ctx, purpose="model_training") for _ in range(5)]
        hooks = {}
        for index in range(3):
            new = registry.add_endpoint(
                app.engine,
                url=f"https://hooks{index}.example/in",
                now=datetime.now(UTC),
                guard=TargetGuard(resolve=lambda host, port: ["93.184.216.34"]),
                box=app.box,
                secret=f"whsec-{index}-" + "s" * 32,
            )
            hooks[new.endpoint.id] = f"whsec-{index}-" + "s" * 32
    finally:
        app.engine.dispose()
    return Sealed(database_url, {r.id: r.pseudonym_secret for r in made}, hooks)


def _key_file(tmp_path: Path, key: str) -> Path:
    path = tmp_path / "old.key"
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def _reseal_cli(url: str, old_key_file: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli,
        ["secrets", "reseal", "--old-key-file", str(old_key_file), "--database-url", url, *extra],
        env={"CONSENTRY_SECRET_KEY": NEW},
    )
    return result.exit_code, result.stdout, result.stderr


def _opens_all(sealed: Sealed, key: str) -> bool:
    box = SecretBox.from_master(key.encode())
    stored = _stored(sealed.url)
    try:
        for run_id, clear in sealed.run_keys.items():
            assert box.open(stored[run_id], context=run_secret_context(run_id)) == clear
        for hook_id, clear in sealed.webhook_secrets.items():
            assert box.open(stored[hook_id], context=webhook_secret_context(hook_id)) == clear
    except SecretUnreadable:
        return False
    return True


def test_reseal_moves_every_secret_to_the_new_key(sealed: Sealed, tmp_path: Path) -> None:
    assert _opens_all(sealed, OLD) and not _opens_all(sealed, NEW)
    code, out, err = _reseal_cli(sealed.url, _key_file(tmp_path, OLD), "--batch-size", "2")
    assert code == 0, err
    assert '"resealed": 8' in out
    assert _opens_all(sealed, NEW) and not _opens_all(sealed, OLD)
    # The service with the new key reads the runs' keys (and the old one cannot).
    app = build(Settings(database_url=sealed.url, secret_key=NEW), migrate=False)
    try:
        for run_id, clear in sealed.run_keys.items():
            assert runs.get_run(app.ctx, run_id=run_id).pseudonym_secret == clear
    finally:
        app.engine.dispose()


def test_a_wrong_old_key_is_refused_and_changes_nothing(sealed: Sealed, tmp_path: Path) -> None:
    before = _stored(sealed.url)
    code, _, err = _reseal_cli(sealed.url, _key_file(tmp_path, WRONG))
    assert code == 2
    assert "wrong_old_key" in err and "Traceback" not in err
    assert _stored(sealed.url) == before


def test_an_interrupted_reseal_resumes_where_it_stopped(sealed: Sealed) -> None:
    """Stopped after its first batch (of 2): that batch is committed under the new key,
    the rest untouched under the old; run again, it finishes without resealing twice."""
    engine = build(Settings(database_url=sealed.url, secret_key=NEW), migrate=False).engine
    old, new = SecretBox.from_master(OLD.encode()), SecretBox.from_master(NEW.encode())

    class Interrupted(Exception):
        pass

    def stop(done: ResealResult) -> None:
        raise Interrupted

    try:
        with pytest.raises(Interrupted):
            reseal_secrets(engine, old=old, new=new, batch_size=2, progress=stop)
        assert not _opens_all(sealed, NEW) and not _opens_all(sealed, OLD)  # half-way
        # A wrong old key now stops at the first value the new key does not open.
        with pytest.raises(WrongOldKey):
            reseal_secrets(engine, old=SecretBox.from_master(WRONG.encode()), new=new)
        finished = reseal_secrets(engine, old=old, new=new, batch_size=2)
    finally:
        engine.dispose()
    assert (finished.already, finished.resealed) == (2, 6)
    assert _opens_all(sealed, NEW)
