"""Issue 26 with the data-key vault on PostgreSQL (``CONSENTRY_KEY_VAULT_URL``), the
setting docs/retention.md names for several machines: a database of its own, never the
content database. The same promises as the SQLite vault's tests: R17, a purge destroys
the session's key and no copy of the content opens afterwards; the pool's keys are
durable before use, two processes never hand out the same key, and a rolled-back claim
is never used; R16, a hold keeps its key.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from consentry.adapters.crypto.kek_file import KeyRingFile
from consentry.adapters.crypto.places import KeyPlaces
from consentry.adapters.crypto.vault import SqlKeyVault, data_keys
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import Policy
from consentry.service import retention, sessions
from consentry.service.keys import KeyUnavailable
from tests.conftest import throwaway_pg_database
from tests.integration.service.conftest import World
from tests.integration.service.test_crypto_shredding import _copy_database, _operator_reads


@pytest.fixture(scope="module")
def vault_url() -> Iterator[str]:
    """A PostgreSQL database of the vault's own for this module, dropped at the end."""
    with throwaway_pg_database("consentry_vault") as url:
        yield url


@pytest.fixture
def pg_vault_app(
    database_url: str,
    vault_url: str,
    clock: TestClock,
    policy: Policy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[App]:
    engine = create_engine(vault_url)
    with engine.begin() as conn:  # each test starts with an empty vault
        conn.execute(text("DROP TABLE IF EXISTS data_keys"))
    engine.dispose()
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "1")
    monkeypatch.setenv("CONSENTRY_KEK_FILE", str(tmp_path / "ops" / "app.kek"))
    monkeypatch.setenv("CONSENTRY_KEY_VAULT_URL", vault_url)
    monkeypatch.setenv("CONSENTRY_PURGE_LOG", str(tmp_path / "ops" / "purges.jsonl"))
    settings = Settings(database_url=database_url, secret_key_file=str(tmp_path / "ops" / "k"))
    built = build(settings, migrate=False, clock=clock, policy=policy)
    yield built
    built.engine.dispose()
    assert built.ctx.shredder is not None
    vault = built.ctx.shredder.keys
    assert isinstance(vault, SqlKeyVault)
    vault.engine.dispose()


def _vault(app: App) -> SqlKeyVault:
    assert app.ctx.shredder is not None
    vault = app.ctx.shredder.keys
    assert isinstance(vault, SqlKeyVault) and vault.engine.dialect.name == "postgresql"
    return vault


def _scopes(vault: SqlKeyVault) -> set[str]:
    with vault.engine.connect() as conn:
        return set(conn.execute(data_keys.select().with_only_columns(data_keys.c.scope)).scalars())


def _key_id(app: App, session_id: str) -> str:
    with app.engine.connect() as conn:
        key_id = conn.execute(
            text("SELECT key_id FROM sessions WHERE id = :s"), {"s": session_id}
        ).scalar()
    assert key_id, "a new session claims a pool key"
    return str(key_id)


def test_a_purge_destroys_the_key_in_a_postgres_vault_and_the_copy_stays_closed_R14_R17(
    pg_vault_app: App, clock: TestClock, tmp_path: Path
) -> None:
    w = World(pg_vault_app, clock)
    uid = w.user(training="on")  # kept five years (R12): only the deleted chat is purged
    doomed, kept = w.chat(uid, "purge these words"), w.chat(uid, "keep these")
    vault = _vault(pg_vault_app)
    doomed_scope = f"pool:{_key_id(pg_vault_app, doomed)}"
    assert doomed_scope in _scopes(vault)
    url = pg_vault_app.settings.database_url
    copy_url = _copy_database(url, tmp_path / "before.backup")
    sessions.delete_session(w.ctx, account_id=uid, session_id=doomed)
    w.advance(days=31)
    retention.sweep_expired(w.ctx)
    assert doomed_scope not in _scopes(vault)
    assert f"pool:{_key_id(pg_vault_app, kept)}" in _scopes(vault)
    if url.startswith("sqlite"):  # the copy, read with everything the operator holds
        places = KeyPlaces.from_settings(pg_vault_app.settings)
        with pytest.raises(KeyUnavailable):
            _operator_reads(copy_url, places, doomed)
        assert _operator_reads(copy_url, places, kept) == ["keep these"]
    view = sessions.get_session(w.ctx, account_id=uid, session_id=kept)
    assert [m.content for m in view.messages] == ["keep these"]


def test_a_held_session_keeps_its_key_in_a_postgres_vault_R16(
    pg_vault_app: App, clock: TestClock
) -> None:
    w = World(pg_vault_app, clock)
    uid = w.user(training="off")
    sid = w.chat(uid, "evidence")
    scope = f"pool:{_key_id(pg_vault_app, sid)}"
    hold = retention.place_hold(w.ctx, session_id=sid, kind="legal")
    sessions.delete_session(w.ctx, account_id=uid, session_id=sid)
    w.advance(days=40)
    retention.sweep_expired(w.ctx)
    assert scope in _scopes(_vault(pg_vault_app))  # held: the key stays
    retention.release_hold(w.ctx, hold_id=hold.id)
    retention.sweep_expired(w.ctx)
    assert scope not in _scopes(_vault(pg_vault_app))


def test_two_processes_share_a_postgres_vault_without_sharing_a_key_R17(
    vault_url: str, tmp_path: Path
) -> None:
    """Two vault objects (two processes) make batches in the same database: every key is
    durable before it is handed out (a third connection reads it) and none is handed out
    twice; a destroyed key is gone for both."""
    engine = create_engine(vault_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS data_keys"))
    engine.dispose()
    ring = KeyRingFile(tmp_path / "k.kek")
    one = SqlKeyVault.open(vault_url, ring, pool_size=8)
    two = SqlKeyVault.open(vault_url, ring, pool_size=8)
    third = SqlKeyVault.open(vault_url, ring)
    try:
        handed = [v.pool_key() for _ in range(12) for v in (one, two)]
        ids = [key_id for key_id, _ in handed]
        assert len(set(ids)) == len(ids) == 24
        assert third.data_keys(f"pool:{i}" for i in ids) == {f"pool:{i}": k for i, k in handed}
        assert third.destroy([f"pool:{ids[0]}", f"pool:{ids[1]}"]) == 2
        assert f"pool:{ids[0]}" not in _scopes(third) and f"pool:{ids[1]}" not in _scopes(third)
    finally:
        for v in (one, two, third):
            v.engine.dispose()


def test_the_postgres_vault_rotates_the_kek_without_touching_content_R17(
    pg_vault_app: App, clock: TestClock, tmp_path: Path
) -> None:
    w = World(pg_vault_app, clock)
    uid = w.user(training="on")
    sid = w.chat(uid, "rotate around me")
    vault = _vault(pg_vault_app)
    assert isinstance(vault.kek, KeyRingFile)
    before = vault.kek.current_id
    new = vault.kek.add_key()
    while vault.rewrap(limit=10):  # a transaction per batch, as `keys rotate-kek`
        pass
    assert vault.kek.retire_old_keys() == [before]
    assert set(vault.kek_ids_in_use()) == {new}
    fresh = build(pg_vault_app.settings, migrate=False, clock=clock)  # a cold cache
    try:
        view = sessions.get_session(fresh.ctx, account_id=uid, session_id=sid)
        assert [m.content for m in view.messages] == ["rotate around me"]
    finally:
        fresh.engine.dispose()
        assert fresh.ctx.shredder is not None
        fresh_vault = fresh.ctx.shredder.keys
        assert isinstance(fresh_vault, SqlKeyVault)
        fresh_vault.engine.dispose()
