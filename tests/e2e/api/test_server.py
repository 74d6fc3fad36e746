"""`serve()` wiring and the structured log format."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi import FastAPI

from consentry.config.settings import Settings
from consentry.entrypoints.api import server
from consentry.entrypoints.api.logs import REQUEST_ID, JsonFormatter


def _serve(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> dict[str, Any]:
    ran: dict[str, Any] = {}

    def fake_run(app: FastAPI, **kwargs: Any) -> None:
        ran.update(kwargs, app=app)

    monkeypatch.setattr(server.uvicorn, "run", fake_run)
    monkeypatch.setattr(server, "configure_logging", lambda: None)  # keep pytest's handlers
    server.serve(settings, "127.0.0.1", 8123)
    return ran


def test_serve_warns_when_no_admin_token_is_configured(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, sqlite_url: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="consentry.api"):
        ran = _serve(monkeypatch, Settings(database_url=sqlite_url))
    assert (ran["host"], ran["port"]) == ("127.0.0.1", 8123)
    assert isinstance(ran["app"], FastAPI)
    assert any("no admin token" in r.getMessage() for r in caplog.records)


def test_serve_is_quiet_with_an_admin_token(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, sqlite_url: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="consentry.api"):
        _serve(monkeypatch, Settings(database_url=sqlite_url, admin_token="t" * 40))
    assert not any("no admin token" in r.getMessage() for r in caplog.records)


def test_json_log_lines_carry_the_request_id_and_extras() -> None:
    record = logging.LogRecord(
        "consentry.api.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None
    )
    record.status = 200
    token = REQUEST_ID.set("req-1")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        REQUEST_ID.reset(token)
    assert line["message"] == "GET /x"
    assert line["request_id"] == "req-1"
    assert line["status"] == 200
    assert line["level"] == "info"
    assert line["time"].endswith("Z")
