"""The SQL run store: one object over the unit of work's connection that implements
:class:`~consentry.service.ports.RunStore`, composed of one class per concept (issue 20).

Where each method lives (add new ones to the concept's module and its Protocol in
``service/ports/``; ``docs/architecture.md`` lists the same):

- runs and stored audits: :mod:`~consentry.adapters.sql.run_catalog`
- run creation and manifests (R20–R23): :mod:`~consentry.adapters.sql.manifest_store`
- data-use reads for the pages (issue 18): :mod:`~consentry.adapters.sql.data_use_reads`
- the sweeper's due items and purges (R17): :mod:`~consentry.adapters.sql.purges_store`
- audit facts (R26): :mod:`~consentry.adapters.sql.facts_store`
- export reads (R25): :mod:`~consentry.adapters.sql.export_reads`
"""

from __future__ import annotations

from sqlalchemy import Connection

from consentry.adapters.sql.data_use_reads import SqlDataUseReads
from consentry.adapters.sql.export_reads import SqlExportReads
from consentry.adapters.sql.facts_store import SqlFactsStore
from consentry.adapters.sql.manifest_store import SqlManifestStore
from consentry.adapters.sql.purges_store import TOMBSTONE_COLUMNS, SqlPurgeStore
from consentry.adapters.sql.run_catalog import SqlRunCatalog
from consentry.config.sealing import SecretBox

__all__ = ["TOMBSTONE_COLUMNS", "SqlRunStore"]


class SqlRunStore(
    SqlRunCatalog,
    SqlManifestStore,
    SqlDataUseReads,
    SqlPurgeStore,
    SqlFactsStore,
    SqlExportReads,
):
    """Run store implementation over one SQLAlchemy connection in a transaction."""

    def __init__(self, conn: Connection, *, box: SecretBox | None = None) -> None:
        self.conn = conn
        self.box = box
        """Seals the runs' pseudonym keys at rest (issue 17 item 5)."""
