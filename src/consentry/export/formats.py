"""Shard schemas and encoders: Parquet (default) and JSON Lines (R25).

Both encoders turn Arrow record batches into bytes deterministically: the same
batches give the same bytes, with nothing time- or host-dependent in them. The
exact layout is part of the contract with the Spark job (docs/export.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from consentry.domain.errors import InvalidInput

TIMESTAMP = pa.timestamp("us", tz="UTC")

MESSAGE_SCHEMA = pa.schema(
    [
        pa.field("session", pa.string(), nullable=False),
        pa.field("account", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("surface", pa.string(), nullable=False),
        pa.field("seq", pa.int32(), nullable=False),
        pa.field("role", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("at", TIMESTAMP, nullable=False),
    ]
)
"""One row per exported message, ordered by real session id, then (at, message id)."""

FEEDBACK_SCHEMA = pa.schema(
    [
        pa.field("feedback", pa.string(), nullable=False),
        pa.field("rating", pa.string(), nullable=False),
        pa.field("comment", pa.string(), nullable=True),
        pa.field("at", TIMESTAMP, nullable=False),
    ]
)
"""One row per exported feedback item; no account or session identifier (R13)."""

PARQUET_OPTIONS: dict[str, object] = {
    "version": "2.6",
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "1.0",
    "store_schema": False,
    "write_page_index": False,
    "write_page_checksum": False,
}
"""Pinned so a pyarrow upgrade that changes a default shows up as a failing test."""


def iso_utc(instant: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffffZ``: always six fractional digits, always ``Z``."""
    return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ShardEncoder(Protocol):
    """Writes one shard's record batches to a binary stream."""

    name: str
    extension: str

    def encode(self, stream: BinaryIO, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        """Write every batch; return the number of rows written."""
        ...


class ParquetEncoder:
    """One Parquet file per shard; one row group per record batch."""

    name = "parquet"
    extension = ".parquet"

    def encode(self, stream: BinaryIO, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        rows = 0
        with pq.ParquetWriter(stream, schema, **PARQUET_OPTIONS) as writer:
            for batch in batches:
                writer.write_batch(batch, row_group_size=max(batch.num_rows, 1))
                rows += batch.num_rows
        return rows


class JsonlEncoder:
    """One JSON object per line, keys in schema order, UTF-8, compact separators."""

    name = "jsonl"
    extension = ".jsonl"

    def encode(self, stream: BinaryIO, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        rows = 0
        names = schema.names
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        for batch in batches:
            columns = [_json_column(batch.column(i)) for i in range(batch.num_columns)]
            rows_of = zip(*columns, strict=True)
            lines = [dumps(dict(zip(names, values, strict=True))) for values in rows_of]
            if lines:
                stream.write(("\n".join(lines) + "\n").encode("utf-8"))
            rows += batch.num_rows
        return rows


def _json_column(column: pa.Array) -> list[object]:
    values: list[object] = column.to_pylist()
    if pa.types.is_timestamp(column.type):
        return [None if v is None else iso_utc(v) for v in values]  # type: ignore[arg-type]
    return values


FORMATS: dict[str, ShardEncoder] = {"parquet": ParquetEncoder(), "jsonl": JsonlEncoder()}


def encoder_for(fmt: str) -> ShardEncoder:
    """The encoder for ``parquet`` or ``jsonl``; anything else is invalid input."""
    try:
        return FORMATS[fmt]
    except KeyError:
        allowed = ", ".join(FORMATS)
        raise InvalidInput(f"unknown export format {fmt!r}; expected one of {allowed}") from None


def shard_columns(path: Path, fmt: str, names: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    """The given columns of one shard (``parquet`` or JSON Lines), row by row, streamed in
    Parquet's record batches; what audits and content counts read back from an export."""
    if fmt == "parquet":
        with pq.ParquetFile(path) as shard:
            for batch in shard.iter_batches(columns=list(names)):
                yield from zip(*(batch.column(n).to_pylist() for n in names), strict=True)
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            yield tuple(row[n] for n in names)
