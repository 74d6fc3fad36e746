"""The accounts port and the consent ledger's port (R1–R5, R15, R27)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from consentry.domain.ledger import ConsentEvent
from consentry.domain.types import ChoiceSource, EventType, Training
from consentry.service.records import AccountRecord


class AccountStore(Protocol):
    """Accounts and the current training choice they project (R1–R5, R15)."""

    def insert_account(self, account: AccountRecord, token_hash: str) -> None: ...
    def get_account(self, account_id: str) -> AccountRecord | None: ...
    def account_by_token_hash(self, token_hash: str) -> AccountRecord | None: ...
    def set_privacy(
        self, account_id: str, *, training: Training, terms_accepted: str | None, at: datetime
    ) -> None: ...
    def mark_account_deleted(self, account_id: str, at: datetime) -> None: ...
    def set_auto_delete(self, account_id: str, *, months: int) -> None:
        """P12: record the account's auto-delete period in months (0: until the user
        deletes it) on the account row, in the caller's transaction."""
        ...


class ConsentLedgerStore(Protocol):
    """The consent ledger: an append-only hash chain of consent events (R27)."""

    def append_consent_event(
        self,
        *,
        account_id: str,
        at: datetime,
        type: EventType,
        value: Training | None,
        source: ChoiceSource | None,
        terms_version: str,
        extra: tuple[tuple[str, str], ...] = (),
    ) -> ConsentEvent: ...
    def consent_events(
        self, account_id: str | None = None, *, batch: int = 5000
    ) -> Iterator[ConsentEvent]: ...
    def ledger_head(self) -> tuple[int, str]: ...
