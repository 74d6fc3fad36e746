"""Database spans for :mod:`consentry.telemetry`: one client span per statement.

A listener on SQLAlchemy's cursor events (every engine) names the span by the
statement's operation (``db SELECT``) and records ``db.system``, ``db.operation.name``
and ``db.query.text``: the statement as SQLAlchemy compiled it, with its placeholders
(``?``, ``%(name)s``) where the values go. The parameters are never read, so no account
token, message text or other value reaches a span. Statements run inside a traced block
(a request, a run's creation) become its children.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from consentry import telemetry

_lock = threading.Lock()
_installed = False


def operation(statement: str) -> str:
    words = statement.lstrip().split(None, 1)
    return words[0].upper() if words else "SQL"


def _before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any) -> None:
    tracer = telemetry.tracer()
    if tracer is None or context is None:
        return
    from opentelemetry.trace import SpanKind

    name = operation(statement)
    context._consentry_span = tracer.start_span(
        f"db {name}",
        kind=SpanKind.CLIENT,
        attributes={
            "db.system": conn.dialect.name,
            "db.operation.name": name,
            "db.query.text": statement,
        },
    )


def _after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: Any) -> None:
    started = getattr(context, "_consentry_span", None)
    if started is not None:
        started.end()
        context._consentry_span = None


def _failed(exception_context: Any) -> None:
    context = exception_context.execution_context
    started = getattr(context, "_consentry_span", None)
    if started is None:
        return
    from opentelemetry.trace import Status, StatusCode

    error = type(exception_context.original_exception).__name__
    started.set_status(Status(StatusCode.ERROR, error))
    started.end()
    context._consentry_span = None


def listen_to_databases() -> None:
    """Install the listeners once, for every engine (cheap no-ops while tracing is off)."""
    global _installed
    with _lock:
        if _installed:
            return
        event.listen(Engine, "before_cursor_execute", _before)
        event.listen(Engine, "after_cursor_execute", _after)
        event.listen(Engine, "handle_error", _failed)
        _installed = True
