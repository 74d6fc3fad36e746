"""In-memory :class:`~consentry.service.ports.CredentialStore` (issue 20): account token
digests, browser sessions and service tokens, keyed by digest as in SQL (R15, issue 17)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from consentry.service.ports import CredentialStore
from consentry.service.records import ServiceTokenRecord, WebSessionRecord
from tests.unit.service.fakes import InMemoryAccounts


class InMemoryCredentials(InMemoryAccounts):
    """Token digests live in :attr:`InMemoryAccounts.token_hashes`, so a rotated token
    stops authenticating through `account_by_token_hash` at once (the transaction is
    the fake unit of work's)."""

    def __init__(self) -> None:
        InMemoryAccounts.__init__(self)
        self.web_sessions: dict[str, WebSessionRecord] = {}
        self.service_tokens: dict[str, ServiceTokenRecord] = {}
        self.service_token_hashes: dict[str, str] = {}

    def set_token_hash(self, account_id: str, token_hash: str) -> None:
        self.token_hashes[account_id] = token_hash

    def insert_web_session(self, record: WebSessionRecord) -> None:
        assert record.id_hash not in self.web_sessions, "session digests are unique"
        self.web_sessions[record.id_hash] = record

    def web_session(self, id_hash: str) -> WebSessionRecord | None:
        return self.web_sessions.get(id_hash)

    def touch_web_session(self, id_hash: str, at: datetime) -> None:
        if id_hash in self.web_sessions:
            record = self.web_sessions[id_hash]
            self.web_sessions[id_hash] = dataclasses.replace(record, last_seen_at=at)

    def delete_web_session(self, id_hash: str) -> None:
        self.web_sessions.pop(id_hash, None)

    def _delete_where(self, doomed: list[str]) -> int:
        for id_hash in doomed:
            del self.web_sessions[id_hash]
        return len(doomed)

    def delete_account_web_sessions(self, account_id: str) -> int:
        mine = [h for h, r in self.web_sessions.items() if r.account_id == account_id]
        return self._delete_where(mine)

    def delete_expired_web_sessions(self, now: datetime, *, limit: int) -> int:
        expired = sorted(h for h, r in self.web_sessions.items() if r.expires_at <= now)
        return self._delete_where(expired[:limit])

    def trim_account_web_sessions(self, account_id: str, *, keep: int) -> int:
        mine = sorted(
            (r for r in self.web_sessions.values() if r.account_id == account_id),
            key=lambda r: (r.created_at, r.id_hash),
            reverse=True,
        )
        return self._delete_where([r.id_hash for r in mine[keep:]])

    def insert_service_token(self, record: ServiceTokenRecord, token_hash: str) -> None:
        assert record.id not in self.service_tokens, "token ids are unique"
        self.service_tokens[record.id] = record
        self.service_token_hashes[token_hash] = record.id

    def service_token_by_hash(self, token_hash: str) -> ServiceTokenRecord | None:
        token_id = self.service_token_hashes.get(token_hash)
        return self.service_tokens[token_id] if token_id is not None else None

    def list_service_tokens(self) -> list[ServiceTokenRecord]:
        return sorted(self.service_tokens.values(), key=lambda r: (r.created_at, r.id))

    def revoke_service_token(self, token_id: str, at: datetime) -> bool:
        token = self.service_tokens.get(token_id)
        if token is None or token.revoked_at is not None:
            return False
        self.service_tokens[token_id] = dataclasses.replace(token, revoked_at=at)
        return True


def _conforms(fake: InMemoryCredentials) -> CredentialStore:
    return fake  # mypy checks the fake against its port
