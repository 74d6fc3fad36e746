"""The file KMS: key-encryption keys (KEKs) in a 0600 key-ring file outside the database.

Decision (issue 26): the KEK is *separate* from the service's secret key
(:mod:`consentry.config.secret_key`), not derived from it. The two rotate for different
reasons: rotating the KEK re-wraps data keys only (``consentry keys rotate-kek``), while
the secret key also seals webhook secrets and signs cookies. They sit beside each other
and share the same creation rules (0600, created once, never a partial file).

The ring holds one key per line, ``<key id> <base64 of 32 bytes>``; the last line is the
current key, earlier lines are kept only while a rotation still has data keys wrapped
under them. Wrapping is AES-256-GCM with the scope as associated data.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from consentry.domain.errors import InvalidInput
from consentry.service.keys import KeyUnavailable

_NONCE = 12


class KeyRingFile:
    """A :class:`~consentry.service.keys.KeyEncryptionKey` backed by a key-ring file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            _write_ring(path, [(_new_id(), secrets.token_bytes(32))], create=True)
        self._load()

    def _load(self) -> None:
        self._keys = _read_ring(self.path)
        self._aeads = {kid: AESGCM(key) for kid, key in self._keys}

    @property
    def current_id(self) -> str:
        return self._keys[-1][0]

    def held_ids(self) -> frozenset[str]:
        return frozenset(self._aeads)

    def wrap(self, data_key: bytes, *, context: str) -> tuple[str, bytes]:
        kid = self.current_id
        nonce = os.urandom(_NONCE)
        return kid, nonce + self._aeads[kid].encrypt(nonce, data_key, _aad(kid, context))

    def unwrap(self, key_id: str, wrapped: bytes, *, context: str) -> bytes:
        aead = self._aeads.get(key_id)
        if aead is None:
            raise KeyUnavailable(f"the key ring {self.path} no longer holds KEK {key_id}")
        try:
            return aead.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], _aad(key_id, context))
        except InvalidTag:
            raise KeyUnavailable(f"the data key of {context} does not unwrap") from None

    def add_key(self) -> str:
        """Start a rotation: append a fresh KEK, which becomes current. Returns its id."""
        kid = _new_id()
        _write_ring(self.path, [*self._keys, (kid, secrets.token_bytes(32))], create=False)
        self._load()
        return kid

    def retire_old_keys(self) -> list[str]:
        """End a rotation: drop every KEK but the current one (call once nothing uses them)."""
        old = [kid for kid, _ in self._keys[:-1]]
        if old:
            _write_ring(self.path, self._keys[-1:], create=False)
            self._load()
        return old


def _aad(key_id: str, context: str) -> bytes:
    return f"consentry/dek:{key_id}:{context}".encode()


def _new_id() -> str:
    return "kek-" + secrets.token_hex(6)


def _read_ring(path: Path) -> list[tuple[str, bytes]]:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise InvalidInput(
            f"the key ring {path} is readable by other users (mode {mode:o}): chmod 600"
        )
    keys: list[tuple[str, bytes]] = []
    for number, line in enumerate(path.read_text(encoding="ascii").splitlines(), 1):
        if not line.strip():
            continue
        try:
            kid, raw = line.split()
            key = base64.urlsafe_b64decode(raw)
        except (ValueError, binascii.Error):
            raise InvalidInput(f"the key ring {path} line {number} is not '<id> <key>'") from None
        if len(key) != 32:
            raise InvalidInput(f"the key ring {path} line {number} is not a 32-byte key")
        keys.append((kid, key))
    if not keys:
        raise InvalidInput(f"the key ring {path} holds no key")
    return keys


def _write_ring(path: Path, keys: list[tuple[str, bytes]], *, create: bool) -> None:
    """Write the ring to a private temporary file, fsync, then move it into place; on
    creation a hard link refuses to replace a ring another process made meanwhile."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = "".join(f"{kid} {base64.urlsafe_b64encode(key).decode()}\n" for kid, key in keys)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if create:
            try:
                os.link(temporary, path)
            except FileExistsError:
                return
        else:
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
