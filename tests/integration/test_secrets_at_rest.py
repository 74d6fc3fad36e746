"""Run pseudonym keys are sealed at rest (issue 17 item 5, R24): the database alone does
not hold the key that reverses a run's exported pseudonyms to account ids; revision
0006 seals keys stored in clear before it, and its downgrade opens them again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from consentry.adapters.sql.engine import alembic_config, upgrade
from consentry.bootstrap import App, build
from consentry.config.sealing import SecretUnreadable, is_sealed
from consentry.config.settings import Settings
from consentry.service import runs
from tests.conftest import PG_ADMIN_URL, require_or_skip

KEY = "k" * 48


def _stored(url: str, run_id: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            value = conn.execute(
                text("SELECT pseudonym_secret FROM runs WHERE id = :id"), {"id": run_id}
            ).scalar_one()
    finally:
        engine.dispose()
    return str(value)


def test_a_new_run_stores_its_key_sealed(app: App, database_url: str) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    stored = _stored(database_url, run.id)
    assert is_sealed(stored)
    assert run.pseudonym_secret not in stored
    assert len(bytes.fromhex(run.pseudonym_secret)) == 32
    with app.ctx.uow(read_only=True) as uow:
        again = uow.runs.get_run(run.id)
    assert again is not None and again.pseudonym_secret == run.pseudonym_secret


def test_another_secret_key_cannot_read_a_runs_key(
    app: App, database_url: str, tmp_path: Path
) -> None:
    run = runs.create_run(app.ctx, purpose="model_training")
    other = build(Settings(database_url=database_url, secret_key="x" * 40), migrate=False)
    try:
        with pytest.raises(SecretUnreadable), other.ctx.uow(read_only=True) as uow:
            uow.runs.get_run(run.id)
    finally:
        other.engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"consentry_seal_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        require_or_skip(False, f"PostgreSQL ({error.__class__.__name__})")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_revision_0006_seals_clear_keys_and_its_downgrade_opens_them(
    fresh_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSENTRY_SECRET_KEY", KEY)  # where the migration finds the key
    upgrade(fresh_url)
    app = build(Settings.from_env(database_url=fresh_url), migrate=False)
    try:
        run = runs.create_run(app.ctx, purpose="model_training")
    finally:
        app.engine.dispose()
    assert is_sealed(_stored(fresh_url, run.id))

    command.downgrade(alembic_config(fresh_url), "0005")  # as stored before sealing
    assert _stored(fresh_url, run.id) == run.pseudonym_secret

    upgrade(fresh_url)
    stored = _stored(fresh_url, run.id)
    assert is_sealed(stored) and run.pseudonym_secret not in stored
    app = build(Settings.from_env(database_url=fresh_url), migrate=False)
    try:
        with app.ctx.uow(read_only=True) as uow:
            read = uow.runs.get_run(run.id)
    finally:
        app.engine.dispose()
    assert read is not None and read.pseudonym_secret == run.pseudonym_secret
