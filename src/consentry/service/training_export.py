"""Export a training run to files (R24, R25): filtered text, pseudonymous ids, a manifest.

`export_run` streams a run's content from the store in keyset pages of `batch_rows`,
filters every text (§4, fail-closed), replaces every identifier by the run's keyed
pseudonym, cuts the stream into record batches of `batch_rows` and shards of
`shard_rows`, and hands each shard to an :class:`~consentry.export.ExportSink`, which
writes it under a temporary name, fsyncs and renames it. `manifest.json` comes last,
the same way. The same run, store content and parameters give the same bytes, so
a rerun after a crash overwrites the partial directory with an identical result.
File format: docs/export.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from consentry import telemetry
from consentry.diagnostics import filter_profile
from consentry.domain.errors import InvalidInput, InvalidState
from consentry.export.content import ContentTally
from consentry.export.formats import (
    FEEDBACK_SCHEMA,
    MESSAGE_SCHEMA,
    ShardEncoder,
    encoder_for,
    iso_utc,
)
from consentry.export.manifest import MANIFEST_NAME, canonical_json, shard_name
from consentry.export.pseudonyms import Pseudonymizer
from consentry.export.sealed import SealingSink
from consentry.export.sink import DirectorySink, ExportSink, StoredFile
from consentry.redaction import Redactor, build_redactor, prefetch
from consentry.service.context import Context
from consentry.service.keys import run_scope
from consentry.service.records import RunRecord
from consentry.service.runs import get_run

Progress = Callable[[int], None]
SESSIONS_PER_PAGE_DIVISOR = 20
"""A window holds `batch_rows / 20` sessions: about one page for ten-message sessions."""


@dataclass(frozen=True)
class ExportedFile:
    path: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class ExportCounts:
    sessions: int = 0
    messages: int = 0
    feedback: int = 0


@dataclass(frozen=True)
class ExportResult:
    """The files of a complete export, shards first and ``manifest.json`` last."""

    directory: str
    files: list[ExportedFile]
    counts: ExportCounts = field(default_factory=ExportCounts)
    unavailable: ExportCounts = field(default_factory=ExportCounts)


@telemetry.traced(
    "consentry.export",
    lambda kw: {"consentry.run.id": kw["run_id"], "consentry.export.format": kw.get("fmt")},
    lambda result: {"consentry.export.files": len(result.files)},
)
def export_run(
    ctx: Context,
    *,
    run_id: str,
    out_dir: str,
    fmt: str = "parquet",
    shard_rows: int = 50_000,
    batch_rows: int = 5_000,
    progress: Progress | None = None,
) -> ExportResult:
    """Write run `run_id` to ``<out_dir>/<run_id>/`` (R25); see the module docstring.

    Raises InvalidInput for a bad format or sizes, NotFound for an unknown run,
    Conflict when another export holds the directory, and RedactionError when the
    filter fails (the directory then has no manifest: it is incomplete).
    """
    encoder = encoder_for(fmt)
    run = get_run(ctx, run_id=run_id)
    if not run.id or run.id in (".", "..") or "/" in run.id or "\\" in run.id:
        raise InvalidState(f"run id {run.id!r} cannot name a directory")
    sink: ExportSink = DirectorySink(Path(out_dir) / run.id)
    if ctx.shredder is not None:  # issue 26: shards sealed under the run's key
        key = ctx.shredder.keys.data_key(run_scope(run.id), create=True)
        assert key is not None
        sink = SealingSink(sink, key, run.id)
    with sink:
        return write_export(
            ctx,
            run=run,
            sink=sink,
            encoder=encoder,
            shard_rows=shard_rows,
            batch_rows=batch_rows,
            progress=progress,
        )


def write_export(
    ctx: Context,
    *,
    run: RunRecord,
    sink: ExportSink,
    encoder: ShardEncoder,
    shard_rows: int,
    batch_rows: int,
    progress: Progress | None = None,
) -> ExportResult:
    """The export itself, over any sink (the directory adapter or a fake)."""
    if shard_rows < 1 or batch_rows < 1:
        raise InvalidInput("shard_rows and batch_rows must be at least 1")
    pseudonym = Pseudonymizer(run.pseudonym_secret)
    redactor = build_redactor(ctx.policy, pseudonym.key)
    tally = _Tally(progress)
    content = ContentTally()  # the AI Act summary's numbers (docs/rules.md P7)
    sink.begin()
    stored: list[StoredFile] = []
    for kind, schema, rows in (
        (
            "messages",
            MESSAGE_SCHEMA,
            _message_rows(ctx, run, pseudonym, redactor, tally, batch_rows, content),
        ),
        (
            "feedback",
            FEEDBACK_SCHEMA,
            _feedback_rows(ctx, run, pseudonym, redactor, tally, batch_rows),
        ),
    ):
        batches = _batches(rows, schema, batch_rows=batch_rows, shard_rows=shard_rows)
        stored += _put_shards(sink, run, encoder, kind, schema, batches)
    counts, unavailable = _counts(ctx, run, tally)
    manifest = build_manifest(
        run,
        encoder.name,
        counts,
        unavailable,
        stored,
        filter_profile(redactor),
        content=content.result(),
    )
    if (encryption := getattr(sink, "encryption", None)) is not None:
        manifest["encryption"] = encryption  # issue 26: shards sealed (export/sealed.py)
    sink.seal()  # the shards' names are durable before the manifest can be
    manifest_file = sink.put(
        MANIFEST_NAME, lambda stream: _write_bytes(stream, canonical_json(manifest))
    )
    sink.seal()
    files = [ExportedFile(f.path, f.sha256, f.rows) for f in [*stored, manifest_file]]
    return ExportResult(sink.location, files, counts, unavailable)


def _put_shards(
    sink: ExportSink,
    run: RunRecord,
    encoder: ShardEncoder,
    kind: str,
    schema: pa.Schema,
    batches: Iterator[tuple[int, pa.RecordBatch]],
) -> list[StoredFile]:
    """One kind's batches as shards, numbered from 0; an empty kind still gets one empty
    shard, so readers always find a schema."""
    stored: list[StoredFile] = []
    for index, shard in groupby(batches, key=lambda item: item[0]):
        parts = (batch for _, batch in shard)
        name = shard_name(kind, index, encoder.extension)
        stored.append(_put_shard(sink, run, name, _writer(encoder, schema, parts)))
    if not stored:
        name = shard_name(kind, 0, encoder.extension)
        stored.append(_put_shard(sink, run, name, _writer(encoder, schema, iter(()))))
    return stored


def _counts(ctx: Context, run: RunRecord, tally: _Tally) -> tuple[ExportCounts, ExportCounts]:
    """The run's counts, and what of them the export could no longer find (purged since
    the cutoff); refused when the store yields more than the run counted."""
    with ctx.uow(read_only=True) as uow:
        purged_sessions = uow.runs.export_unavailable(run.id).sessions
    if tally.messages > run.messages or tally.feedback > run.feedback:
        raise InvalidState(
            f"run {run.id}: the store now yields more rows than were counted at the cutoff"
            f" ({tally.messages}/{run.messages} messages, {tally.feedback}/{run.feedback} feedback)"
        )
    counts = ExportCounts(run.sessions, run.messages, run.feedback)
    unavailable = ExportCounts(
        purged_sessions, run.messages - tally.messages, run.feedback - tally.feedback
    )
    return counts, unavailable


def _put_shard(
    sink: ExportSink, run: RunRecord, name: str, writer: Callable[[BinaryIO], int]
) -> StoredFile:
    """One shard into the sink, in its own span when tracing is on."""
    attributes = {"consentry.run.id": run.id, "consentry.export.shard": name}
    with telemetry.span("consentry.export.shard", attributes) as current:
        stored = sink.put(name, writer)
        telemetry.set_attribute(current, "consentry.export.rows", stored.rows)
    return stored


def build_manifest(
    run: RunRecord,
    fmt: str,
    counts: ExportCounts,
    unavailable: ExportCounts,
    shards: list[StoredFile],
    filtered_by: dict[str, Any],
    *,
    content: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest's content; ``filtered_by`` is :func:`~consentry.diagnostics.filter_profile`,
    ``content`` the :class:`~consentry.export.content.ContentTally` result (P7)."""
    manifest = {
        "run_id": run.id,
        "purpose": run.purpose.value,
        "cutoff": iso_utc(run.cutoff),
        "policy_digest": run.policy_digest,
        "ledger_head": run.ledger_head,
        "format": fmt,
        "counts": _counts_json(counts),
        "unavailable": _counts_json(unavailable),
        "shards": [{"path": s.name, "sha256": s.sha256, "rows": s.rows} for s in shards],
        "filter": filtered_by,
        "complete": True,
    }
    if content is not None:
        manifest["content"] = content
    return manifest


