"""Issue 26: purged means purged everywhere, through the service on SQLite and PostgreSQL.

R14/R15/R17: a purge destroys the data key, so no copy of the database taken before it
(backup, replica, dump) yields the content; R16: holds keep the key until release.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from consentry.adapters.crypto.content import open_text, row_context
from consentry.adapters.crypto.kek_file import KeyRingFile
from consentry.adapters.crypto.places import KeyPlaces
from consentry.adapters.crypto.store import PURGED_TEXT
from consentry.adapters.crypto.vault import SqlKeyVault
from consentry.adapters.sql.backup import backup_sqlite, restore_sqlite, unpurged
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.policy import Policy
from consentry.service import accounts, ledger, retention, sessions
from consentry.service.keys import KeyUnavailable, session_key_scope
from tests.integration.service.conftest import World


@pytest.fixture
def shred_app(
    database_url: str,
    clock: TestClock,
    policy: Policy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[App]:
    monkeypatch.setenv("CONSENTRY_CRYPTO_SHREDDING", "1")
    monkeypatch.setenv("CONSENTRY_KEK_FILE", str(tmp_path / "ops" / "app.kek"))
    monkeypatch.setenv("CONSENTRY_KEY_VAULT_URL", f"sqlite:///{tmp_path / 'ops' / 'keys.sqlite'}")
    monkeypatch.setenv("CONSENTRY_PURGE_LOG", str(tmp_path / "ops" / "purges.jsonl"))
    settings = Settings(database_url=database_url, secret_key_file=str(tmp_path / "ops" / "k"))
    built = build(settings, migrate=False, clock=clock, policy=policy)
    yield built
    built.engine.dispose()


@pytest.fixture
def sw(shred_app: App, clock: TestClock) -> World:
    return World(shred_app, clock)


def _stored(app: App, session_id: str) -> list[tuple[str, str]]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, content FROM messages WHERE session_id = :s ORDER BY id"),
            {"s": session_id},
        )
        return [(r[0], r[1]) for r in rows]


def _scope(app: App, session_id: str) -> str:
    """The session's key scope as its database says (``sessions.key_id``: the pool key its
    first message claimed, issue 26); every new session here has one."""
    with app.engine.connect() as conn:
        key_id = conn.execute(
            text("SELECT key_id FROM sessions WHERE id = :s"), {"s": session_id}
        ).scalar()
    assert key_id, "a new session's first message claims a pool key"
    return session_key_scope(session_id, key_id)


def _operator_reads(url: str, places: KeyPlaces, session_id: str) -> list[str]:
    """Everything an operator holds: the database copy, the KEK ring, the vault. Opens
    whatever it can; raises KeyUnavailable where a key is gone. The key's scope is the
    copy's own ``sessions.key_id`` (a pool key) or, NULL, ``session:<id>``."""
    vault = SqlKeyVault.open(places.vault_url, KeyRingFile(places.kek_file))
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            key_id = conn.execute(
                text("SELECT key_id FROM sessions WHERE id = :s"), {"s": session_id}
            ).scalar()
            key = vault.data_key(session_key_scope(session_id, key_id), create=False)
            rows = conn.execute(
                text("SELECT id, content FROM messages WHERE session_id = :s"), {"s": session_id}
            ).all()
    finally:
        engine.dispose()
        vault.engine.dispose()
    return [open_text(key, c, context=row_context("messages", i, session_id)) for i, c in rows]


def test_messages_and_comments_are_stored_encrypted_and_read_plain_R17(sw: World) -> None:
    uid = sw.user(training="on")
    sid = sw.chat(uid, "my bank PIN is 4321")
    view = sessions.get_session(sw.ctx, account_id=uid, session_id=sid)
    assert [m.content for m in view.messages] == ["my bank PIN is 4321"]
    stored = _stored(sw.app, sid)
    assert stored and all(c.startswith("enc:v1:") and "4321" not in c for _, c in stored)
    mid = sw.say(uid, sid, "Use a fresh PIN.", role="assistant")
    sessions.give_feedback(
        sw.ctx, account_id=uid, session_id=sid, message_id=mid, rating="up", comment="PIN ok"
    )
    with sw.app.engine.connect() as conn:
        comment = conn.execute(text("SELECT comment FROM feedback")).scalar_one()
    assert comment.startswith("enc:v1:") and "PIN" not in comment


