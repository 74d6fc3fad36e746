"""Tracebacks safe to log: exception types and frames, never the messages (issue 17).

Shared by the API's request logs and the outbox worker, neither of which may import the
other, so it lives beside them rather than in an entry point.
"""

from __future__ import annotations

import traceback

from sqlalchemy.exc import StatementError


def redacted_traceback(error: BaseException) -> str:
    """A traceback that names each exception's type and frames but not its message.

    Exception messages quote whatever they were handed: a pydantic error its input, a
    `KeyError` its key, a driver error the failing row. Only database statement errors
    keep their text, which the engine has already stripped of parameters and row values
    (:func:`consentry.adapters.sql.engine.make_engine`), so the log shows the statement's
    shape and the error, never message content, secrets or token hashes (issue 17).
    """
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        cause = current.__cause__
        current = (
            cause if cause is not None or current.__suppress_context__ else current.__context__
        )
    lines: list[str] = []
    for item in reversed(chain):
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_list(traceback.extract_tb(item.__traceback__)))
        kind = type(item)
        lines.append(f"{kind.__module__}.{kind.__qualname__}: {_safe_message(item)}\n")
    return "".join(lines)


def _safe_message(error: BaseException) -> str:
    if isinstance(error, StatementError) and error.hide_parameters:
        return str(error)
    if isinstance(getattr(error, "sqlstate", None), str):
        return str(error)  # a driver error the engine scrubbed (engine._scrub_postgres_errors)
    return "(message withheld from the log)"
