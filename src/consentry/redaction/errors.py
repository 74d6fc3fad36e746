"""Errors raised by the sensitive-data filter.

The filter never fails open: whenever it cannot vouch for its output it raises
instead of returning text that might still hold sensitive data.

    RedactionError                 any failure inside the filter (bad input type,
     │                             a detector or NER stage that crashed, ...)
     └── MalformedLineError        `redact_jsonl` met a line that is not a JSON
                                   object with a string "text" field; carries
                                   the 1-based line number
"""

from __future__ import annotations


class RedactionError(Exception):
    """The filter could not produce a trustworthy result; nothing was returned."""


class MalformedLineError(RedactionError):
    """A JSON Lines input line is not ``{"text": <string>, ...}``."""

    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number
        self.reason = reason
