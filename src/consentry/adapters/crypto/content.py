"""Content encrypted at rest under data keys: AES-256-GCM bound to its row (issue 26).

A stored value reads ``enc:v1:<base64 of nonce | ciphertext | tag>``. The associated data
is ``<table>:<row id>:<session id>``, so a ciphertext copied to another row, or to the
same row id of another session, does not open. Values without the prefix were stored in
clear before encryption was turned on (``consentry keys encrypt-existing`` seals them);
they stay readable as they are.
"""

from __future__ import annotations

import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from consentry.service.keys import KeyUnavailable

PREFIX = "enc:v1:"
NONCE = 12
"""Bytes of the random nonce that opens every sealed value."""


def row_context(table: str, row_id: str, session_id: str) -> bytes:
    """What a ciphertext is bound to: its table, its row and its session."""
    return f"{table}:{row_id}:{session_id}".encode()


def is_encrypted(stored: str | None) -> bool:
    return stored is not None and stored.startswith(PREFIX)


def seal_text(key: bytes, text: str, *, context: bytes) -> str:
    """One AEAD call: a fresh 96-bit nonce per value (random; 2^32 values per key is far
    beyond any session's messages)."""
    return seal_with(AESGCM(key), text, context=context)


def seal_with(aead: AESGCM, text: str, *, context: bytes) -> str:
    """:func:`seal_text` with the key's AEAD object already made: the vault keeps one per
    cached key (:meth:`~consentry.adapters.crypto.vault.SqlKeyVault.aead`), so a message
    does not construct one (an OpenSSL cipher fetch by name each time)."""
    nonce = os.urandom(NONCE)
    sealed = aead.encrypt(nonce, text.encode("utf-8"), context)
    # binascii directly: base64.b64encode is a Python frame around the same call, and
    # measured in an append (cold caches) the encoding cost 3 us (issue 26)
    return PREFIX + binascii.b2a_base64(nonce + sealed, newline=False).decode("ascii")


def open_text(key: bytes | None, stored: str, *, context: bytes) -> str:
    """The plain text of a stored value; a value in clear is returned as it is.

    Raises :class:`KeyUnavailable` when the key is gone (destroyed by a purge) or the
    value does not open under it (another row's ciphertext, or damage).
    """
    if not stored.startswith(PREFIX) or key is None:
        return open_with(None, stored, context=context)
    try:
        aead = AESGCM(key)
    except ValueError:  # not a 128/192/256-bit key: as a value that does not open
        raise KeyUnavailable(f"the stored value of {context.decode()} does not open") from None
    return open_with(aead, stored, context=context)


def open_with(aead: AESGCM | None, stored: str, *, context: bytes) -> str:
    """:func:`open_text` with the key's AEAD object already made (None: the key is gone)."""
    if not stored.startswith(PREFIX):
        return stored
    if aead is None:
        raise KeyUnavailable(f"the data key of {context.decode()} was destroyed")
    try:
        # base64.b64decode(validate=True) is this call behind a Python frame
        raw = binascii.a2b_base64(stored[len(PREFIX) :], strict_mode=True)
        plain = aead.decrypt(raw[:NONCE], raw[NONCE:], context)
    except (InvalidTag, binascii.Error, ValueError):
        raise KeyUnavailable(f"the stored value of {context.decode()} does not open") from None
    return plain.decode("utf-8")
