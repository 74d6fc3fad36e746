"""JSON Lines front end: the ``consentry redact`` contract (SPEC §3).

Each input line is ``{"text": <string>, ...}``; each output line is
``{"text": <filtered>, "findings": [{"type", "start", "end"}, ...]}`` with
offsets into the input text. Other input fields are dropped (they have not been
filtered). Blank lines are skipped; any other line that is not such an object
raises :class:`MalformedLineError` carrying its 1-based line number; so does a
text holding a lone surrogate (``"\\ud800"``: valid JSON, not valid Unicode text,
and not writable as UTF-8).
"""

from __future__ import annotations

import contextlib
import json
from typing import TextIO

from .engine import Redactor
from .errors import MalformedLineError, RedactionError
from .pipeline import prefetch

BATCH_LINES = 256  # lines whose texts the NER models see at once (memory bounded per batch)


def redact_jsonl(
    in_stream: TextIO, out_stream: TextIO, redactor: Redactor, *, batch_lines: int = BATCH_LINES
) -> int:
    """Filter every line of ``in_stream`` into ``out_stream``; return lines written.

    Lines are read in batches of ``batch_lines`` so that a NER stage sees their texts at
    once (:func:`~consentry.redaction.pipeline.prefetch`); output order, and the line
    number a bad line or a failing filter is reported with, are those of one-by-one
    filtering: the lines before a bad one are written first.
    """
    written = 0
    batch: list[tuple[int, str]] = []
    for line_number, line in enumerate(in_stream, start=1):
        if not line.strip():
            continue
        try:
            batch.append((line_number, _text(line_number, line)))
        except MalformedLineError:
            _flush(batch, out_stream, redactor)
            raise
        if len(batch) >= batch_lines:
            written += _flush(batch, out_stream, redactor)
            batch = []
    return written + _flush(batch, out_stream, redactor)


def _text(line_number: int, line: str) -> str:
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise MalformedLineError(line_number, "not valid JSON") from exc
    if not isinstance(record, dict):
        raise MalformedLineError(line_number, "not a JSON object")
    text = record.get("text")
    if not isinstance(text, str):
        raise MalformedLineError(line_number, 'no string "text" field')
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # "\ud800": JSON allows it, UTF-8 does not
            raise MalformedLineError(line_number, "text holds a lone surrogate") from exc
    return text


def _flush(batch: list[tuple[int, str]], out_stream: TextIO, redactor: Redactor) -> int:
    if not batch:
        return 0
    # On failure each line is filtered on its own below, so the failing line is the one named.
    with contextlib.suppress(RedactionError):
        prefetch(redactor, (text for _, text in batch))
    for line_number, text in batch:
        try:
            result = redactor.redact(text)
        except RedactionError as exc:
            raise RedactionError(f"line {line_number}: {exc}") from exc
        out = {"text": result.text, "findings": [f.to_json() for f in result.findings]}
        out_stream.write(json.dumps(out, ensure_ascii=False) + "\n")
    return len(batch)
