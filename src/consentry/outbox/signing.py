"""Webhook signatures: HMAC-SHA256 over ``f"{timestamp}.{body}"`` with the endpoint secret.

The header is ``Consentry-Signature: t=<unix seconds>,v1=<hex digest>``. A receiver
recomputes the digest over the timestamp and the raw body it received, compares in
constant time, and refuses timestamps outside a tolerance (replay protection). Several
``v1=`` values may appear while a secret rotates; any one matching is enough.

Every delivery is also signed as the Standard Webhooks specification says
(https://www.standardwebhooks.com), so receivers can verify with a library they already
use (``standardwebhooks``, Svix clients, ...):

* ``webhook-id``: the event id (the same as ``Consentry-Event-Id``; de-duplicate by it);
* ``webhook-timestamp``: unix seconds, the same ``t`` as ``Consentry-Signature``;
* ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, one
  space-separated entry per live secret (two while a rotation's old secret is live).

**Which key.** Both schemes use the same key: the UTF-8 bytes of the endpoint's secret,
exactly as ``Consentry-Signature`` always did. A Standard Webhooks library takes the key
in the ``whsec_<base64>`` form, so the secret a receiver configures there is
:func:`standard_secret` of the one it holds: ``"whsec_" + base64(secret.encode())``. The
admin API shows it beside ``secret`` when an endpoint is registered or its secret rotated;
a receiver of an endpoint registered before computes it from the secret it has (one line,
docs/events.md). Nothing changes for receivers that check ``Consentry-Signature``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SIGNATURE_HEADER = "Consentry-Signature"
EVENT_ID_HEADER = "Consentry-Event-Id"
DEFAULT_TOLERANCE_S = 300
STANDARD_ID_HEADER = "webhook-id"
STANDARD_TIMESTAMP_HEADER = "webhook-timestamp"
STANDARD_SIGNATURE_HEADER = "webhook-signature"
STANDARD_SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def generate_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: str) -> str:
    message = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str | Sequence[str], timestamp: int, body: str) -> str:
    """``t=<timestamp>,v1=<hex>``, with one ``v1=`` per secret when given several."""
    keys = [secret] if isinstance(secret, str) else list(secret)
    return ",".join([f"t={timestamp}", *(f"v1={signature(k, timestamp, body)}" for k in keys)])


def standard_secret(secret: str) -> str:
    """The secret in the Standard Webhooks ``whsec_<base64>`` form: same key bytes."""
    return STANDARD_SECRET_PREFIX + base64.b64encode(secret.encode()).decode("ascii")


def standard_signature(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """One ``v1,<base64>`` entry of ``webhook-signature``."""
    message = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(
    secrets_: Sequence[str], *, msg_id: str, timestamp: int, body: str
) -> dict[str, str]:
    """Both signatures of one delivery, each with one entry per live secret."""
    if not secrets_:
        raise ValueError("at least one secret signs a delivery")
    standard = " ".join(standard_signature(k, msg_id, timestamp, body) for k in secrets_)
    return {
        SIGNATURE_HEADER: signature_header(secrets_, timestamp, body),
        STANDARD_ID_HEADER: msg_id,
        STANDARD_TIMESTAMP_HEADER: str(timestamp),
        STANDARD_SIGNATURE_HEADER: standard,
    }


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
