"""The SQL store: one object over the unit of work's connection that implements
:class:`~consentry.service.ports.Store`, composed of one class per concept (issue 20).

Where each method lives (add new ones to the concept's module and its Protocol in
``service/ports/``; ``docs/architecture.md`` lists the same):

- accounts: :mod:`~consentry.adapters.sql.accounts_store`
- the consent ledger (R27): :mod:`~consentry.adapters.sql.ledger_store`
- sessions, activities, messages, feedback: :mod:`~consentry.adapters.sql.sessions_store`
- deletion and retention, ``purge_at_expr``: :mod:`~consentry.adapters.sql.retention_store`
- holds (R16): :mod:`~consentry.adapters.sql.holds_store`
- the sweep log (R17): :mod:`~consentry.adapters.sql.sweeps_store`
- the outbox: :mod:`~consentry.adapters.sql.outbox_store`
- credentials: :mod:`~consentry.adapters.sql.credentials_store`

Runs, the sweeper's purges, audit facts and export reads are
:class:`~consentry.adapters.sql.runs_store.SqlRunStore`. Every method runs inside the
caller's transaction (the unit of work).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from consentry.adapters.sql.accounts_store import SqlAccountStore
from consentry.adapters.sql.credentials_store import SqlCredentialStore
from consentry.adapters.sql.holds_store import SqlHoldStore
from consentry.adapters.sql.ledger_store import SqlLedgerStore
from consentry.adapters.sql.outbox_store import SqlOutbox
from consentry.adapters.sql.retention_store import SqlRetentionStore, purge_at_expr
from consentry.adapters.sql.sessions_store import SqlSessionStore
from consentry.adapters.sql.sweeps_store import SqlSweepLog

__all__ = ["SqlStore", "purge_at_expr"]


class SqlStore(
    SqlAccountStore,
    SqlLedgerStore,
    SqlSessionStore,
    SqlRetentionStore,
    SqlHoldStore,
    SqlSweepLog,
    SqlOutbox,
    SqlCredentialStore,
):
    """Storage port implementation over one SQLAlchemy connection in a transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def count(self, table: Any, *where: Any) -> int:
        """Rows of `table` matching `where` (tests and diagnostics; not on the port)."""
        return int(
            self.conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        )
