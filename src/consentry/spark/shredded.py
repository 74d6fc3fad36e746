"""The Spark job refuses a lake that holds crypto-shredded content (issue 26).

With ``CONSENTRY_CRYPTO_SHREDDING=1`` the lake export copies rows as stored, so message
texts, feedback comments and safety scores are ciphertext (``enc:v1:…``, AES-256-GCM
under data keys in the vault). The Spark job is handed no data keys, so a run created or
exported by it would filter and pseudonymise ciphertext. ``spark run-create`` and
``spark export`` therefore refuse with ``lake_encrypted`` before a JVM starts; the
embedded ``consentry runs create``/``export`` (which decrypts through the vault) is the
path for such a lake. ``spark sweep`` and ``audit`` need no text and are not refused.

The check reads only the text columns of the current snapshot's files, with pyarrow, one
file at a time, and stops at the first ciphertext it finds.
"""

from __future__ import annotations

import pyarrow.compute as pc
import pyarrow.parquet as pq

from consentry.domain.errors import Conflict
from consentry.lake.catalog import open_table

PREFIX = "enc:v1:"  # consentry.adapters.crypto.content.PREFIX (the job does not import adapters)
TEXT_COLUMNS = (("messages", "content"), ("feedback", "comment"), ("holds", "scores"))


class LakeEncrypted(Conflict):
    code = "lake_encrypted"


def encrypted_table(lake: str) -> str | None:
    """The first ``table.column`` of the lake that holds ciphertext, or None."""
    for name, column in TEXT_COLUMNS:
        table = open_table(lake, name)
        for file in table.snapshot().files:
            values = pq.read_table(table.uri(file), columns=[column]).column(column)
            if pc.any(pc.starts_with(values, PREFIX)).as_py():
                return f"{name}.{column}"
    return None


def refuse_encrypted_lake(lake: str) -> None:
    """Raise :class:`LakeEncrypted` when the lake holds crypto-shredded content."""
    found = encrypted_table(lake)
    if found is not None:
        raise LakeEncrypted(
            f"the lake holds encrypted content ({found}: crypto-shredding is on) and the "
            "Spark job has no data keys to open it; create and export this run with the "
            "embedded `consentry runs create` / `consentry runs export`, which decrypt through "
            "the key vault (docs/retention.md)"
        )