def test_a_sealed_message_keeps_every_other_field_of_its_record_R17(sw: World) -> None:
    """The crypto store hands the SQL store the record and its sealed text apart (it
    does not rebuild the record): every field but the text is stored as the record says,
    and the text opens back to the record's."""
    from dataclasses import fields

    from consentry.domain.types import Author, Role
    from consentry.service.records import MessageRecord

    assert [f.name for f in fields(MessageRecord)] == [
        "id", "session_id", "role", "content", "at", "covered", "author"
    ]  # fmt: skip
    uid = sw.user(training="on")
    sid = sw.chat(uid, "first")
    for covered, author in ((True, Author.SERVICE), (False, Author.ACCOUNT)):
        m = MessageRecord(
            f"msg_{author.value}", sid, Role.ASSISTANT, "kept", sw.clock.now(), covered, author
        )
        with sw.ctx.uow() as uow:
            uow.store.insert_message(m)
            uow.commit()
        with sw.ctx.uow() as uow:
            assert uow.store.get_message(m.id) == m
        assert dict(_stored(sw.app, sid))[m.id].startswith("enc:v1:")


def test_ciphertext_moved_to_another_row_does_not_open_R17(sw: World) -> None:
    uid = sw.user(training="on")
    sid = sw.chat(uid, "first")
    sw.say(uid, sid, "second")
    (_, ca), (b, _) = _stored(sw.app, sid)
    with sw.app.engine.begin() as conn:
        conn.execute(text("UPDATE messages SET content = :c WHERE id = :i"), {"c": ca, "i": b})
    texts = [
        m.content for m in sessions.get_session(sw.ctx, account_id=uid, session_id=sid).messages
    ]
    assert "first" in texts and texts.count("first") == 1 and PURGED_TEXT in texts


def test_sweep_destroys_the_key_and_logs_the_purge_R14_R17(sw: World) -> None:
    uid = sw.user(training="off")
    sid = sw.chat(uid, "delete me")
    places = KeyPlaces.from_settings(sw.app.settings)
    assert sw.ctx.shredder is not None
    scope = _scope(sw.app, sid)
    assert sw.ctx.shredder.keys.data_key(scope, create=False) is not None
    sessions.delete_session(sw.ctx, account_id=uid, session_id=sid)
    sw.advance(days=31)
    retention.sweep_expired(sw.ctx)
    assert sw.ctx.shredder.keys.data_key(scope, create=False) is None
    logged = [e for e in places.open_purge_log().entries() if sid in e.ids]
    assert logged and logged[0].kind == "sessions" and logged[0].keys_destroyed
    assert scope in logged[0].scopes  # the log names the pool key it destroyed
    with sw.app.engine.connect() as conn:
        marks = (
            conn.execute(
                text(
                    "SELECT key_destroyed FROM tombstones"
                    " WHERE item_type = 'session' AND item_id = :s"
                ),
                {"s": sid},
            )
            .scalars()
            .all()
        )
    assert [bool(m) for m in marks] == [True]  # the tombstone records it


def test_a_held_session_keeps_its_key_until_release_R16(sw: World) -> None:
    uid = sw.user(training="off")
    sid = sw.chat(uid, "evidence")
    hold = retention.place_hold(sw.ctx, session_id=sid, kind="legal")
    sessions.delete_session(sw.ctx, account_id=uid, session_id=sid)
    sw.advance(days=40)
    retention.sweep_expired(sw.ctx)
    assert sw.ctx.shredder is not None
    assert sw.ctx.shredder.keys.data_key(_scope(sw.app, sid), create=False) is not None
    retention.release_hold(sw.ctx, hold_id=hold.id)
    retention.sweep_expired(sw.ctx)
    assert sw.ctx.shredder.keys.data_key(_scope(sw.app, sid), create=False) is None


def test_account_deletion_destroys_every_session_key_R15(sw: World) -> None:
    uid = sw.user(training="on")
    sids = [sw.chat(uid, f"chat {i}") for i in range(3)]
    accounts.delete_account(sw.ctx, account_id=uid)
    sw.advance(days=31)
    retention.sweep_expired(sw.ctx)
    assert sw.ctx.shredder is not None
    scopes = [_scope(sw.app, s) for s in sids]
    assert len(set(scopes)) == 3 and sw.ctx.shredder.keys.data_keys(scopes) == {}


