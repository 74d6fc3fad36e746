"""Issue 26's key pool: a new session costs no durable vault write of its own.

The vault makes pool keys in batches, one durable transaction each; a new session claims
one in ``sessions.key_id`` in its own insert, and a session made while shredding was off
claims one with its first sealed message, in the message's own transaction. R17:
a purge destroys exactly the claimed key, so no copy taken before it opens the content;
R16: a hold keeps it; ``keys collect`` destroys only pool keys no session claimed and
that no live process can still hand out. docs/rules.md has no issue-26 P-rule: these
cite R14-R17, which the shredding makes reach every copy.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from consentry.adapters.crypto.collect import collect_orphan_keys
from consentry.adapters.crypto.kek_file import KeyRingFile
from consentry.adapters.crypto.places import KeyPlaces
from consentry.adapters.crypto.vault import SqlKeyVault, data_keys
from consentry.bootstrap import App
from consentry.domain.clock import TestClock
from consentry.domain.types import Author, Role, Scope, SessionKind, Surface
from consentry.service import retention, sessions
from consentry.service.keys import KeyUnavailable, session_key_scope
from consentry.service.records import MessageRecord, SessionRecord
from tests.integration.service.conftest import World
from tests.integration.service.test_crypto_shredding import (  # noqa: F401 (fixtures)
    _copy_database,
    _operator_reads,
    shred_app,
)


@pytest.fixture
def sw(shred_app: App, clock: TestClock) -> World:
    return World(shred_app, clock)


def _key_id(app: App, session_id: str) -> str | None:
    with app.engine.connect() as conn:
        return conn.execute(
            text("SELECT key_id FROM sessions WHERE id = :s"), {"s": session_id}
        ).scalar()


def _vault(sw: World) -> SqlKeyVault:
    assert sw.ctx.shredder is not None
    vault = sw.ctx.shredder.keys
    assert isinstance(vault, SqlKeyVault)
    return vault


def _pool_rows(vault: SqlKeyVault) -> dict[str, int | None]:
    with vault.engine.connect() as conn:
        rows = conn.execute(
            data_keys.select().with_only_columns(data_keys.c.scope, data_keys.c.created_at)
        ).all()
    return {s: c for s, c in rows if s.startswith("pool:")}


def test_a_new_session_claims_a_pool_key_and_reads_back_R17(sw: World) -> None:
    """One vault transaction makes the batch; sessions take its keys in turn, each key
    claimed in the session's own insert and read back through it."""
    uid = sw.user(training="on")
    vault = _vault(sw)
    assert _pool_rows(vault) == {}
    started = sessions.start_session(sw.ctx, account_id=uid, kind="chat").session.id
    first = _key_id(sw.app, started)
    assert first is not None  # claimed with the session, before any message
    sids = [sw.chat(uid, f"secret {i}") for i in range(10)]
    key_ids = [_key_id(sw.app, s) for s in sids]
    assert all(key_ids) and len({first, *key_ids}) == 11
    pool = _pool_rows(vault)
    assert len(pool) == vault.pool_size == 64  # ONE batch for eleven sessions
    assert len(set(pool.values())) == 1 and vault.pool_held() == 53
    assert {f"pool:{k}" for k in [first, *key_ids]} <= set(pool)
    for i, sid in enumerate(sids):
        sw.say(uid, sid, f"more {i}")
        view = sessions.get_session(sw.ctx, account_id=uid, session_id=sid)
        assert [m.content for m in view.messages] == [f"secret {i}", f"more {i}"]
        assert _key_id(sw.app, sid) == key_ids[i]  # the claim never changes


def _session_made_in_clear(app: App, monkeypatch: pytest.MonkeyPatch, uid: str) -> str:
    """A session started by a process with shredding off: no key claimed, no message."""
    from consentry.bootstrap import build

    with monkeypatch.context() as env:
        env.setenv("CONSENTRY_CRYPTO_SHREDDING", "0")
        plain = build(app.settings, migrate=False, clock=app.ctx.clock)
    try:
        return sessions.start_session(plain.ctx, account_id=uid, kind="chat").session.id
    finally:
        plain.engine.dispose()


