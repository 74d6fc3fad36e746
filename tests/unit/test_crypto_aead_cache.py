"""Issue 26: the vault keeps one AES-GCM object per cached data key, and it never outlives
the key (R17: a purge leaves nothing readable; destroying a key must take its AEAD object
with it, in this process at once, and within CACHE_TTL_S when another process destroys it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from consentry.adapters.crypto import vault as vault_module
from consentry.adapters.crypto.content import (
    PREFIX,
    open_text,
    open_with,
    row_context,
    seal_text,
    seal_with,
)
from consentry.adapters.crypto.kek_file import KeyRingFile
from consentry.adapters.crypto.vault import SqlKeyVault
from consentry.service.keys import KeyUnavailable


def _vault(tmp_path: Path) -> SqlKeyVault:
    return SqlKeyVault.open(f"sqlite:///{tmp_path / 'v.sqlite'}", KeyRingFile(tmp_path / "k.kek"))


def test_one_aead_per_cached_key_and_it_opens_what_the_key_seals_R17(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    try:
        first = vault.aead("session:s1", create=True)
        assert first is not None
        assert vault.aead("session:s1", create=False) is first  # not made per message
        key = vault.data_key("session:s1", create=False)
        assert key is not None
        ctx = row_context("messages", "m1", "s1")
        # the format and the associated data are those of seal_text / open_text
        assert open_text(key, seal_with(first, "words", context=ctx), context=ctx) == "words"
        assert open_with(first, seal_text(key, "old", context=ctx), context=ctx) == "old"
        assert vault.aead("session:none", create=False) is None
    finally:
        vault.engine.dispose()


def test_destroy_takes_the_aead_object_with_the_key_R17(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    try:
        aead = vault.aead("pool:k1", create=True)
        assert aead is not None
        assert vault.destroy(["pool:k1"]) == 1
        assert vault.aead("pool:k1", create=False) is None
        assert all(e.aead is not aead for e in vault._cache.values())  # nothing holds it
    finally:
        vault.engine.dispose()


def test_an_aead_of_a_key_another_process_destroyed_goes_within_the_ttl_R17(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, sweeper = _vault(tmp_path), _vault(tmp_path)
    try:
        aead = service.aead("session:s1", create=True)
        assert aead is not None
        assert sweeper.destroy(["session:s1"]) == 1
        assert service.aead("session:s1", create=False) is aead  # trusted until the TTL
        later = vault_module.time.monotonic() + vault_module.CACHE_TTL_S + 1
        monkeypatch.setattr(vault_module.time, "monotonic", lambda: later)
        assert service.aead("session:s1", create=False) is None
        assert "session:s1" not in service._cache
    finally:
        service.engine.dispose()
        sweeper.engine.dispose()


def test_open_with_no_aead_or_a_bad_value_is_key_unavailable_R17() -> None:
    ctx = row_context("messages", "m1", "s1")
    with pytest.raises(KeyUnavailable):
        open_with(None, PREFIX + "AAAA", context=ctx)
    assert open_with(None, "in clear", context=ctx) == "in clear"
    with pytest.raises(KeyUnavailable):
        open_text(b"short", PREFIX + "AAAA", context=ctx)  # as before: not a key


def test_the_scope_memo_is_the_vaults_own_and_one_per_key_store(tmp_path: Path) -> None:
    """One memo per key store (issue 26 key pool, R17: a session's key scope is read once
    and kept with that store); the vault carries its own, other stores get one here."""
    from consentry.adapters.crypto.memo import memo_for

    vault = _vault(tmp_path)
    try:
        assert memo_for(vault) is vault.scope_memo
        assert memo_for(vault) is memo_for(vault)

        class OtherStore:
            pass

        other = OtherStore()
        assert memo_for(other) is memo_for(other) is not vault.scope_memo
    finally:
        vault.engine.dispose()
