"""Errors as JSON answers: ``{"error": {"code", "message"}}``.

Which status, code and message an error gets is decided once, for the API and the web
pages alike, by :func:`consentry.entrypoints.errors.answer_for`; this module renders it
as JSON and adds what only the API has (request validation, routing errors):

* :class:`~consentry.domain.errors.ConsentryError` answers its own ``status`` and ``code``.
* FastAPI's request validation answers 422 ``validation_error`` naming the fields.
* Routing answers 404 ``not_found`` and 405 ``method_not_allowed``.
* The sensitive-data filter failing closed answers 500 ``redaction_failed``: nothing left.
* 429 ``rate_limited`` (failed authentications or sign-ups from one address) carries
  ``Retry-After`` with the seconds until the address is let in again.
* 503 ``busy`` (a run that could not get past writers in time, or a PostgreSQL statement
  or lock timeout: another transaction held things up) carries ``Retry-After``.
* Anything unexpected answers 500 ``internal_error`` with no detail (the log has it);
  :mod:`consentry.entrypoints.api.middleware` calls :func:`internal_error` for that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from consentry.domain.errors import ConsentryError
from consentry.entrypoints.api.deps import refusal_before_validation
from consentry.entrypoints.api.schemas import ErrorBody
from consentry.entrypoints.errors import answer_for
from consentry.entrypoints.web.http_errors import browser_error_page
from consentry.redaction.errors import RedactionError

_HTTP_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}


# Declared on every route so the OpenAPI document (and schemathesis) know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": code}
    for status, code in {
        401: "unauthenticated",
        403: "forbidden or choice_required",
        404: "not_found",
        409: "a conflict with the current state",
        413: "too_large",
        422: "validation_error or a specific code",
        429: "rate_limited (with Retry-After)",
        500: "internal_error or redaction_failed",
    }.items()
}


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


def internal_error() -> JSONResponse:
    return error_response(500, "internal_error", "an unexpected error occurred; it was logged")


def _describe(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is not valid"


async def _answer(_request: Request, exc: Exception) -> JSONResponse:
    """ConsentryError, RedactionError and database timeouts, as `answer_for` maps them."""
    answer = answer_for(exc)
    if answer is None:
        raise exc  # a database error that is not a timeout: the middleware answers 500
    return error_response(answer.status, answer.code, answer.message, answer.headers or None)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    refused = await refusal_before_validation(request, exc.errors())  # 401 first
    if refused is not None:
        return await _answer(request, refused)
    return error_response(422, "validation_error", _describe(exc))


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    pages = getattr(request.app.state, "pages", None)
    if pages is not None:  # a browser gets a page (issue 18); see web.http_errors
        code = _HTTP_CODES.get(exc.status_code, "error")
        page = browser_error_page(pages, request, exc.status_code, code)
        if page is not None:
            return page
    if exc.status_code == 400:
        # A body that cannot be parsed at all (not UTF-8, not JSON) is bad input like any
        # other: 422 `validation_error`, the one code clients handle for it (SPEC §3).
        return error_response(422, "validation_error", "the request body is not valid JSON")
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code
    if exc.status_code == 404:
        message = "no such resource"
    return error_response(exc.status_code, code, message, exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    for mapped in (ConsentryError, RedactionError, OperationalError):
        app.add_exception_handler(mapped, _answer)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
