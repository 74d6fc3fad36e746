"""The service's secret key: one master key kept outside the database, sub-keys per purpose.

Where the master key comes from, first match wins:

1. ``CONSENTRY_SECRET_KEY`` (:attr:`Settings.secret_key`): at least 32 characters;
2. ``CONSENTRY_SECRET_KEY_FILE`` (:attr:`Settings.secret_key_file`): a file holding the key;
   created (0600) with a fresh random key when it does not exist yet;
3. otherwise a key file next to the SQLite database (``<database file>.key``), or
   ``consentry.key`` in the working directory for PostgreSQL and in-memory SQLite, also
   created once with a fresh random key and 0600 permissions.

Nothing is ever derived from another secret (the admin token, a password): the database
alone, or the admin token alone, reveals nothing that the key protects. Every use gets a
sub-key of its own through HKDF (:func:`derive_key`), so a key leaked from one purpose
(say, cookie signing) does not open another (webhook secrets at rest).

Several processes on one machine share the generated file; processes on several machines
(PostgreSQL deployments) must be given the same key through 1 or 2.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import stat
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import make_url

from consentry.config.settings import Settings
from consentry.domain.errors import InvalidInput

log = logging.getLogger(__name__)

MIN_KEY_CHARS = 32
KEY_FILE_SUFFIX = ".key"
DEFAULT_KEY_FILE = "consentry.key"


def load_secret_key(settings: Settings) -> bytes:
    """The master key's bytes, from the environment or the key file (created once)."""
    if settings.secret_key is not None:
        return _checked(settings.secret_key, "CONSENTRY_SECRET_KEY")
    path = key_file_path(settings)
    if not path.exists():
        _create_key_file(path)
    return _read_key_file(path)


def key_file_path(settings: Settings) -> Path:
    """Where the key file is (or will be): configured, beside the SQLite file, or cwd."""
    if settings.secret_key_file is not None:
        return Path(settings.secret_key_file)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database)
        return database.with_name(database.name + KEY_FILE_SUFFIX)
    return Path(DEFAULT_KEY_FILE)


def derive_key(master: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose (``"webhook-secrets"``, ``"web-sessions"``…).

    HKDF-SHA256 with the purpose as its info: keys for two purposes are independent, and
    the same master and purpose always give the same key.
    """
    if not purpose:
        raise ValueError("a derived key needs a purpose")
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"consentry/" + purpose.encode("utf-8"),
    )
    return hkdf.derive(master)


def _checked(raw: str, source: str) -> bytes:
    key = raw.strip()
    if len(key) < MIN_KEY_CHARS:
        raise InvalidInput(f"the secret key ({source}) needs {MIN_KEY_CHARS} characters or more")
    return key.encode("utf-8")


def _create_key_file(path: Path) -> None:
    """Write a fresh random key, 0600, without ever exposing a partial or shared file.

    The key goes to a private temporary file first, then is hard-linked into place: the
    link fails if another process created the key meanwhile, and that key is kept.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return
        log.warning("created the secret key file %s (0600); back it up with the database", path)
    finally:
        temporary.unlink(missing_ok=True)


def _read_key_file(path: Path) -> bytes:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning(
            "the secret key file %s is readable by other users (mode %o); chmod 600 it",
            path,
            mode,
        )
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read the secret key file {path}: {error}") from None
    return _checked(raw, str(path))
