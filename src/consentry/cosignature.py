"""Witness cosignatures in the C2SP ``tlog-cosignature`` v1 format, Ed25519 (issue 21).

A cosignature is a signed-note signature line added to a checkpoint::

    — <witness name> base64(key id ‖ timestamped_signature)

* key id = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte Ed25519 public key)[:4] (0x04, not the
  log's 0x01: the same key cannot be mistaken for a plain note signer);
* timestamped_signature = timestamp (8 bytes, big-endian, POSIX seconds) ‖ 64-byte
  Ed25519 signature;
* the signed message is ``cosignature/v1\\n`` ‖ ``time <timestamp>\\n`` ‖ the whole
  checkpoint body (origin, size, root and any extension lines, each ending in a newline;
  no signature lines).

It states that, at that time, this was the largest consistent tree the witness had seen
for that origin. Before this format, consentry's witness signed an ordinary note line
(key id with 0x01, over the checkpoint body alone, no time); :func:`verify_cosignature`
still reads such lines, reporting no time, so notes cosigned then stay checkable.

Like :mod:`consentry.verify`, this module needs only the standard library and
``cryptography``. Spec: https://c2sp.org/tlog-cosignature (docs/ledger.md §6).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from consentry.verify import (
    EM_DASH,
    VerificationError,
    key_id,
    parse_note,
    raw_public_key,
)

COSIGNATURE_ALG = b"\x04"
HEADER = "cosignature/v1\n"
MAX_TIMESTAMP = 2**63 - 1


def cosigner_key_id(name: str, key: Ed25519PublicKey) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + COSIGNATURE_ALG + raw_public_key(key)).digest()[
        :4
    ]


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What the witness signs: the header line, the time line and the checkpoint body."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise VerificationError(f"cosignature time {timestamp} is out of range")
    return f"{HEADER}time {timestamp}\n{text}".encode()


def cosignature_line(text: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """One v1 cosignature line by `name` over checkpoint body `text`, made at `timestamp`."""
    signature = key.sign(cosigned_message(text, timestamp))
    blob = cosigner_key_id(name, key.public_key()) + struct.pack(">Q", timestamp) + signature
    return f"{EM_DASH} {name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True, slots=True)
class Cosignature:
    name: str
    timestamp: int | None
    """POSIX seconds; None for a line in the older, untimed format."""


def verify_cosignature(note: str, name: str, key: Ed25519PublicKey) -> Cosignature:
    """The cosignature by `name` with `key` on the checkpoint `note`, once it verifies;
    :class:`VerificationError` when there is none or it does not verify."""
    text, signatures = parse_note(note)
    v1_id, legacy_id = cosigner_key_id(name, key), key_id(name, key)
    for sig in (s for s in signatures if s.name == name):
        if sig.key_id == v1_id:
            if len(sig.signature) != 8 + 64:
                raise VerificationError(f"the cosignature of {name} is not 8 + 64 bytes")
            (timestamp,) = struct.unpack(">Q", sig.signature[:8])
            try:
                key.verify(sig.signature[8:], cosigned_message(text, timestamp))
            except InvalidSignature:
                raise VerificationError(f"the cosignature of {name} does not verify") from None
            return Cosignature(name, timestamp)
        if sig.key_id == legacy_id:
            try:
                key.verify(sig.signature, text.encode())
            except InvalidSignature:
                raise VerificationError(f"the cosignature of {name} does not verify") from None
            return Cosignature(name, None)
    raise VerificationError(f"the note carries no cosignature by {name} with this key")
