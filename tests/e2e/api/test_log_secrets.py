"""Failed statements leave no message content, secrets or row values in the log (issue 17
item 1). The store is made to refuse the write from inside the database, so the real
driver error travels through the real engine, route and middleware."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from consentry.bootstrap import App
from tests.e2e.api.conftest import ADMIN, Api, client_for, expect

CONTENT = "PRIVATE: my password is hunter2"
SECRET = "webhook-secret-correct-horse-battery-staple"


def _refuse(engine: Engine, table: str, column: str, marker: str) -> Iterator[None]:
    """Make inserts into `table` whose `column` starts with `marker` fail in the database.

    PostgreSQL: a CHECK constraint, whose error quotes the whole failing row in its DETAIL
    line. SQLite: a trigger (SQLite cannot add a constraint to a table).
    """
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if postgres:
            conn.exec_driver_sql(
                f"ALTER TABLE {table} ADD CONSTRAINT test_refuse "
                f"CHECK (substr({column}, 1, {len(marker)}) <> '{marker}') NOT VALID"
            )
        else:
            conn.exec_driver_sql(
                f"CREATE TRIGGER test_refuse BEFORE INSERT ON {table} "
                f"WHEN substr(NEW.{column}, 1, {len(marker)}) = '{marker}' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
    try:
        yield
    finally:
        with engine.begin() as conn:
            if postgres:
                conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT test_refuse")
            else:
                conn.exec_driver_sql("DROP TRIGGER test_refuse")


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """Everything the records hold: messages, formatted tracebacks and every extra field."""
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(json.dumps(record.__dict__, default=str))
    return "\n".join(parts)


def _unhandled(caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    records = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert len(records) == 1, [r.getMessage() for r in caplog.records]
    return records[0]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def test_failed_message_insert_logs_the_statement_not_the_content(
    api: Api, core: App, logs: pytest.LogCaptureFixture
) -> None:
    user = api.signup()
    session = api.start_session(user)["session_id"]
    for _ in _refuse(core.engine, "messages", "content", "PRIVATE"):
        logs.clear()
        answer = api.client.post(
            f"/v1/me/sessions/{session}/messages",
            json={"role": "user", "content": CONTENT},
            headers=user.headers,
        )
        expect(answer, 500, "internal_error")
    record = _unhandled(logs)
    trace = record.__dict__["exception"]
    # The shape of the failure is there: the statement and the database's error...
    assert "INSERT INTO messages" in trace
    assert ("check constraint" in trace) or ("refused by the test" in trace)
    # ...its values are not: no parameters, no PostgreSQL DETAIL quoting the row.
    logged = _logged(logs)
    assert "hunter2" not in logged
    assert "PRIVATE" not in logged
    assert "Failing row" not in logged
    assert user.token not in logged


def test_failed_webhook_registration_logs_no_secret(
    core: App, logs: pytest.LogCaptureFixture
) -> None:
    # A loopback target, so that the URL passes the SSRF guard and the insert is reached.
    internal = dataclasses.replace(
        core, settings=dataclasses.replace(core.settings, webhook_allow_private=True)
    )
    for _ in _refuse(core.engine, "webhook_endpoints", "url", "http://127.0.0.1:9/"):
        logs.clear()
        with client_for(internal) as client:
            answer = client.post(
                "/v1/admin/webhooks",
                json={"url": "http://127.0.0.1:9/refused", "secret": SECRET},
                headers=ADMIN,
            )
        expect(answer, 500, "internal_error")
    trace = _unhandled(logs).__dict__["exception"]
    assert "INSERT INTO webhook_endpoints" in trace
    logged = _logged(logs)
    assert SECRET not in logged
    assert "correct-horse" not in logged
