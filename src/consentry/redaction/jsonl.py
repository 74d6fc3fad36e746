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

import json
from typing import TextIO

from .engine import Redactor
from .errors import MalformedLineError, RedactionError


def redact_jsonl(in_stream: TextIO, out_stream: TextIO, redactor: Redactor) -> int:
    """Filter every line of ``in_stream`` into ``out_stream``; return lines written."""
    written = 0
    for line_number, line in enumerate(in_stream, start=1):
        if not line.strip():
            continue
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
        try:
            result = redactor.redact(text)
        except RedactionError as exc:
            raise RedactionError(f"line {line_number}: {exc}") from exc
        out = {"text": result.text, "findings": [f.to_json() for f in result.findings]}
        out_stream.write(json.dumps(out, ensure_ascii=False) + "\n")
        written += 1
    return written
