"""Structured (JSON lines) logs carrying the request id of the request being served."""

from __future__ import annotations

import json
import logging
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import StatementError

REQUEST_ID: ContextVar[str | None] = ContextVar("consentry_request_id", default=None)

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: int | str = logging.INFO) -> None:
    """Route consentry's and uvicorn's logs through one JSON handler on standard error."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True


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
