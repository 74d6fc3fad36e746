"""Issue 26 item: `consentry keys collect` destroys the data keys a restore orphaned.

R17: after a restore, the vault still holds keys of sessions written after the backup;
they open the newer backups' copies of those sessions, so a purge must reach them. A key
younger than the grace age is kept (its append may not have committed yet); a key of
unknown age is stamped first and collected by a later run; a live item keeps its key.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

from consentry.adapters.crypto.places import KeyPlaces
from consentry.adapters.crypto.vault import data_keys
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.entrypoints.cli import app as cli
from consentry.service import sessions
from consentry.service.keys import session_key_scope, session_scope
from tests.integration.service.conftest import World
from tests.shredding import shredding, world  # noqa: F401 (fixtures)

runner = CliRunner()


def _cli(*args: str) -> dict[str, object]:
    done = runner.invoke(cli, list(args))
    assert done.exit_code == 0, done.output
    return json.loads(done.output[done.output.index("{") :])  # type: ignore[no-any-return]


def _age(places: KeyPlaces, scope: str, created_at: int | None) -> None:
    vault = places.open_vault()
    try:
        with vault.engine.begin() as conn:
            conn.execute(
                update(data_keys).where(data_keys.c.scope == scope).values(created_at=created_at)
            )
    finally:
        vault.engine.dispose()


def _keys(places: KeyPlaces, *scopes: str) -> set[str]:
    vault = places.open_vault()
    try:
        return set(vault.data_keys(scopes))
    finally:
        vault.engine.dispose()


def _pool_scope(db: Path, session_id: str) -> str:
    """The pool key scope the session claimed, as the database file ``db`` records it."""
    with sqlite3.connect(db) as conn:
        (key_id,) = conn.execute(
            "SELECT key_id FROM sessions WHERE id = ?", (session_id,)
        ).fetchone()
    return session_key_scope(session_id, key_id)


def test_collect_destroys_keys_orphaned_by_a_restore_but_not_young_ones_R17(
    world: World, tmp_path: Path
) -> None:
    url = world.app.settings.database_url
    places = KeyPlaces.from_settings(world.app.settings)
    uid = world.user(training="on")
    keep = world.chat(uid, "kept")
    old, new = tmp_path / "old.sqlite", tmp_path / "new.sqlite"
    _cli("db", "backup", str(old), "--database-url", url)
    late = world.chat(uid, "written after the old backup")
    _cli("db", "backup", str(new), "--database-url", url)
    # An append in flight: its session's key exists, its row is not committed yet.
    inflight = places.open_vault()
    inflight.data_key(session_scope("ses_in_flight"), create=True)
    inflight.engine.dispose()
    world.app.engine.dispose()

    _cli("db", "restore", str(old), "--database-url", url)
    collect = ("keys", "collect", "--database-url", url, "--batch-size", "1")
    first = _cli(*collect)
    # both orphans are recent: `late`'s pool key (claimed in no row of the old backup)
    # and the in-flight key; the 62 pool keys no session took yet are young as well
    assert first["destroyed"] == 0 and first["young"] == 2 + 62

    scopes = [_pool_scope(new, keep), _pool_scope(new, late), session_scope("ses_in_flight")]
    assert scopes[0].startswith("pool:") and scopes[1].startswith("pool:")
    _age(places, scopes[1], 0)  # `late`'s key: made long ago
    _age(places, scopes[2], None)  # a key from before the vault recorded ages
    assert _cli(*collect, "--dry-run")["destroyed"] == 1
    assert _keys(places, *scopes) == set(scopes)  # a dry run destroys nothing
    second = _cli(*collect)
    assert second["destroyed"] == 1 and second["stamped"] == 1
    assert _keys(places, *scopes) == {scopes[0], scopes[2]}
    assert _cli(*collect, "--grace", "0")["destroyed"] == 1  # stamped now, due at grace 0
    assert _keys(places, *scopes) == {scopes[0]}

    # The newer backup still holds `late` (ciphertext): restoring it tombstones `late`,
    # whose pool key the collection logged (kind `pool`), and `keep` still reads.
    restored = _cli("db", "restore", str(new), "--database-url", url)
    assert restored["purges_reapplied"]["sessions"] == 1  # type: ignore[index]
    assert restored["ledger_ok"] is True
    app = build(Settings.from_env(database_url=url), migrate=False, clock=world.clock)
    try:
        view = sessions.get_session(app.ctx, account_id=uid, session_id=keep)
        assert [m.content for m in view.messages] == ["kept"]
    finally:
        app.engine.dispose()


def test_collect_refuses_a_database_that_is_not_the_vaults(world: World, tmp_path: Path) -> None:
    """Safe by default: pointed at an empty (or the wrong) database, every key looks
    orphaned; destroying them would make every copy of the content unreadable, so the
    collection refuses (exit 2, collect_refused) and destroys nothing unless forced."""
    places = KeyPlaces.from_settings(world.app.settings)
    uid = world.user(training="on")
    chats = [world.chat(uid, f"chat {i}") for i in range(12)]
    url = world.app.settings.database_url
    scopes = [_pool_scope(Path(url.removeprefix("sqlite:///")), c) for c in chats]
    for scope in scopes:
        _age(places, scope, 0)
    other = tmp_path / "other.sqlite"
    build(Settings(database_url=f"sqlite:///{other}"), migrate=True).engine.dispose()
    wrong = ["keys", "collect", "--database-url", f"sqlite:///{other}"]
    env = {
        "CONSENTRY_KEY_VAULT_URL": places.vault_url,
        "CONSENTRY_KEK_FILE": str(places.kek_file),
        "CONSENTRY_PURGE_LOG": str(places.purge_log),
    }
    refused = runner.invoke(cli, wrong, env=env)
    assert refused.exit_code == 2 and "collect_refused" in refused.output, refused.output
    assert _keys(places, *scopes) == set(scopes)
    counted = runner.invoke(cli, [*wrong, "--dry-run"], env=env)
    assert counted.exit_code == 0 and '"destroyed": 12' in counted.output, counted.output
    assert _keys(places, *scopes) == set(scopes)
    forced = runner.invoke(cli, [*wrong, "--force"], env=env)
    assert forced.exit_code == 0, forced.output
    assert _keys(places, *scopes) == set()  # forced: the operator said so
