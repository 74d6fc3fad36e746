"""Issue 26 building blocks: the key-ring KEK, the data-key vault, row-bound content.

Rules: R17 (a purge leaves nothing readable) through crypto-shredding; R16 (holds keep
keys) is pinned in tests/integration/service/test_crypto_shredding.py.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from consentry.adapters.crypto.content import is_encrypted, open_text, row_context, seal_text
from consentry.adapters.crypto.kek_file import KeyRingFile
from consentry.adapters.crypto.purge_log import PurgeLog
from consentry.adapters.crypto.vault import SqlKeyVault
from consentry.domain.errors import InvalidInput
from consentry.service.keys import KeyUnavailable, PurgeEntry, scopes_of


def test_key_ring_is_created_once_0600_and_wraps_bound_to_scope_R17(tmp_path: Path) -> None:
    ring = KeyRingFile(tmp_path / "app.kek")
    assert stat.S_IMODE((tmp_path / "app.kek").stat().st_mode) == 0o600
    assert KeyRingFile(tmp_path / "app.kek").current_id == ring.current_id  # not recreated
    kid, wrapped = ring.wrap(b"k" * 32, context="session:a")
    assert ring.unwrap(kid, wrapped, context="session:a") == b"k" * 32
    with pytest.raises(KeyUnavailable):
        ring.unwrap(kid, wrapped, context="session:b")  # moved to another scope


def test_key_ring_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.kek"
    KeyRingFile(path)
    path.chmod(0o644)
    with pytest.raises(InvalidInput):
        KeyRingFile(path)


def test_content_is_bound_to_its_row_and_plain_text_passes_R17() -> None:
    key = b"\x01" * 32
    sealed = seal_text(key, "secret words", context=row_context("messages", "m1", "s1"))
    assert is_encrypted(sealed) and "secret" not in sealed
    assert open_text(key, sealed, context=row_context("messages", "m1", "s1")) == "secret words"
    for other in (row_context("messages", "m2", "s1"), row_context("messages", "m1", "s2")):
        with pytest.raises(KeyUnavailable):
            open_text(key, sealed, context=other)  # swapped between rows or sessions
    with pytest.raises(KeyUnavailable):
        open_text(None, sealed, context=row_context("messages", "m1", "s1"))  # key destroyed
    assert open_text(None, "written in clear", context=b"x") == "written in clear"


def test_destroyed_data_key_bytes_leave_the_vault_file_R17(tmp_path: Path) -> None:
    """secure_delete and a truncating checkpoint: a destroyed key's wrapped bytes are left
    neither in the file's free pages nor in the WAL, while the vault is still open."""
    vault_file = tmp_path / "keys.sqlite"
    vault = SqlKeyVault.open(f"sqlite:///{vault_file}", KeyRingFile(tmp_path / "k.kek"))
    scopes = [f"session:s{i}" for i in range(50)]
    for scope in scopes:
        vault.data_key(scope, create=True)
    with vault.engine.connect() as conn:
        wrapped = [bytes(r[0]) for r in conn.exec_driver_sql("SELECT wrapped FROM data_keys")]
    raw = vault_file.read_bytes() + _read(vault_file.with_name("keys.sqlite-wal"))
    assert all(w in raw for w in wrapped)
    assert vault.destroy(scopes[:40]) == 40
    assert vault.destroy(scopes[:40]) == 0  # idempotent
    raw = vault_file.read_bytes() + _read(vault_file.with_name("keys.sqlite-wal"))
    with vault.engine.connect() as conn:
        kept = {bytes(r[0]) for r in conn.exec_driver_sql("SELECT wrapped FROM data_keys")}
    gone = [w for w in wrapped if w not in kept]
    assert len(gone) == 40 and not any(w in raw for w in gone)
    vault.engine.dispose()
    fresh = SqlKeyVault.open(f"sqlite:///{vault_file}", KeyRingFile(tmp_path / "k.kek"))
    assert fresh.data_key("session:s0", create=False) is None
    assert fresh.data_key("session:s45", create=False) is not None


