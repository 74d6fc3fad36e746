"""Training-export shards encrypted under the run's key (issue 26, crypto-shredding).

With ``CONSENTRY_CRYPTO_SHREDDING=1`` a run's export is written through a
:class:`SealingSink`: each shard is one AES-256-GCM message under the run's data key
(scope ``run:<run id>`` in the key vault, wrapped by the KEK), with
``consentry/export:<run id>:<shard name>`` as associated data, so a shard renamed or
moved to another run does not open. A stored shard is ``CSX1`` + 12-byte nonce +
ciphertext + tag. Destroying the run key (``consentry keys collect`` once the run's
export retention ends, docs/retention.md) makes every copy of the shards unreadable.

``manifest.json`` stays in clear: it holds ids, counts, digests and the filter profile,
no text, and it is the completeness mark a reader checks first. Its ``encryption`` entry
names the scheme and the key scope; each shard's ``sha256`` covers the file **as
stored** (the ciphertext), so integrity is checked without the key; its ``rows`` are
the plaintext rows, checked by the audit after decryption.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .manifest import MANIFEST_NAME, count_rows
from .sink import ExportSink, StoredFile

MAGIC = b"CSX1"
_NONCE = 12
SCHEME = "aes-256-gcm/v1"


def run_key_scope(run_id: str) -> str:
    """The vault scope of a run's export key (consentry.service.keys.run_scope)."""
    return f"run:{run_id}"


def encryption_entry(run_id: str) -> dict[str, str]:
    """The manifest's ``encryption`` entry."""
    return {
        "scheme": SCHEME,
        "key": run_key_scope(run_id),
        "sha256_covers": "the stored (encrypted) file",
    }


def _aad(run_id: str, name: str) -> bytes:
    return f"consentry/export:{run_id}:{name}".encode()


def seal_shard(key: bytes, run_id: str, name: str, plain: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plain, _aad(run_id, name))


def open_shard(key: bytes, run_id: str, name: str, stored: bytes) -> bytes:
    """The plain shard; ValueError when it is not a sealed shard of this run and name."""
    if not stored.startswith(MAGIC):
        raise ValueError(f"{name}: not an encrypted shard")
    body = stored[len(MAGIC) :]
    try:
        return AESGCM(key).decrypt(body[:_NONCE], body[_NONCE:], _aad(run_id, name))
    except InvalidTag:
        raise ValueError(f"{name}: does not open under the run key") from None


class SealingSink:
    """An :class:`ExportSink` that encrypts every shard before the inner sink stores it
    (a shard is sealed whole, in memory: one shard of ``shard_rows`` at a time)."""

    def __init__(self, inner: ExportSink, key: bytes, run_id: str) -> None:
        self._inner = inner
        self._key = key
        self.run_id = run_id
        self.location = inner.location
        self.encryption = encryption_entry(run_id)

    def __enter__(self) -> SealingSink:
        self._inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)

    def begin(self) -> None:
        self._inner.begin()

    def seal(self) -> None:
        self._inner.seal()

    def put(self, name: str, write: Callable[[BinaryIO], int]) -> StoredFile:
        if name == MANIFEST_NAME:
            return self._inner.put(name, write)
        buffer = io.BytesIO()
        rows = write(buffer)
        sealed = seal_shard(self._key, self.run_id, name, buffer.getvalue())

        def store(stream: BinaryIO) -> int:
            stream.write(sealed)
            return rows

        return self._inner.put(name, store)


@contextlib.contextmanager
def opened_shards(
    root: Path, manifest: dict[str, Any], key: bytes, *, parent: Path | None = None
) -> Iterator[tuple[Path, list[str]]]:
    """The manifest's shards decrypted into a private temporary directory (0700, in
    ``parent`` or the system's temporary folder; removed on exit unless the caller moved
    it), and the problems found opening them (a shard that does not open, or whose plain
    rows differ from the manifest's)."""
    run_id = str(manifest["run_id"])
    problems: list[str] = []
    plain = Path(tempfile.mkdtemp(prefix="consentry-opened-", dir=parent))
    try:
        for entry in manifest["shards"]:
            name = str(entry["path"])
            try:
                data = open_shard(key, run_id, name, (root / name).read_bytes())
            except (OSError, ValueError) as error:
                problems.append(str(error))
                continue
            target = plain / name
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as stream:
                stream.write(data)
            rows = count_rows(target, str(manifest["format"]))
            if rows != entry.get("rows"):
                problems.append(f"{name}: {rows} rows != manifest {entry.get('rows')}")
        yield plain, problems
    finally:
        shutil.rmtree(plain, ignore_errors=True)