def _copy_database(url: str, out: Path) -> str:
    """A copy an operator might keep: `db backup` on SQLite, pg_dump on PostgreSQL."""
    if url.startswith("sqlite"):
        backup_sqlite(url, out)
        return f"sqlite:///{out}"
    u = make_url(url)
    dump = subprocess.run(
        ["pg_dump", "--format=custom", "-h", u.host or "127.0.0.1", "-p", str(u.port or 5432),
         "-U", u.username or "postgres", "-f", str(out), u.database or "test"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert dump.returncode == 0, dump.stderr
    return url


def _restore_database(url: str, copy: Path) -> None:
    if url.startswith("sqlite"):
        restore_sqlite(url, copy)
        return
    u = make_url(url)
    done = subprocess.run(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", "-h", u.host or "127.0.0.1",
         "-p", str(u.port or 5432), "-U", u.username or "postgres", "-d", u.database or "test",
         str(copy)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_restore_drill_nothing_purged_after_the_backup_can_be_read_R17(
    sw: World, tmp_path: Path
) -> None:
    """Issue 26 'done when': back up, keep writing and purging, restore the old backup;
    the purged content is unreadable from the backup with the KEK ring and the vault,
    the restore replays the purge log, the ledger verifies and the kept content reads."""
    uid = sw.user(training="on")  # kept five years (R12): only the deleted chat is purged
    keep = sw.chat(uid, "kept words")
    doomed = sw.chat(uid, "purged words")
    places = KeyPlaces.from_settings(sw.app.settings)
    url = sw.app.settings.database_url
    copy = tmp_path / "before.backup"
    _copy_database(url, copy)
    # after the backup: more writing, and a purge
    later = sw.chat(uid, "written after the backup")
    sessions.delete_session(sw.ctx, account_id=uid, session_id=doomed)
    sw.advance(days=31)  # the default deleted_grace is 30 days (R14)
    retention.sweep_expired(sw.ctx)
    # the copy taken before the purge, read with everything the operator holds
    if url.startswith("sqlite"):
        copy_url = f"sqlite:///{copy}"
        with pytest.raises(KeyUnavailable):
            _operator_reads(copy_url, places, doomed)
        raw = copy.read_bytes()
        assert b"purged words" not in raw and b"kept words" not in raw  # ciphertext only
        assert _operator_reads(copy_url, places, keep) == ["kept words"]
    sw.app.engine.dispose()
    _restore_database(url, copy)
    with pytest.raises(KeyUnavailable):
        _operator_reads(url, places, doomed)  # the restored database, before the replay
    pending = [
        (e.kind, unpurged(sw.app.engine, e.kind, e.ids)) for e in places.open_purge_log().entries()
    ]
    assert ("sessions", [doomed]) in pending
    result = retention.reapply_purges(sw.ctx, pending)
    assert result.purged.sessions == 1 and result.purged.messages == 1
    assert _operator_reads(url, places, doomed) == []  # tombstoned again in the restored DB
    assert [
        m.content for m in sessions.get_session(sw.ctx, account_id=uid, session_id=keep).messages
    ] == ["kept words"]
    assert ledger.verify_ledger(sw.ctx).ok
    # what was written after the backup is lost with the restore (its key is an orphan)
    assert later not in {s.id for s in sessions.list_sessions(sw.ctx, account_id=uid)}


def test_run_export_is_sealed_under_the_run_key_audited_then_shredded_R25_R26(
    sw: World, tmp_path: Path
) -> None:
    """The set-based reads (export pages, first messages) are opened in Python after the
    query; the export's shards are sealed under the run's key (issue 26): no text in the
    files, the plain text inside once opened, the audit re-proves them while the key
    exists and reports run_key_destroyed once `keys collect` ended the run's retention."""
    from consentry.adapters.crypto.collect import collect_orphan_keys
    from consentry.export.manifest import read_manifest
    from consentry.export.sealed import open_shard
    from consentry.service import runs
    from consentry.service.export_audit import audit_export
    from consentry.service.keys import run_scope
    from consentry.service.training_export import export_run

    uid = sw.user(training="on")
    sid = sw.chat(uid, "how do I reverse a list")
    mid = sw.say(uid, sid, "use reversed(xs)", role="assistant")
    sessions.give_feedback(
        sw.ctx, account_id=uid, session_id=sid, message_id=mid, rating="up", comment="clear"
    )
    sw.advance(days=1)
    run = runs.create_run(sw.ctx, purpose="model_training")
    result = export_run(sw.ctx, run_id=run.id, out_dir=str(tmp_path / "out"), fmt="jsonl")
    root = Path(result.directory)
    manifest = read_manifest(root)
    assert manifest["encryption"]["key"] == run_scope(run.id)
    shards = {p.name: p.read_bytes() for p in root.glob("*.jsonl")}
    assert len(shards) == 2 and not any(b"reverse" in b or b"clear" in b for b in shards.values())
    assert sw.ctx.shredder is not None
    key = sw.ctx.shredder.keys.data_key(run_scope(run.id), create=False)
    assert key is not None
    exported = "".join(open_shard(key, run.id, n, b).decode() for n, b in shards.items())
    assert "how do I reverse a list" in exported and "use reversed(xs)" in exported
    assert "clear" in exported and "enc:v1:" not in exported
    with pytest.raises(ValueError):  # bound to its name: a shard renamed does not open
        open_shard(key, run.id, "messages-00009.jsonl", shards["messages-00000.jsonl"])
    assert audit_export(sw.ctx, run_id=run.id, directory=result.directory).ok
    with sw.ctx.uow(read_only=True) as uow:
        first = uow.runs.first_user_messages([sid], chars=6, account_id=uid)
    assert first == {sid: "how do"}

    vault = sw.ctx.shredder.keys  # the service's own vault: destroying evicts its cache
    assert isinstance(vault, SqlKeyVault)
    log = KeyPlaces.from_settings(sw.app.settings).open_purge_log()
    created = run.created_at.timestamp()
    kept = collect_orphan_keys(
        sw.app.engine, vault, log, run_key_days=2, now=lambda: created + 86_400
    )
    assert kept.run_keys_expired == 0 and kept.destroyed == 0
    ended = collect_orphan_keys(
        sw.app.engine, vault, log, run_key_days=2, now=lambda: created + 2 * 86_400
    )
    assert ended.run_keys_expired == 1 and ended.destroyed == 0
    report = audit_export(sw.ctx, run_id=run.id, directory=result.directory)
    assert [f.problem for f in report.findings] == ["run_key_destroyed"] and not report.ok


def test_lake_files_carry_ciphertext_that_a_purge_makes_unreadable_R17(
    sw: World, tmp_path: Path
) -> None:
    """Issue 26 item 3 (the lake half): the lake export copies rows as stored, so every
    Delta version holds ciphertext; read with delta-rs (an outside reader), a version
    written before the purge still has the row, and nothing the operator holds opens it."""
    from datetime import timedelta

    from deltalake import DeltaTable

    from consentry.adapters.crypto.kek_file import KeyRingFile as Ring
    from consentry.lake.export import LakeExporter

    uid = sw.user(training="off")
    sid = sw.chat(uid, "lake words")
    lake = tmp_path / "lake"
    sw.advance(days=1)
    LakeExporter(sw.app.engine, str(lake)).export(now=sw.clock.now())
    before = DeltaTable(str(lake / "messages")).to_pyarrow_table().to_pylist()
    mine = [r for r in before if r["session_id"] == sid]
    assert mine and all(r["content"].startswith("enc:v1:") for r in mine)
    assert not any("lake words" in r["content"] for r in before)
    sessions.delete_session(sw.ctx, account_id=uid, session_id=sid)
    sw.clock.set(sw.clock.now() + timedelta(days=31))
    retention.sweep_expired(sw.ctx)
    places = KeyPlaces.from_settings(sw.app.settings)
    vault = SqlKeyVault.open(places.vault_url, Ring(places.kek_file))
    try:
        key = vault.data_key(_scope(sw.app, sid), create=False)
    finally:
        vault.engine.dispose()
    assert key is None
    with pytest.raises(KeyUnavailable):
        open_text(key, mine[0]["content"], context=row_context("messages", mine[0]["id"], sid))
