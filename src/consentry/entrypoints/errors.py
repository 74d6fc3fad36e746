"""The one mapping from an error to its answer, for both faces of the service (issue 20).

:func:`answer_for` decides status, stable code, message and headers once; the API renders
the answer as ``{"error": {"code", "message"}}`` (:mod:`consentry.entrypoints.api.errors`)
and the web pages as an HTML error page in the reader's language
(:meth:`consentry.entrypoints.web.render.Web.route_class`). So an error that reaches a
page is a page, whatever it is, and its code is the one the API would give:

* :class:`~consentry.domain.errors.ConsentryError`: its own ``status`` and ``code``
  (401 carries ``WWW-Authenticate: Bearer``; 429 ``rate_limited`` its ``Retry-After``).
* :class:`~consentry.redaction.errors.RedactionError`: 500 ``redaction_failed``; the filter
  fails closed, so nothing was written.
* A PostgreSQL lock or statement timeout: 503 ``busy`` with ``Retry-After``.
* Anything else: None. The caller lets it through; the middleware logs it (without
  messages) and answers 500 ``internal_error``.

Request validation is worded per face (the fields for the API, "the form was not
complete" for a page) and stays with each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.exc import OperationalError

from consentry.domain.errors import ConsentryError, RateLimited
from consentry.redaction.errors import RedactionError

RETRY_AFTER_S = 5
"""What a 503 `busy` answer asks the client to wait before trying again."""
HEADERS_BY_STATUS: Mapping[int, Mapping[str, str]] = {
    401: {"WWW-Authenticate": "Bearer"},
    503: {"Retry-After": str(RETRY_AFTER_S)},
}
REDACTION_FAILED = "the sensitive-data filter failed; it fails closed, so nothing was exported"
BUSY = "the database did not answer in time (another transaction held it up); retry"
_TIMED_OUT = {"55P03", "57014"}
"""PostgreSQL's lock_not_available (lock_timeout) and query_canceled (statement_timeout)."""


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    status: int
    code: str
    message: str
    headers: Mapping[str, str] = field(default_factory=dict)


def answer_for(error: BaseException) -> ErrorAnswer | None:
    """The answer to `error`, or None for an unexpected one (500 ``internal_error``)."""
    if isinstance(error, ConsentryError):
        headers = HEADERS_BY_STATUS.get(error.status, {})
        if isinstance(error, RateLimited):
            headers = {"Retry-After": str(error.retry_after)}
        return ErrorAnswer(error.status, error.code, error.message, headers)
    if isinstance(error, RedactionError):
        return ErrorAnswer(500, "redaction_failed", REDACTION_FAILED)
    if isinstance(error, OperationalError) and getattr(error.orig, "sqlstate", None) in _TIMED_OUT:
        return ErrorAnswer(503, "busy", BUSY, HEADERS_BY_STATUS[503])
    return None
