"""Browser sessions: one signed, HttpOnly, SameSite=Lax cookie, and the CSRF token in it.

The cookie holds the account token (so every request authenticates exactly like the
API does, and a deleted account's cookie dies with its token, R15), a digest of the
admin token when an operator signed in, a per-session CSRF token, the terms version
the user said "Not now" to in this browser, and one-shot flash messages. It is signed
with itsdangerous, never encrypted: it holds nothing its owner may not see.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "consentry_web"
MAX_AGE_SECONDS = 12 * 60 * 60
CSRF_FIELD = "csrf_token"


@dataclass
class BrowserSession:
    """What one browser carries between requests; `dirty` asks for a new cookie."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    token: str | None = None
    admin: str | None = None
    deferred: str | None = None
    flash: list[str] = field(default_factory=list)
    dirty: bool = False

    def sign_in(self, token: str) -> None:
        """A new identity gets a new CSRF token (no fixation across sign-in)."""
        self.token = token
        self.deferred = None
        self.csrf = secrets.token_urlsafe(24)
        self.dirty = True

    def sign_out(self) -> None:
        self.token = None
        self.deferred = None
        self.csrf = secrets.token_urlsafe(24)
        self.dirty = True

    def sign_in_admin(self, admin_token: str) -> None:
        self.admin = admin_digest(admin_token)
        self.csrf = secrets.token_urlsafe(24)
        self.dirty = True

    def sign_out_admin(self) -> None:
        self.admin = None
        self.dirty = True

    def is_admin(self, admin_token: str | None) -> bool:
        """True only while the configured admin token is the one signed in with."""
        if admin_token is None or self.admin is None:
            return False
        return hmac.compare_digest(self.admin, admin_digest(admin_token))

    def say(self, message: str) -> None:
        self.flash.append(message)
        self.dirty = True

    def take_flash(self) -> list[str]:
        messages, self.flash = self.flash, []
        if messages:
            self.dirty = True
        return messages

    def csrf_ok(self, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.csrf, str(submitted))


def admin_digest(admin_token: str) -> str:
    return hashlib.sha256(b"consentry-web-admin\0" + admin_token.encode()).hexdigest()


class SessionCodec:
    """Signs and checks the cookie; a bad or expired signature is a fresh session."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="consentry.web.session")

    def load(self, raw: str | None) -> BrowserSession:
        if not raw:
            return BrowserSession(dirty=True)
        try:
            data: Any = self._serializer.loads(raw, max_age=MAX_AGE_SECONDS)
        except BadSignature:
            return BrowserSession(dirty=True)
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return BrowserSession(dirty=True)
        flash = data.get("flash")
        return BrowserSession(
            csrf=data["csrf"],
            token=_str_or_none(data.get("token")),
            admin=_str_or_none(data.get("admin")),
            deferred=_str_or_none(data.get("deferred")),
            flash=[str(m) for m in flash] if isinstance(flash, list) else [],
        )

    def dump(self, session: BrowserSession) -> str:
        body = {
            "csrf": session.csrf,
            "token": session.token,
            "admin": session.admin,
            "deferred": session.deferred,
            "flash": session.flash[-5:],
        }
        return str(self._serializer.dumps(body))


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