def _read(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def test_kek_rotation_rewraps_without_changing_data_keys_and_resumes(tmp_path: Path) -> None:
    """Issue 26 item 5: re-wrap, a batch per call; content keys (and so content) unchanged."""
    ring = KeyRingFile(tmp_path / "k.kek")
    vault = SqlKeyVault.open(f"sqlite:///{tmp_path / 'v.sqlite'}", ring)
    before = {f"feedback:f{i}": vault.data_key(f"feedback:f{i}", create=True) for i in range(25)}
    old = ring.current_id
    new = ring.add_key()
    assert vault.rewrap(10) == 10  # an interrupted rotation: 15 still under the old KEK
    assert vault.kek_ids_in_use() == {old: 15, new: 10}
    while vault.rewrap(10):
        pass
    assert vault.kek_ids_in_use() == {new: 25}
    assert ring.retire_old_keys() == [old]
    cold = SqlKeyVault.open(f"sqlite:///{tmp_path / 'v.sqlite'}", KeyRingFile(tmp_path / "k.kek"))
    assert cold.data_keys(before) == before


def test_purge_log_round_trip_and_torn_last_line(tmp_path: Path) -> None:
    log = PurgeLog(tmp_path / "p.jsonl")
    scopes = tuple(scopes_of("sessions", ["s1", "s2"], {"s2": "k2"}))
    assert scopes == ("session:s1", "pool:k2", "session:s2")  # a pooled session's key too
    entry = PurgeEntry("2026-01-01T00:00:00+00:00", "swp_1", "sessions", ("s1", "s2"), True)
    pooled = PurgeEntry("2026-01-01T00:00:01+00:00", "swp_1", "sessions", ("s2",), True, scopes)
    log.append(entry)
    log.append(pooled)
    with (tmp_path / "p.jsonl").open("a") as handle:
        handle.write('{"at": "2026')  # a crash mid-append
    assert list(log.entries()) == [entry, pooled]  # the scopes destroyed are recorded


def test_a_key_destroyed_by_another_process_leaves_this_cache_within_the_ttl_R17(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26: a sweep or `keys collect` run from the CLI destroys keys that a running
    service may have cached; the service stops using them within CACHE_TTL_S."""
    from consentry.adapters.crypto import vault as vault_module

    url = f"sqlite:///{tmp_path / 'v.sqlite'}"
    service = SqlKeyVault.open(url, KeyRingFile(tmp_path / "k.kek"))
    sweeper = SqlKeyVault.open(url, KeyRingFile(tmp_path / "k.kek"))
    try:
        assert service.data_key("session:s1", create=True) is not None
        assert sweeper.destroy(["session:s1"]) == 1
        assert service.data_key("session:s1", create=False) is not None  # still cached
        later = vault_module.time.monotonic() + vault_module.CACHE_TTL_S + 1
        monkeypatch.setattr(vault_module.time, "monotonic", lambda: later)
        assert service.data_key("session:s1", create=False) is None
    finally:
        service.engine.dispose()
        sweeper.engine.dispose()


def test_a_vault_from_before_key_ages_gains_the_column_and_keeps_its_keys_R17(
    tmp_path: Path,
) -> None:
    """Issue 26: `keys collect` needs each key's age; a vault written before that column
    existed is upgraded on open, its keys unchanged and of unknown age (NULL)."""
    import sqlite3

    ring = KeyRingFile(tmp_path / "k.kek")
    path = tmp_path / "old.sqlite"
    kek_id, wrapped = ring.wrap(b"k" * 32, context="session:old")
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE data_keys (scope VARCHAR(80) PRIMARY KEY, "
            "kek_id VARCHAR(32) NOT NULL, wrapped BLOB NOT NULL)"
        )
        db.execute("INSERT INTO data_keys VALUES ('session:old', ?, ?)", (kek_id, wrapped))
    db.close()
    vault = SqlKeyVault.open(f"sqlite:///{path}", ring)
    again = SqlKeyVault.open(f"sqlite:///{path}", ring)  # a second open finds the column
    try:
        assert vault.data_key("session:old", create=False) == b"k" * 32
        vault.data_key("session:new", create=True)
        ages = dict(again.scopes_page(None, 10))
        assert ages["session:old"] is None and isinstance(ages["session:new"], int)
    finally:
        vault.engine.dispose()
        again.engine.dispose()


def test_new_data_key_is_committed_before_it_is_returned_R17(tmp_path: Path) -> None:
    """A key must be durable before content sealed under it commits (issue 26): once
    ``data_key(create=True)`` returns, another connection reads the row with its age, and
    a second process asking to create the same scope gets the same key, not a new one."""
    vault_file = tmp_path / "keys.sqlite"
    ring = KeyRingFile(tmp_path / "k.kek")
    vault = SqlKeyVault.open(f"sqlite:///{vault_file}", ring)
    key = vault.data_key("session:s1", create=True)
    assert key is not None and len(key) == 32
    with sqlite3.connect(vault_file) as other:
        rows = other.execute("SELECT scope, kek_id, created_at FROM data_keys").fetchall()
    assert [(r[0], r[1]) for r in rows] == [("session:s1", ring.current_id)]
    assert rows[0][2] is not None and rows[0][2] > 0
    other_process = SqlKeyVault.open(f"sqlite:///{vault_file}", KeyRingFile(tmp_path / "k.kek"))
    assert other_process.data_key("session:s1", create=True) == key  # met the primary key
    assert other_process.data_key("session:s2", create=True) != key
    assert vault.data_keys(["session:s1", "session:s2"]).keys() == {"session:s1", "session:s2"}


def test_an_opened_export_row_keeps_every_other_field_of_its_row_R17() -> None:
    """``opened_rows`` turns a keyed row (the eight fields and the session's key id) into
    an export row: the text opened, every other field kept, the key id dropped."""
    import os
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from consentry.adapters.crypto.content import row_context, seal_text
    from consentry.adapters.crypto.export_pages import opened_rows
    from consentry.service.ports.runs import ExportMessageRow

    names = list(ExportMessageRow._fields)
    assert names == [
        "session_id", "account_id", "kind", "surface", "message_id", "role", "content", "at"
    ]  # fmt: skip
    key = os.urandom(32)
    sealed = seal_text(key, "opened", context=row_context("messages", "msg_1", "ses_1"))
    at = datetime(2026, 1, 2, tzinfo=UTC)
    row = ("ses_1", "acc_1", "chat", "web", "msg_1", "user", sealed, at, "k1")
    (opened,) = opened_rows([row], {"ses_1": AESGCM(key)})
    assert type(opened) is ExportMessageRow
    assert opened == ExportMessageRow(
        "ses_1", "acc_1", "chat", "web", "msg_1", "user", "opened", at
    )
    clear = ("ses_1", "acc_1", "chat", "web", "msg_2", "user", "as is", at, None)
    assert opened_rows([clear], {}) == [ExportMessageRow._make(clear[:8])]


def test_a_sealed_export_text_does_not_open_in_another_row_R17() -> None:
    """The page binds each text to its own row: moved to another message id, or under a
    session whose key is gone, it stops the export with ``KeyUnavailable``."""
    import os
    from datetime import UTC, datetime

    import pytest
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from consentry.adapters.crypto.content import row_context, seal_text
    from consentry.adapters.crypto.export_pages import opened_rows
    from consentry.service.keys import KeyUnavailable

    key = os.urandom(32)
    sealed = seal_text(key, "secret", context=row_context("messages", "msg_1", "ses_1"))
    at = datetime(2026, 1, 2, tzinfo=UTC)
    moved = ("ses_1", "acc_1", "chat", "web", "msg_2", "user", sealed, at, "k1")
    with pytest.raises(KeyUnavailable):
        opened_rows([moved], {"ses_1": AESGCM(key)})
    gone = ("ses_1", "acc_1", "chat", "web", "msg_1", "user", sealed, at, "k1")
    with pytest.raises(KeyUnavailable):
        opened_rows([gone], {"ses_1": None})
