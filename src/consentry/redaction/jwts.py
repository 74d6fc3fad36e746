"""What a JWT's header is, and JWTs stored base64-encoded whole (SPEC §4: "JWTs").

:func:`jwt_header_ok` is what the JWT detectors of :mod:`.credentials` ask of a token's
first part (the compiled scan parses simple headers itself and asks it of the rest).

A JWT is often stored base64-encoded whole: a Kubernetes secret's ``data:``, a CI
variable, a file written by a script. The encoding starts ``ZXlK`` (base64 of ``eyJ``,
the encoding of ``{"``). :data:`DETECTOR` decodes such a run and keeps it when it holds
a JWT: dot-separated base64url parts whose header names ``alg``, or whose header and
payload both decode to JSON objects (RFC 7515 requires ``alg``; test tokens and
gitleaks' ``jwt-base64`` examples carry only ``x5c``). The finding is the whole run.
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from .detector import PatternDetector, compile_pattern
from .model import JWT

RANK = 10  # credentials.RANK[JWT]
MAX_ENCODED = 65536  # bytes of a base64 run decoded at most (the scan stays linear)

_JSON_SPACE = b" \t\r\n"
_ALG_KEY = re.compile(rb'"alg"[ \t\r\n]*:')  # led by a literal: one pass


def jwt_header_ok(header: bytes) -> bool:
    """True when ``header`` (base64url) decodes to a JSON object naming an ``alg``, or to
    text that is not JSON but reads as one: ``{`` ... ``}`` naming the key ``"alg"``
    (a header edited by hand, as test keys are). Valid JSON is judged as JSON alone,
    so the compiled scan's own parse of simple headers answers the same."""
    text = _b64url(header)
    if text is None:
        return False
    try:
        decoded = json.loads(text)
    except ValueError:
        return _reads_as_alg_object(text)
    return isinstance(decoded, dict) and "alg" in decoded


def _b64url(part: bytes) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return None


def _reads_as_alg_object(text: bytes) -> bool:
    """``{`` ... ``}`` (no other brace) naming the key ``"alg"``: JSON-like, not JSON."""
    inner = text.strip(_JSON_SPACE)
    if inner[:1] != b"{" or inner[-1:] != b"}" or b"{" in inner[1:-1] or b"}" in inner[1:-1]:
        return False
    return _ALG_KEY.search(inner) is not None


def _json_object(part: bytes) -> bool:
    text = _b64url(part)
    try:
        return text is not None and isinstance(json.loads(text), dict)
    except ValueError:
        return False


# A JWS (header.payload.signature) or JWE (five parts) in base64url, as _JWT reads them.
_TOKEN = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){1,3}")
_BASE64_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def _encoded_jwt(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A base64 run (``ZXlK…``) that decodes to a JWT, whole; None for anything else."""
    if end - start > MAX_ENCODED or (end < len(data) and data[end] in _BASE64_BYTES):
        return None  # longer than read, or cut inside a longer run (its '=' misplaced)
    run = data[start:end]
    try:
        decoded = base64.b64decode(run + b"=" * (-len(run) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    token = decoded.rstrip(b"\r\n")  # ``echo … | base64`` encodes a line break
    if _TOKEN.fullmatch(token) is None:
        return None
    header, payload = token.split(b".", 2)[:2]
    if jwt_header_ok(header) or (_json_object(header) and _json_object(payload)):
        return start, end
    return None


DETECTOR = PatternDetector(
    JWT,
    RANK,
    compile_pattern(r"\bZXlK[A-Za-z0-9+/]{40,}={0,2}"),
    _encoded_jwt,
    triggers=(b"ZXlK",),
    prefilter="ZXlK",
)
