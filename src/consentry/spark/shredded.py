"""The Spark job over a crypto-shredded lake (issue 26 item 3): keys for one job only.

With ``CONSENTRY_CRYPTO_SHREDDING=1`` the lake export copies rows as stored, so message
texts and feedback comments are ciphertext (``enc:v1:…``, AES-256-GCM under data keys in
the vault, :mod:`consentry.adapters.crypto.content`). ``spark export`` opens them only
when its entry point hands it a :class:`ContentKeys` (``consentry spark export`` with
shredding on passes the vault opened from the settings). The driver then reads, in
batches, the data keys of exactly the scopes the run's rows need
(:func:`needed_keys`; a session's scope from the lake's ``sessions.key_id``, issue 26's
key pool): a row whose key is gone (its session or feedback was purged)
stops the export with ``spark_key_missing`` instead of being skipped or leaked.
Executors get the keys for the job's lifetime only (:mod:`consentry.spark.decrypt`).

Without keys (``spark-submit job.py export`` runs with no vault) a lake with ciphertext
is refused with ``lake_encrypted`` (:func:`refuse_encrypted_lake`): filtering ciphertext
into a run would break R24. ``spark run-create``, ``sweep`` and ``audit`` read no text,
so they need no keys and are not refused.

The check reads only the text columns of the current snapshot's files, with pyarrow, one
file at a time, and stops at the first ciphertext it finds.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

import pyarrow.compute as pc
import pyarrow.parquet as pq

from consentry.adapters.crypto.content import PREFIX
from consentry.domain.errors import Conflict, ConsentryError
from consentry.lake.catalog import open_table
from consentry.service.keys import feedback_scope, run_scope, session_key_scope, session_scope

TEXT_COLUMNS = (("messages", "content"), ("feedback", "comment"), ("holds", "scores"))


class ContentKeys(Protocol):
    """The port the entry point hands the job (the key vault implements it): batched reads
    of data keys by scope (absent: destroyed or never made), and the run's export key."""

    def data_keys(self, scopes: Iterable[str]) -> dict[str, bytes]: ...

    def data_key(self, scope: str, *, create: bool) -> bytes | None: ...


class LakeEncrypted(Conflict):
    code = "lake_encrypted"


class KeyMissing(ConsentryError):
    """A row the export needs is sealed under a data key the vault no longer holds."""

    code = "spark_key_missing"


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
            f"the lake holds encrypted content ({found}: crypto-shredding is on) and this "
            "Spark job was given no data keys to open it: run `consentry spark export` with "
            "CONSENTRY_CRYPTO_SHREDDING=1 (it opens the key vault), or the embedded "
            "`consentry runs export` (docs/retention.md)"
        )


def _sealed_ids(frame: Any, id_column: str, text_column: str) -> list[str]:
    """The distinct ids of `frame`'s rows whose text is ciphertext (ids only reach the
    driver, never text)."""
    from pyspark.sql import functions as F

    rows = frame.where(F.col(text_column).startswith(PREFIX)).select(id_column).distinct().collect()
    return sorted(r[id_column] for r in rows)


def _sealed_sessions(messages: Any, sessions: Any) -> dict[str, str]:
    """The key scope of each session with a sealed message in `messages`: the lake's
    ``sessions.key_id`` (issue 26's key pool; null: ``session:<id>``) through
    :func:`~consentry.service.keys.session_key_scope`. Ids only reach the driver."""
    from pyspark.sql import functions as F

    sealed = messages.where(F.col("content").startswith(PREFIX)).select("session_id").distinct()
    rows = sealed.join(sessions.select("session_id", "key_id"), "session_id", "left").collect()
    return {r["session_id"]: session_key_scope(r["session_id"], r["key_id"]) for r in rows}


def needed_keys(
    keys: ContentKeys, run_id: str, messages: Any, feedback: Any, sessions: Any
) -> dict[str, bytes]:
    """The data keys of the scopes the run's rows are sealed under, and ``run:<run id>``
    (the export's shards are sealed under it, as the embedded export's), read in batches.

    `sessions`: the lake's sessions (``session_id``, ``key_id``). A session's key is
    handed to the job under ``session:<session id>``, whichever scope the vault keeps it
    under (its pool key or its own), which is the name the executors open its messages
    by (:mod:`consentry.spark.decrypt`).

    Raises :class:`KeyMissing` when any sealed row's key is absent: a session or comment
    purged since the lake was exported (its key destroyed) is never exported, and the job
    says which instead of writing a run that silently lacks rows."""
    by_session = _sealed_sessions(messages, sessions)
    comments = [feedback_scope(f) for f in _sealed_ids(feedback, "id", "comment")]
    found = keys.data_keys([*sorted(set(by_session.values())), *comments])
    missing = [
        f"session {s} ({scope})" for s, scope in sorted(by_session.items()) if scope not in found
    ]
    missing += [s for s in comments if s not in found]
    if missing:
        raise KeyMissing(
            f"{len(missing)} data key(s) the run's rows are sealed under are gone (purged "
            f"since the lake was exported), e.g. {', '.join(missing[:3])}: run `consentry "
            "lake export` (it carries the purges' tombstones) or `consentry spark sweep`, "
            "then export again"
        )
    run_key = keys.data_key(run_scope(run_id), create=True)
    if run_key is None:  # pragma: no cover - create=True always returns a key
        raise KeyMissing(f"the vault made no key for {run_scope(run_id)}")
    handed = {session_scope(s): found[scope] for s, scope in by_session.items()}
    handed.update({s: found[s] for s in comments})
    return {**handed, run_scope(run_id): run_key}
