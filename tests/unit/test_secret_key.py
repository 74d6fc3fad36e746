"""The master secret key (issue 17, items 3 and 5): kept outside the database, 0600."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from consentry.config.secret_key import derive_key, key_file_path, load_secret_key
from consentry.config.settings import Settings
from consentry.domain.errors import InvalidInput


def test_key_file_created_once_beside_the_sqlite_database_with_0600(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'data.db'}")
    first = load_secret_key(settings)
    path = tmp_path / "data.db.key"
    assert key_file_path(settings) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert load_secret_key(settings) == first  # read back, never regenerated
    assert [p.name for p in tmp_path.iterdir()] == ["data.db.key"]  # no temporary left


def test_key_file_is_private_even_under_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        load_secret_key(Settings(secret_key_file=str(tmp_path / "k" / "secret.key")))
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "k" / "secret.key").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o700


def test_concurrent_first_loads_agree_on_one_key(tmp_path: Path) -> None:
    settings = Settings(secret_key_file=str(tmp_path / "race.key"))
    keys: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: keys.append(load_secret_key(settings))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1


def test_environment_key_wins_and_short_keys_are_refused(tmp_path: Path) -> None:
    key = "k" * 40
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", secret_key=key)
    assert load_secret_key(settings) == key.encode()
    assert not (tmp_path / "x.db.key").exists()
    with pytest.raises(InvalidInput, match="32 characters"):
        Settings(secret_key="short")
    (tmp_path / "weak.key").write_text("short\n")
    with pytest.raises(InvalidInput, match="32 characters"):
        load_secret_key(Settings(secret_key_file=str(tmp_path / "weak.key")))


def test_secret_key_stays_out_of_the_settings_repr() -> None:
    assert "k" * 40 not in repr(Settings(secret_key="k" * 40))


def test_derived_keys_are_per_purpose_and_stable() -> None:
    master = b"m" * 32
    a = derive_key(master, "webhook-secrets")
    assert len(a) == 32
    assert a == derive_key(master, "webhook-secrets")
    assert a != derive_key(master, "web-sessions")
    assert a != derive_key(b"n" * 32, "webhook-secrets")
    assert master not in a
