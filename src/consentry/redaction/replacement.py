"""What a finding is replaced with: a typed placeholder or a keyed pseudonym."""

from __future__ import annotations

import hashlib
import hmac

PSEUDONYM_HEX_CHARS = 8


class Replacer:
    """Turns (type, value) into ``[TYPE]`` or, with a key, ``[TYPE_<hmac>]``.

    The pseudonym is the first 8 hex digits of HMAC-SHA256(key, TYPE NUL value):
    the same value gets the same pseudonym under one key (one key per training
    run), and pseudonyms under different keys cannot be linked without the keys.
    Eight hex digits (32 bits) keep text readable; distinct values may collide,
    which merges two pseudonyms but never reveals a value.
    """

    __slots__ = ("_key",)

    def __init__(self, pseudonym_key: bytes | None = None) -> None:
        if pseudonym_key is not None:
            if not isinstance(pseudonym_key, bytes):
                raise TypeError("pseudonym_key must be bytes")
            if not pseudonym_key:
                raise ValueError("pseudonym_key must not be empty")
        self._key = pseudonym_key

    @property
    def keyed(self) -> bool:
        """True when replacements are pseudonyms rather than bare placeholders."""
        return self._key is not None

    def __call__(self, entity_type: str, value: str) -> str:
        """The replacement for ``value`` of ``entity_type``."""
        if self._key is None:
            return f"[{entity_type}]"
        message = entity_type.encode() + b"\x00" + value.encode("utf-8", "surrogatepass")
        digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()
        return f"[{entity_type}_{digest[:PSEUDONYM_HEX_CHARS]}]"


def is_placeholder(value: bytes) -> bool:
    """True for ``[TYPE]`` or ``[TYPE_1a2b3c4d]``: our own output, never re-redacted."""
    if len(value) < 3 or value[:1] != b"[" or value[-1:] != b"]":
        return False
    inner = value[1:-1]
    name, _, suffix = inner.rpartition(b"_")
    hex_suffix = all(c in b"0123456789abcdef" for c in suffix)
    if name and len(suffix) == PSEUDONYM_HEX_CHARS and hex_suffix:
        inner = name
    return all(c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ_" for c in inner)
