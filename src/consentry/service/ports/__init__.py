"""The storage ports the use cases are written against, one `Protocol` per concept
(issue 20).

`service/` calls these methods and nothing else of the storage layer; the SQL adapter
implements them (one class per concept under `adapters/sql/`, composed into `SqlStore`
and `SqlRunStore`), and mypy checks that it does wherever a unit of work hands one out.
Another store (the in-memory fakes in `tests/unit/service/fakes*.py`, a different
database) implements the same protocols; `tests/unit/service/fake_uow.py` composes the
fakes into one store that mypy checks against :class:`Store` and :class:`RunStore`.
No SQLAlchemy type crosses these signatures.

| Protocol | module | SQL adapter |
|---|---|---|
| :class:`AccountStore` | `ports/accounts.py` | `adapters/sql/accounts_store.py` |
| :class:`ConsentLedgerStore` | `ports/accounts.py` | `adapters/sql/ledger_store.py` |
| :class:`SessionStore` | `ports/sessions.py` | `adapters/sql/sessions_store.py` |
| :class:`RetentionStore` | `ports/retention.py` | `adapters/sql/retention_store.py` |
| :class:`HoldStore` | `ports/retention.py` | `adapters/sql/holds_store.py` |
| :class:`SweepLog` | `ports/retention.py` | `adapters/sql/sweeps_store.py` |
| :class:`PurgeStore` | `ports/retention.py` | `adapters/sql/purges_store.py` |
| :class:`Outbox` | `ports/outbox.py` | `adapters/sql/outbox_store.py` |
| :class:`CredentialStore` | `ports/credentials.py` | `adapters/sql/credentials_store.py` |
| :class:`RunCatalog` | `ports/runs.py` | `adapters/sql/run_catalog.py` |
| :class:`ManifestStore` | `ports/runs.py` | `adapters/sql/manifest_store.py` |
| :class:`DataUseReads` | `ports/runs.py` | `adapters/sql/data_use_reads.py` |
| :class:`FactsStore` | `ports/runs.py` | `adapters/sql/facts_store.py` |
| :class:`ExportReads` | `ports/runs.py` | `adapters/sql/export_reads.py` |

:class:`Store` and :class:`RunStore` are their unions (``uow.store`` and ``uow.runs``).
Rows are frozen, slotted dataclasses read by attribute: `service/records.py`,
:class:`SweepRecord`, :class:`LedgerHead`, :class:`ManifestSession`,
:class:`ExportMessageRow`, :class:`ExportFeedbackRow` and :class:`ExportUnavailable`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from consentry.service.ports.accounts import AccountStore, ConsentLedgerStore, LedgerHead
from consentry.service.ports.credentials import CredentialStore
from consentry.service.ports.outbox import Outbox
from consentry.service.ports.retention import (
    HoldStore,
    PurgeStore,
    RetentionStore,
    SweepLog,
    SweepRecord,
)
from consentry.service.ports.runs import (
    DataUseReads,
    ExportFeedbackRow,
    ExportMessageRow,
    ExportReads,
    ExportUnavailable,
    FactsStore,
    ManifestSession,
    ManifestStore,
    RunCatalog,
)
from consentry.service.ports.sessions import SessionStore
from consentry.service.records import AccountRecord, MessageRecord, SessionRecord

__all__ = [
    "AccountStore",
    "ConsentLedgerStore",
    "CredentialStore",
    "DataUseReads",
    "ExportFeedbackRow",
    "ExportMessageRow",
    "ExportReads",
    "ExportUnavailable",
    "FactsStore",
    "HoldStore",
    "LedgerHead",
    "ManifestSession",
    "ManifestStore",
    "Outbox",
    "PurgeStore",
    "RetentionStore",
    "RunCatalog",
    "RunStore",
    "SessionStore",
    "Store",
    "SweepLog",
    "SweepRecord",
]


class Store(
    AccountStore,
    ConsentLedgerStore,
    SessionStore,
    RetentionStore,
    HoldStore,
    SweepLog,
    Outbox,
    CredentialStore,
    Protocol,
):
    """Accounts, the consent ledger, sessions, messages, feedback, holds, sweeps, the
    outbox and credentials, read and written inside one transaction (R1–R18, R27, R28):
    ``uow.store``."""

    def token_account_and_session(
        self, token_hash: str, session_id: str
    ) -> tuple[AccountRecord | None, SessionRecord | None]:
        """What an append by token reads, in one read (issue 22): the account whose token
        has this digest (as :meth:`~AccountStore.account_by_token_hash`: None for an
        unknown token and a deleted account) and the session (as
        :meth:`~SessionStore.get_session`, whoever owns it); (None, None) when no account
        has the token. SQL: one SELECT joining the two (``sessions_store.py``)."""
        ...

    def record_message(
        self,
        message: MessageRecord,
        *,
        retain_until: datetime,
        event: str,
        payload: dict[str, Any],
    ) -> None:
        """An append's writes (issue 22): what :meth:`~SessionStore.add_activity` (kind
        ``message``), :meth:`~SessionStore.record_activity` (to `retain_until`),
        :meth:`~SessionStore.insert_message` and :meth:`~Outbox.publish` (`event`,
        `payload`, at the message's time) write. SQL: one statement on PostgreSQL."""
        ...


class RunStore(
    RunCatalog, ManifestStore, DataUseReads, PurgeStore, FactsStore, ExportReads, Protocol
):
    """Training runs: manifests frozen by set-based queries, the sweeper's due items and
    purges, and the reads audits and exports need (R17, R19–R26): ``uow.runs``."""