def _counts_json(counts: ExportCounts) -> dict[str, int]:
    return {"sessions": counts.sessions, "messages": counts.messages, "feedback": counts.feedback}


class _Tally:
    def __init__(self, progress: Progress | None) -> None:
        self.messages = 0
        self.feedback = 0
        self._progress = progress

    def add(self, messages: int = 0, feedback: int = 0) -> None:
        self.messages += messages
        self.feedback += feedback
        if self._progress is not None:
            self._progress(self.messages + self.feedback)


def _write_bytes(stream: BinaryIO, data: bytes) -> int:
    stream.write(data)
    return 0


def _writer(
    encoder: ShardEncoder, schema: pa.Schema, batches: Iterator[pa.RecordBatch]
) -> Callable[[BinaryIO], int]:
    return lambda stream: encoder.encode(stream, schema, batches)


Row = tuple[Any, ...]


def _message_rows(
    ctx: Context,
    run: RunRecord,
    pseudonym: Pseudonymizer,
    redactor: Redactor,
    tally: _Tally,
    page: int,
    counted: ContentTally,
) -> Iterator[Row]:
    """(session, account, kind, surface, seq, role, text, at) in export order; each row
    is also counted into ``counted``.

    Walks the manifest in windows of sessions, and each window in keyset pages of
    `page` messages, every read in its own short transaction.
    """
    window = max(1, page // SESSIONS_PER_PAGE_DIVISOR)
    last_session = ""
    current, session_p, account_p, seq = "", "", "", 0
    while True:
        with ctx.uow(read_only=True) as uow:
            ids = uow.runs.export_session_window(run.id, after=last_session, limit=window)
        if not ids:
            return
        span = (ids[0], ids[-1])
        after: tuple[str, datetime, str] | None = None
        while True:
            with ctx.uow(read_only=True) as uow:
                rows = uow.runs.export_messages_page(
                    run.id, cutoff=run.cutoff, sessions=span, after=after, limit=page
                )
            prefetch(redactor, (row.content for row in rows))  # NER models see the page at once
            for row in rows:
                if row.session_id != current:
                    current, seq = row.session_id, 0
                    session_p = pseudonym("session", row.session_id)
                    account_p = pseudonym("account", row.account_id)
                text = redactor.redact(row.content).text
                kind, surface, at = row.kind, row.surface, row.at
                counted.add(session=session_p, kind=kind, surface=surface, text=text, at=at)
                yield (session_p, account_p, kind, surface, seq, row.role, text, at)
                seq += 1
            tally.add(messages=len(rows))
            if len(rows) < page:
                break
            last = rows[-1]
            after = (last.session_id, last.at, last.message_id)
        last_session = span[1]


def _feedback_rows(
    ctx: Context,
    run: RunRecord,
    pseudonym: Pseudonymizer,
    redactor: Redactor,
    tally: _Tally,
    page: int,
) -> Iterator[Row]:
    """(feedback, rating, comment, at) by real feedback id; nothing links to a session (R13)."""
    after: str | None = None
    while True:
        with ctx.uow(read_only=True) as uow:
            rows = uow.runs.export_feedback_page(run.id, after=after, limit=page)
        prefetch(redactor, (row.comment for row in rows))
        for row in rows:
            text = None if row.comment is None else redactor.redact(row.comment).text
            yield (pseudonym("feedback", row.feedback_id), row.rating, text, row.at)
        tally.add(feedback=len(rows))
        if len(rows) < page:
            return
        after = rows[-1].feedback_id


def _batches(
    rows: Iterator[Row], schema: pa.Schema, *, batch_rows: int, shard_rows: int
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """(shard index, record batch): batches of `batch_rows`, never spanning a shard.

    Boundaries depend only on row positions, never on how the store paged, so the
    bytes depend only on the content and the two sizes.
    """
    width = len(schema)
    columns: list[list[Any]] = [[] for _ in range(width)]
    position = 0  # rows emitted so far

    def flush() -> tuple[int, pa.RecordBatch]:
        batch = pa.RecordBatch.from_arrays(
            [pa.array(col, type=schema.field(i).type) for i, col in enumerate(columns)],
            schema=schema,
        )
        for col in columns:
            col.clear()
        return (position - 1) // shard_rows, batch

    for row in rows:
        for i in range(width):
            columns[i].append(row[i])
        position += 1
        if len(columns[0]) == batch_rows or position % shard_rows == 0:
            yield flush()
    if columns[0]:
        yield flush()
