"""The credentials port: account tokens, browser sessions and service tokens.

Every method runs inside the caller's unit of work and commits or rolls back with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from consentry.service.records import ServiceTokenRecord, WebSessionRecord


class CredentialStore(Protocol):
    """Account tokens, browser sessions and service tokens (R15, issue 17 items 3 and 7).

    Secrets never reach the store: tokens and session ids are stored as SHA-256 digests.
    """

    def set_token_hash(self, account_id: str, token_hash: str) -> None:
        """Replace the account's token digest (token rotation): the old token stops
        authenticating when the transaction commits."""
        ...

    def insert_web_session(self, record: WebSessionRecord) -> None:
        """Store a browser session under the digest of its id."""
        ...

    def web_session(self, id_hash: str) -> WebSessionRecord | None:
        """The browser session with this id digest, expired or not; None if unknown."""
        ...

    def touch_web_session(self, id_hash: str, at: datetime) -> None:
        """Record that the session was seen at `at` (its idle timeout restarts)."""
        ...

    def delete_web_session(self, id_hash: str) -> None:
        """End one browser session (sign-out); nothing happens for an unknown digest."""
        ...

    def delete_account_web_sessions(self, account_id: str) -> int:
        """End every browser session of the account (account deletion, R15); returns how many."""
        ...

    def delete_expired_web_sessions(self, now: datetime, *, limit: int) -> int:
        """Delete at most `limit` sessions past their absolute expiry; returns how many
        (idle ones go when next read)."""
        ...

    def trim_account_web_sessions(self, account_id: str, *, keep: int) -> int:
        """Delete all but the `keep` newest sessions of the account (by creation, then
        digest); returns how many were deleted."""
        ...

    def insert_service_token(self, record: ServiceTokenRecord, token_hash: str) -> None:
        """Store a service token under its digest (issue 17 item 7)."""
        ...

    def service_token_by_hash(self, token_hash: str) -> ServiceTokenRecord | None:
        """The service token with this digest, revoked or not; None if unknown."""
        ...

    def list_service_tokens(self) -> list[ServiceTokenRecord]:
        """Every service token, revoked ones included, oldest first by (created_at, id)."""
        ...

    def revoke_service_token(self, token_id: str, at: datetime) -> bool:
        """Revoke a live token at `at`: True when revoked now; False when the token is
        unknown or was already revoked (the first revocation instant stands)."""
        ...
