"""The browser's cookie: one signed, HttpOnly, SameSite=Lax cookie, and the CSRF token in it.

Who is signed in is decided on the server (issue 17 item 3): the cookie carries only an
opaque random session id (see :mod:`consentry.service.web_sessions`), never a token and
nothing derived from one. Signing out, deleting the account or rotating its token
deletes the session row, so a copied cookie opens nothing afterwards.

Besides the id, the cookie holds a per-browser CSRF token, the terms version the user
said "Not now" to in this browser, and one-shot flash messages. It is signed with a key
of its own (:func:`consentry.entrypoints.web.router.cookie_key`), never encrypted: it
holds nothing its owner may not see, and nothing an attacker could test a guess against.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE_NAME = "consentry_web"
CSRF_FIELD = "csrf_token"


@dataclass
class BrowserSession:
    """What one browser carries between requests; `dirty` asks for a new cookie."""

    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    sid: str | None = None
    deferred: str | None = None
    flash: list[str] = field(default_factory=list)
    dirty: bool = False

    def switch(self, sid: str | None) -> None:
        """A new identity gets a new session id and a new CSRF token (no fixation)."""
        self.sid = sid
        self.deferred = None
        self.csrf = secrets.token_urlsafe(24)
        self.dirty = True

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


class SessionCodec:
    """Signs and checks the cookie; a bad or expired signature is a fresh session."""

    def __init__(self, secret_key: str | bytes, max_age_s: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="consentry.web.session")
        self.max_age_s = max_age_s

    def load(self, raw: str | None) -> BrowserSession:
        if not raw:
            return BrowserSession(dirty=True)
        try:
            data: Any = self._serializer.loads(raw, max_age=self.max_age_s)
        except BadSignature:
            return BrowserSession(dirty=True)
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return BrowserSession(dirty=True)
        flash = data.get("flash")
        return BrowserSession(
            csrf=data["csrf"],
            sid=_str_or_none(data.get("sid")),
            deferred=_str_or_none(data.get("deferred")),
            flash=[str(m) for m in flash] if isinstance(flash, list) else [],
        )

    def dump(self, session: BrowserSession) -> str:
        body = {
            "csrf": session.csrf,
            "sid": session.sid,
            "deferred": session.deferred,
            "flash": session.flash[-5:],
        }
        return str(self._serializer.dumps(body))


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
