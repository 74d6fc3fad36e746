"""The accounts port and the consent ledger's port (R1–R5, R15, R27).

Every method runs inside the caller's unit of work and commits or rolls back with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from consentry.domain.ledger import ConsentEvent
from consentry.domain.types import ChoiceSource, EventType, Training
from consentry.service.records import AccountRecord


@dataclass(frozen=True, slots=True)
class LedgerHead:
    """The consent ledger's head: how many events it holds and the last one's hash."""

    seq: int
    hash: str


class AccountStore(Protocol):
    """Accounts and the current training choice they project (R1–R5, R15)."""

    def insert_account(self, account: AccountRecord, token_hash: str) -> None:
        """Store a new account with the SHA-256 digest of its token (never the token,
        R15). Account ids are unique; inserting one twice fails the transaction."""
        ...

    def get_account(self, account_id: str) -> AccountRecord | None:
        """The account, deleted or not; None if there is no such account."""
        ...

    def account_by_token_hash(self, token_hash: str) -> AccountRecord | None:
        """The account whose token has this digest; None for an unknown token and for
        a deleted account (deletion clears the digest)."""
        ...

    def set_privacy(
        self, account_id: str, *, training: Training, terms_accepted: str | None, at: datetime
    ) -> None:
        """Project the account's current choice (R3): its training setting, the terms
        version accepted and when it chose. The ledger event that records the choice is
        appended by the caller in the same transaction (:class:`ConsentLedgerStore`)."""
        ...

    def mark_account_deleted(self, account_id: str, at: datetime) -> None:
        """Mark the account deleted at `at` and clear its token digest, so its token
        no longer authenticates (R15). Its content is deleted by :class:`RetentionStore`
        in the same transaction."""
        ...

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
    ) -> ConsentEvent:
        """Append one event to the chain (R27) and its leaf to the Merkle tree (issue 21),
        in the caller's transaction. The head row is locked, so appends serialise: each
        event's `seq` is the head's plus one and its `prev_hash` the head's hash."""
        ...

    def consent_events(
        self, account_id: str | None = None, *, batch: int = 5000
    ) -> Iterator[ConsentEvent]:
        """The events in chain order (ascending `seq`), all or one account's, read in
        pages of `batch` so the whole ledger is never in memory."""
        ...

    def ledger_head(self) -> LedgerHead:
        """The head as of this transaction: the number of events and the last hash."""
        ...
