"""Secrets stored in the database, sealed under a key the database does not hold.

Webhook signing secrets and the runs' pseudonym keys (R24) are stored sealed (issue 17
item 5): AES-256-GCM under a sub-key of the master key (:mod:`consentry.config.secret_key`),
with the row they belong to as associated data, so a sealed value copied to another row
does not open. A copy of the database alone reveals neither a webhook secret nor the key
that would reverse a run's exported pseudonyms to account ids.

A stored value reads ``sealed:v1:<base64 of nonce | ciphertext | tag>``. Values without
that prefix were stored in clear before revision 0006, which seals them; they stay
readable as they are.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from consentry.config.secret_key import derive_key, load_secret_key
from consentry.config.settings import Settings
from consentry.domain.errors import ConsentryError

PREFIX = "sealed:v1:"
PURPOSE = "stored-secrets"
_NONCE = 12


class SecretUnreadable(ConsentryError):
    """A sealed value that this key cannot open: another key, or a damaged value (500)."""

    code = "secret_unreadable"


class SecretBox:
    """Seals and opens short secrets for storage; ``context`` names the row they belong to."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("a secret box needs a 32-byte key")
        self._aead = AESGCM(key)

    @classmethod
    def from_master(cls, master: bytes) -> SecretBox:
        return cls(derive_key(master, PURPOSE))

    @classmethod
    def from_settings(cls, settings: Settings) -> SecretBox:
        """The box of this deployment: its master key, created on first use (0600)."""
        return cls.from_master(load_secret_key(settings))

    def seal(self, secret: str, *, context: str) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, secret.encode("utf-8"), context.encode("utf-8"))
        return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, stored: str, *, context: str) -> str:
        if not is_sealed(stored):
            # Written before revision 0006 and not sealed by it (an offline SQL upgrade):
            # readable as it is; migration 0006 seals every such row when run online.
            return stored
        try:
            raw = base64.b64decode(stored[len(PREFIX) :], validate=True)
            plain = self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], context.encode("utf-8"))
        except (InvalidTag, binascii.Error, ValueError):
            raise SecretUnreadable(
                f"the stored secret of {context} does not open with this secret key "
                "(CONSENTRY_SECRET_KEY or its key file): was the key changed or lost?"
            ) from None
        return plain.decode("utf-8")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def run_secret_context(run_id: str) -> str:
    """What a run's pseudonym key is bound to."""
    return f"runs.pseudonym_secret:{run_id}"


def webhook_secret_context(endpoint_id: str) -> str:
    """What a webhook endpoint's signing secret is bound to."""
    return f"webhook_endpoints.secret:{endpoint_id}"


def previous_webhook_secret_context(endpoint_id: str) -> str:
    """What the secret a rotation replaced is bound to, while it still signs (issue 24)."""
    return f"webhook_endpoints.previous_secret:{endpoint_id}"