def test_a_session_made_in_clear_claims_with_its_first_sealed_message_R17(
    sw: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = sw.user(training="on")
    sid = _session_made_in_clear(sw.app, monkeypatch, uid)
    assert _key_id(sw.app, sid) is None
    sw.say(uid, sid, "sealed")
    claimed = _key_id(sw.app, sid)
    assert claimed is not None and f"pool:{claimed}" in _pool_rows(_vault(sw))
    view = sessions.get_session(sw.ctx, account_id=uid, session_id=sid)
    assert [m.content for m in view.messages] == ["sealed"]


def test_a_failed_session_start_leaves_its_key_unclaimed_and_unused_R17(sw: World) -> None:
    """The claim in the session's insert commits with it or not at all, and is never
    trusted by the process when it did not commit."""
    uid = sw.user(training="on")
    lost: list[str] = []

    class Boom(Exception):
        pass

    def fail_before_commit() -> None:
        with sw.ctx.uow() as uow:
            at = sw.clock.now()
            session = SessionRecord(
                "ses_lost", uid, SessionKind.CHAT, Surface.WEB, False, Scope.CONSUMER,
                at, at, None, at, None, None, None,
            )  # fmt: skip
            uow.store.insert_session(session)  # claims a pool key in this transaction
            store: Any = uow.store  # the crypto adapter's EncryptingStore
            lost.extend(store.claims.values())
            raise Boom

    with pytest.raises(Boom):
        fail_before_commit()
    assert len(lost) == 1 and lost[0].startswith("pool:")
    sid = sw.chat(uid, "kept")
    assert f"pool:{_key_id(sw.app, sid)}" != lost[0]


def test_two_sessions_never_share_a_pool_key_R17(sw: World) -> None:
    """The unique index: a claim of a key another session holds fails."""
    uid = sw.user(training="on")
    a, b = sw.chat(uid, "a"), sw.chat(uid, "b")
    taken = _key_id(sw.app, a)
    with pytest.raises(IntegrityError), sw.app.engine.begin() as conn:
        conn.execute(text("UPDATE sessions SET key_id = :k WHERE id = :s"), {"k": taken, "s": b})


def test_a_purge_destroys_exactly_the_claimed_key_and_the_backup_stays_closed_R14_R17(
    sw: World, tmp_path: Path
) -> None:
    uid = sw.user(training="on")  # kept five years (R12): only the deleted chat is purged
    doomed, kept = sw.chat(uid, "purge these words"), sw.chat(uid, "keep these")
    vault = _vault(sw)
    before = set(_pool_rows(vault))
    url = sw.app.settings.database_url
    copy_url = _copy_database(url, tmp_path / "before.backup")
    sessions.delete_session(sw.ctx, account_id=uid, session_id=doomed)
    sw.advance(days=31)
    retention.sweep_expired(sw.ctx)
    gone = f"pool:{_key_id(sw.app, doomed)}"
    assert before - set(_pool_rows(vault)) == {gone}  # that key, no other
    if url.startswith("sqlite"):  # the copy, read with everything the operator holds
        places = KeyPlaces.from_settings(sw.app.settings)
        with pytest.raises(KeyUnavailable):
            _operator_reads(copy_url, places, doomed)
        assert _operator_reads(copy_url, places, kept) == ["keep these"]


def test_a_held_session_keeps_its_pool_key_R16(sw: World) -> None:
    uid = sw.user(training="off")
    sid = sw.chat(uid, "evidence")
    scope = f"pool:{_key_id(sw.app, sid)}"
    hold = retention.place_hold(sw.ctx, session_id=sid, kind="legal")
    sessions.delete_session(sw.ctx, account_id=uid, session_id=sid)
    sw.advance(days=40)
    retention.sweep_expired(sw.ctx)
    assert _vault(sw).data_keys([scope]) != {}
    retention.release_hold(sw.ctx, hold_id=hold.id)
    retention.sweep_expired(sw.ctx)
    assert _vault(sw).data_keys([scope]) == {}


def test_a_failed_append_leaves_its_key_unclaimed_and_unused_R17(
    sw: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Crash safety: a first-message claim commits with the ciphertext or not at all, and
    a process never reuses a claim its transaction did not commit (the key would be no
    session's and `keys collect` would destroy it under live content)."""
    uid = sw.user(training="on")
    sid = _session_made_in_clear(sw.app, monkeypatch, uid)

    class Boom(Exception):
        pass

    lost: list[str] = []

    def fail_before_commit() -> None:
        with sw.ctx.uow() as uow:
            at = sw.clock.now()
            uow.store.insert_message(
                MessageRecord("msg_lost", sid, Role.USER, "lost", at, True, Author.ACCOUNT)
            )  # claims a pool key in this transaction
            store: Any = uow.store  # the crypto adapter's EncryptingStore
            lost.extend(store.claims.values())
            raise Boom

    with pytest.raises(Boom):
        fail_before_commit()
    assert len(lost) == 1 and lost[0].startswith("pool:")
    assert _key_id(sw.app, sid) is None  # rolled back with the message
    sw.say(uid, sid, "kept")
    claimed = _key_id(sw.app, sid)
    assert claimed is not None and f"pool:{claimed}" != lost[0]  # the lost claim unused
    view = sessions.get_session(sw.ctx, account_id=uid, session_id=sid)
    assert [m.content for m in view.messages] == ["kept"]


def test_pool_keys_are_durable_before_use_and_never_handed_out_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R17 via the vault: a key is in the vault's file (another connection, as after a
    crash, reads it) before it is handed out; past the maximum age a process makes a new
    batch instead of handing out an old key."""
    url = f"sqlite:///{tmp_path / 'v.sqlite'}"
    ring = KeyRingFile(tmp_path / "k.kek")
    vault = SqlKeyVault.open(url, ring, pool_size=4, pool_max_age_s=100)
    key_id, key = vault.pool_key()
    other = SqlKeyVault.open(url, ring)  # a second process: nothing cached
    assert other.data_keys([f"pool:{key_id}"]) == {f"pool:{key_id}": key}
    assert vault.pool_held() == 3
    real = time.time
    monkeypatch.setattr("consentry.adapters.crypto.vault.time.time", lambda: real() + 100)
    late_id, _ = vault.pool_key()
    assert late_id.rpartition("-")[0] != key_id.rpartition("-")[0]  # a new batch
    assert vault.pool_held() == 3  # the three old ones dropped, three new ones held
    assert len(other.scopes_page(None, 100)) == 8  # the old ones wait for `keys collect`
    for v in (vault, other):
        v.engine.dispose()
    with pytest.raises(ValueError):
        SqlKeyVault.open(url, ring, pool_size=0)


def test_collect_takes_old_unclaimed_pool_keys_only_R17(sw: World) -> None:
    """An unclaimed pool key is destroyed once past the maximum age plus the grace age
    (no live process can still hand it out, no claim is in flight); a younger one and a
    claimed one are kept. Each destroyed batch is logged as kind `pool`."""
    uid = sw.user(training="on")
    sid = sw.chat(uid, "claimed")
    vault = _vault(sw)
    pool = _pool_rows(vault)
    made = next(iter(pool.values()))
    assert made is not None
    log = KeyPlaces.from_settings(sw.app.settings).open_purge_log()
    due_at = made + vault.pool_max_age_s + 3600
    young = collect_orphan_keys(sw.app.engine, vault, log, now=lambda: due_at - 1)
    assert young.destroyed == 0 and young.young == 63
    done = collect_orphan_keys(sw.app.engine, vault, log, now=lambda: due_at)
    assert done.destroyed == done.pool_destroyed == 63
    assert set(_pool_rows(vault)) == {f"pool:{_key_id(sw.app, sid)}"}  # the claimed one
    entries = [e for e in log.entries() if e.kind == "pool"]
    assert len(entries) == 1 and len(entries[0].ids) == 63
    view = sessions.get_session(sw.ctx, account_id=uid, session_id=sid)
    assert [m.content for m in view.messages] == ["claimed"]


def test_collect_refuses_when_no_old_pool_batch_is_claimed_here(sw: World, tmp_path: Path) -> None:
    """Pointed at another database, every pool key looks unclaimed; a vault's own
    database has a claimed key in (nearly) every old batch, so collection refuses."""
    from consentry.adapters.crypto.collect import CollectRefused
    from consentry.bootstrap import build
    from consentry.config.settings import Settings

    uid = sw.user(training="on")
    sw.chat(uid, "mine")
    vault = _vault(sw)
    made = next(iter(_pool_rows(vault).values()))
    assert made is not None
    other = build(Settings(database_url=f"sqlite:///{tmp_path / 'o.db'}"), migrate=True)
    log = KeyPlaces.from_settings(sw.app.settings).open_purge_log()
    late = made + vault.pool_max_age_s + 3600
    try:
        with pytest.raises(CollectRefused):
            collect_orphan_keys(other.engine, vault, log, now=lambda: late)
        assert len(_pool_rows(vault)) == 64
    finally:
        other.engine.dispose()
    assert collect_orphan_keys(sw.app.engine, vault, log, now=lambda: late).destroyed == 63


def test_a_session_from_before_the_pool_keeps_its_own_key_R17(
    shred_app: App,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Legacy: a session whose messages predate shredding (clear text, key_id NULL) goes
    on under ``session:<id>``: its key_id stays NULL, old and new messages read, and a
    purge destroys ``session:<id>``."""
    from consentry.bootstrap import build

    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "0")
    plain = build(shred_app.settings, migrate=False, clock=shred_app.ctx.clock)
    clock = shred_app.ctx.clock
    w0 = World(plain, clock)  # type: ignore[arg-type]
    uid = w0.user(training="off")
    sid = w0.chat(uid, "written in clear")
    plain.engine.dispose()
    w = World(shred_app, clock)  # type: ignore[arg-type]
    w.say(uid, sid, "sealed later")
    assert _key_id(shred_app, sid) is None
    assert session_key_scope(sid, None) == f"session:{sid}"
    vault = _vault(w)
    assert vault.data_keys([f"session:{sid}"])  # its own key, made for it
    view = sessions.get_session(w.ctx, account_id=uid, session_id=sid)
    assert [m.content for m in view.messages] == ["written in clear", "sealed later"]
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT content FROM messages WHERE session_id = :s ORDER BY at"),
                {"s": sid},
            ).scalars()
            assert [c.startswith("enc:v1:") for c in stored] == [False, True]
    finally:
        engine.dispose()
    sessions.delete_session(w.ctx, account_id=uid, session_id=sid)
    w.advance(days=31)
    retention.sweep_expired(w.ctx)
    assert vault.data_keys([f"session:{sid}"]) == {}


def test_encrypt_existing_seals_a_pooled_sessions_clear_rows_under_its_pool_key_R17(
    shred_app: App,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Shredding turned off after a session claimed a pool key, then on again: its rows
    written in clear are sealed under the session's pool key, the one its reads use."""
    from consentry.adapters.crypto.encrypt_existing import encrypt_existing
    from consentry.bootstrap import build

    clock = shred_app.ctx.clock
    w = World(shred_app, clock)  # type: ignore[arg-type]
    uid = w.user(training="on")
    sid = w.chat(uid, "sealed first")
    key_id = _key_id(shred_app, sid)
    assert key_id
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "0")
    plain = build(shred_app.settings, migrate=False, clock=clock)
    World(plain, clock).say(uid, sid, "then in clear")  # type: ignore[arg-type]
    plain.engine.dispose()
    result = encrypt_existing(shred_app.engine, _vault(w))
    assert result.sealed["messages"] == 1 and result.already == 1
    assert _vault(w).data_keys([f"session:{sid}"]) == {}  # no second key for the session
    view = sessions.get_session(w.ctx, account_id=uid, session_id=sid)
    assert [m.content for m in view.messages] == ["sealed first", "then in clear"]
