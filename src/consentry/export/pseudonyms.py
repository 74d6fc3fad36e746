"""Keyed pseudonyms for exported identifiers (R24).

``HMAC-SHA256(bytes.fromhex(run.pseudonym_secret), f"{kind}:{real_id}")``, first 32 hex
digits. The same id gets the same pseudonym throughout one run; without the run's
secret, pseudonyms of two runs cannot be linked to each other or to the real id.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

PseudonymKind = Literal["account", "session", "feedback"]
PSEUDONYM_HEX_CHARS = 32


class Pseudonymizer:
    """Maps real ids to a run's pseudonyms; ``key`` also keys the text filter."""

    __slots__ = ("key",)

    def __init__(self, secret_hex: str) -> None:
        key = bytes.fromhex(secret_hex)
        if not key:
            raise ValueError("a run's pseudonym secret must not be empty")
        self.key = key

    def __call__(self, kind: PseudonymKind, real_id: str) -> str:
        message = f"{kind}:{real_id}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_CHARS]
