"""Webhook signatures: HMAC-SHA256 over ``f"{timestamp}.{body}"`` with the endpoint secret.

The header is ``Consentry-Signature: t=<unix seconds>,v1=<hex digest>``. A receiver
recomputes the digest over the timestamp and the raw body it received, compares in
constant time, and refuses timestamps outside a tolerance (replay protection). Several
``v1=`` values may appear while a secret rotates; any one matching is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Consentry-Signature"
EVENT_ID_HEADER = "Consentry-Event-Id"
DEFAULT_TOLERANCE_S = 300


def generate_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: str) -> str:
    message = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: str) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str,
    header: str,
    body: str,
    *,
    now: int,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> bool:
    """True iff `header` signs `body` with `secret` and its timestamp is within tolerance."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) < 19:
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates or abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
