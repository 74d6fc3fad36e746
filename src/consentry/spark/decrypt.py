"""Executor side of ``spark export`` over a crypto-shredded lake (issue 26 item 3).

What reaches executors, and what touches disk:

- **Keys.** The driver reads the run's data keys (:func:`consentry.spark.shredded.needed_keys`;
  a session's key is named ``session:<id>`` here whether the vault keeps it under that
  scope or under the pool key the session claimed, issue 26) and broadcasts them
  *sealed* (AES-256-GCM) under a fresh 256-bit job key. Only the sealed blob is a
  broadcast variable, so PySpark's broadcast file on the driver and the
  broadcast blocks on executors hold ciphertext; the job key travels in the write task's
  closure (memory: the task's serialized function). :func:`handed_out` destroys the
  broadcast (blocks and driver file) in a ``finally``, and the job key dies with the job:
  a copy of the blob left anywhere opens with nothing.
- **Content.** Rows stay sealed through every shuffle and the checkpoint of the export's
  numbering: the filter stage passes the ciphertext through
  (:func:`consentry.spark.export.filter_messages` with ``sealed=True``), and only the
  task that writes a shard opens its rows (:func:`opener`), filters them, encodes the
  Parquet shard in memory and writes it sealed under the run's key (``run:<run id>``,
  :mod:`consentry.export.sealed`, as the embedded export with shredding on). No plain
  text or key reaches a shuffle file, a spilled block or a Parquet file.

The opening is :func:`consentry.adapters.crypto.content.open_text` with the same
associated data as the SQL adapter's (``messages:<id>:<session>``, ``feedback:<id>:-``),
imported, not copied (the import contracts let features import adapters).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from consentry.domain.policy import NerPolicy

_NONCE = 12
_AAD = b"consentry/spark-job-keys"


@contextlib.contextmanager
def handed_out(spark: Any, keys: dict[str, bytes]) -> Iterator[JobKeys]:
    """The keys, sealed under a new job key and broadcast for the ``with`` block only."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    job_key = AESGCM.generate_key(256)
    nonce = os.urandom(_NONCE)
    plain = json.dumps({s: base64.b64encode(k).decode() for s, k in keys.items()}).encode()
    blob = nonce + AESGCM(job_key).encrypt(nonce, plain, _AAD)
    handle = spark.sparkContext.broadcast(blob)
    try:
        yield JobKeys(handle, job_key)
    finally:
        handle.destroy(blocking=True)


class JobKeys:
    """What a write task's closure carries: the broadcast's handle and the job key."""

    def __init__(self, handle: Any, job_key: bytes) -> None:
        self.handle = handle
        self.job_key = job_key

    def open(self) -> dict[str, bytes]:
        """On an executor: the data keys, opened from the broadcast blob."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        blob: bytes = self.handle.value
        plain = AESGCM(self.job_key).decrypt(blob[:_NONCE], blob[_NONCE:], _AAD)
        return {s: base64.b64decode(k) for s, k in json.loads(plain).items()}


def opener(
    kind: str, secret_hex: str, ner: NerPolicy, run_id: str, job: JobKeys
) -> Callable[[], tuple[Callable[[pa.Table], pa.Table], Callable[[str, bytes], bytes]]]:
    """Executor side, once per write task: (open and filter a shard's rows, seal a shard)."""

    def build() -> tuple[Callable[[pa.Table], pa.Table], Callable[[str, bytes], bytes]]:
        from consentry.export.pseudonyms import Pseudonymizer
        from consentry.export.sealed import seal_shard
        from consentry.redaction import build_redactor
        from consentry.service.keys import run_scope

        keys = job.open()
        redactor = build_redactor(ner, Pseudonymizer(secret_hex).key)
        run_key = keys[run_scope(run_id)]

        def filtered(table: pa.Table) -> pa.Table:
            if kind == "messages":
                texts = redactor.redact_many(_open_messages(table, keys))
                return _replace(table, "text", [r.text for r in texts])
            comments = _open_feedback(table, keys)
            redactor.prefetch(v for v in comments if v is not None)
            return _replace(
                table, "comment", [None if v is None else redactor.redact(v).text for v in comments]
            )

        return filtered, lambda name, plain: seal_shard(run_key, run_id, name, plain)

    return build


def _open_messages(table: pa.Table, keys: dict[str, bytes]) -> list[str]:
    from consentry.adapters.crypto.content import open_text, row_context
    from consentry.service.keys import session_scope

    cols = table.select(["session_id", "message_id", "text"]).to_pydict()
    return [
        open_text(keys.get(session_scope(s)), v, context=row_context("messages", m, s))
        for s, m, v in zip(cols["session_id"], cols["message_id"], cols["text"], strict=True)
    ]


def _open_feedback(table: pa.Table, keys: dict[str, bytes]) -> list[str | None]:
    from consentry.adapters.crypto.content import open_text, row_context
    from consentry.service.keys import feedback_scope

    cols = table.select(["feedback_id", "comment"]).to_pydict()
    # A comment is bound to its feedback row only (adapters/crypto/store.py feedback_context).
    return [
        None
        if v is None
        else open_text(keys.get(feedback_scope(f)), v, context=row_context("feedback", f, "-"))
        for f, v in zip(cols["feedback_id"], cols["comment"], strict=True)
    ]


def _replace(table: pa.Table, column: str, values: list[str | None]) -> pa.Table:
    i = table.schema.get_field_index(column)
    return table.set_column(i, table.schema.field(i), pa.array(values, pa.string()))


def content_of_sealed(
    directory: Path, shards: list[str], run_id: str, key: bytes
) -> dict[str, Any]:
    """The manifest's ``content`` entry from sealed message shards, opened in memory on the
    driver (never written in clear), as :func:`consentry.export.content.content_of_shards`."""
    from consentry.export.content import ContentTally
    from consentry.export.sealed import open_shard

    tally = ContentTally()
    names = ("session", "kind", "surface", "text", "at")
    for name in shards:
        if not name.startswith("messages-"):
            continue
        plain = open_shard(key, run_id, name, (directory / name).read_bytes())
        with pq.ParquetFile(io.BytesIO(plain)) as shard:
            for batch in shard.iter_batches(columns=list(names)):
                for s, k, f, t, a in zip(
                    *(batch.column(n).to_pylist() for n in names), strict=True
                ):
                    tally.add(session=s, kind=k, surface=f, text=t, at=a)
    return tally.result()
