"""``consentry keys encrypt-existing``: seal the rows written before shredding was on.

Message texts, feedback comments and safety scores stored in clear are sealed under
their scope's data key (created when missing), a transaction per batch, walking each
table once by id (keyset pages). Resumable: a rerun skips what is sealed already. Each
update is a compare-and-set on the old value, so a row the service changed meanwhile is
left to the service. Purged rows (no text left) are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Select, Table, select, update

from consentry.adapters.crypto.content import is_encrypted, row_context, seal_text
from consentry.adapters.crypto.store import feedback_context, scores_context
from consentry.adapters.sql import tables as t
from consentry.service.keys import DataKeyStore, feedback_scope, scores_scope, session_key_scope

DEFAULT_BATCH = 1000


@dataclass
class EncryptResult:
    sealed: dict[str, int] = field(
        default_factory=lambda: {"messages": 0, "feedback": 0, "holds": 0}
    )
    already: int = 0
    batches: int = 0


# table, text column, scope of a row, associated data of a row
_PLAN: list[tuple[Table, str, Callable[..., str], Callable[..., bytes]]] = [
    (
        t.messages,
        "content",
        lambda r: session_key_scope(r.session_id, r.key_id),
        lambda r: row_context("messages", r.id, r.session_id),
    ),
    (t.feedback, "comment", lambda r: feedback_scope(r.id), lambda r: feedback_context(r.id)),
    (
        t.holds,
        "scores",
        lambda r: scores_scope(r.id),
        lambda r: scores_context(r.id, r.session_id),
    ),
]


def _page_query(table: Table, col: Any) -> Select[Any]:
    """A page's rows; a message's with its session's pool key (``sessions.key_id``), so
    it is sealed under the key its session's reads use (``session_key_scope``)."""
    if table is t.messages:
        s = t.sessions.c
        key_id = select(s.key_id).where(s.id == table.c.session_id).scalar_subquery()
        return select(table.c.id, table.c.session_id, col, key_id.label("key_id")).where(
            col.is_not(None)
        )
    return select(table.c.id, table.c.session_id, col).where(col.is_not(None))


def encrypt_existing(
    engine: Engine,
    keys: DataKeyStore,
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[EncryptResult], None] | None = None,
) -> EncryptResult:
    result = EncryptResult()
    for table, column, scope_of, context_of in _PLAN:
        col = table.c[column]
        last: str | None = None
        while True:
            query = _page_query(table, col)
            if last is not None:
                query = query.where(table.c.id > last)
            with engine.begin() as conn:
                rows = conn.execute(query.order_by(table.c.id).limit(batch_size)).all()
                if not rows:
                    break
                last = rows[-1].id
                for row in rows:
                    value = row[2]
                    if is_encrypted(value):
                        result.already += 1
                        continue
                    key = keys.data_key(scope_of(row), create=True)
                    assert key is not None
                    sealed = seal_text(key, value, context=context_of(row))
                    conn.execute(
                        update(table)
                        .where(table.c.id == row.id, col == value)
                        .values({column: sealed})
                    )
                    result.sealed[table.name] += 1
            result.batches += 1
            if progress is not None:
                progress(result)
    return result
