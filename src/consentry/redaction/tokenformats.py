"""Provider tokens recognised by a fixed shape rather than a literal prefix (SPEC §4).

A Telegram bot token is ``<bot id>:A<34>``, a Discord bot token three base64 parts, an
Azure AD client secret carries ``Q~`` after its fourth byte: none opens with a prefix the
table of :mod:`.token_shapes` could hold, so each is one pattern and a validator, written
from the provider's published format. ``FORMAT_PROVIDERS`` names each one's provider, for
the count of providers the filter covers.
"""

from __future__ import annotations

from .checksums import looks_random
from .detector import PatternDetector, compile_pattern, is_word_byte
from .model import SECRET
from .token_shapes import SHAPES
from .tokens import RANK, glued_run, placeholder_body, token_end_ok


def _telegram(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``<bot id>:A<34>``: a Telegram bot token (the secret part mixes cases and digits)."""
    if start > 0 and (is_word_byte(data[start - 1]) or data[start - 1] == 0x3A):
        return None
    secret = data[data.index(b":", start, end) + 1 : end]
    return (start, end) if token_end_ok(data, end) and looks_random(secret) else None


def _discord_bot(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``<base64 user id>.<6>.<27+>``: a Discord bot token (not a JWT: no eyJ header)."""
    if data[start : start + 3] == b"eyJ" or not token_end_ok(data, end):
        return None
    first, _, last = data[start:end].split(b".")
    if not (looks_random(first) and looks_random(last)):
        return None
    return glued_run(data, start, end)


def _random_body(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """A token whose shape the pattern fixes: it ends there, mixes characters, is no x mask."""
    if start > 0 and is_word_byte(data[start - 1]):
        return None
    token = data[start:end]
    ok = token_end_ok(data, end) and looks_random(token) and not placeholder_body(token)
    return (start, end) if ok else None


def _azure_secret(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Azure AD (Entra ID) client secret: 3 chars, a digit, ``Q~``, 31-34 chars (no x mask)."""
    n = len(data)
    after = data[end] if end < n else 0x20
    before = data[start - 1] if start > 0 else 0x20
    if after in _AZURE_ALPHABET or before in _AZURE_ALPHABET:
        return None
    return None if placeholder_body(data[start + 6 : end]) else (start, end)


_AZURE_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~.-")

# Tokens recognised by a fixed shape rather than a literal prefix.
FORMAT_DETECTORS = (
    PatternDetector(  # Telegram bot token
        SECRET, RANK, compile_pattern(r"\b[0-9]{5,16}:A[A-Za-z0-9_-]{34}"), _telegram,
        triggers=(b":A",), prefilter=":A",
    ),
    PatternDetector(  # Discord bot token
        SECRET, RANK,
        compile_pattern(r"[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}"),
        _discord_bot, prefilter=r"[A-Za-z0-9_-]{23}\.[A-Za-z0-9_-]{6}\.",
    ),
    PatternDetector(  # Azure AD client secret
        SECRET, RANK, compile_pattern(r"[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}"),
        _azure_secret, triggers=(b"Q~",), prefilter="Q~",
    ),
    PatternDetector(  # Mailchimp API key
        SECRET, RANK, compile_pattern(r"\b[0-9a-f]{32}-us[0-9]{1,2}\b"), _random_body,
        triggers=(b"-us",), prefilter="-us[0-9]",
    ),
    PatternDetector(  # Microsoft Teams incoming webhook, with or without its scheme
        SECRET, RANK,
        compile_pattern(
            r"(?:https?://)?[a-z0-9.-]{1,60}\.webhook\.office\.com/webhookb2/"
            r"[A-Za-z0-9@/_-]{40,400}"
        ),
        None, triggers=(b"webhook.office.com",), prefilter="webhook\\.office\\.com",
    ),
    PatternDetector(  # Terraform Cloud / Enterprise API token
        SECRET, RANK, compile_pattern(r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}"),
        _random_body, triggers=(b".atlasv1.",), prefilter="atlasv1",
    ),
    PatternDetector(  # MaxMind license key: 6 _ 29 _mmk
        SECRET, RANK, compile_pattern(r"\b[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk"), _random_body,
        triggers=(b"_mmk",), prefilter="_mmk",
    ),
    PatternDetector(  # Authress service client access key
        SECRET, RANK,
        compile_pattern(
            r"\b(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-]"
            r"[A-Za-z0-9-]{10,32}\.[A-Za-z0-9+/_=-]{30,120}"
        ),
        _random_body, triggers=(b".acc",), prefilter=r"\.acc[_-]",
    ),
    PatternDetector(  # Facebook app access token: app id | secret
        SECRET, RANK, compile_pattern(r"\b[0-9]{15,16}[|%][0-9A-Za-z_-]{27,40}"), _random_body,
        triggers=(b"|", b"%"), prefilter="[0-9]{15}[|%]",
    ),
    PatternDetector(  # Asana personal access token: <n>/<user id>[/<app id>]:<secret>
        SECRET, RANK,
        compile_pattern(r"\b[0-9]{1,3}/[0-9]{16,20}(?:/[0-9]{16,20})?:[A-Za-z0-9]{32,64}"),
        _random_body, prefilter="[0-9]{16}:",
    ),
    PatternDetector(  # Firebase Cloud Messaging: <11>:APA91b<body> (server keys, device tokens)
        SECRET, RANK, compile_pattern(r"[A-Za-z0-9_-]{11}:APA91b[A-Za-z0-9_-]{100,200}"),
        _random_body, prefilter=":APA91b",
    ),
    PatternDetector(  # ngrok authtoken: 2<26>_<digit><20>
        SECRET, RANK, compile_pattern(r"\b2[A-Za-z0-9]{26}_[0-9][A-Za-z0-9]{20}"), _random_body,
        prefilter="_[0-9][A-Za-z0-9]{20}",
    ),
)  # fmt: skip


# The provider of each of FORMAT_DETECTORS, in order.
FORMAT_PROVIDERS = (
    "Telegram", "Discord", "Microsoft", "Mailchimp", "Microsoft", "HashiCorp", "MaxMind",
    "Authress", "Facebook", "Asana", "Google", "ngrok",
)  # fmt: skip


def providers() -> frozenset[str]:
    """Every provider whose tokens are recognised by their shape (SPEC §4)."""
    return frozenset(s.provider for s in SHAPES) | frozenset(FORMAT_PROVIDERS)
