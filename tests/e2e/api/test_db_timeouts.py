"""One stuck transaction cannot hang the API (issue 17 item 1): on PostgreSQL a request
that waits on a lock past `db_lock_timeout_ms` answers 503 `busy` with Retry-After."""

from __future__ import annotations

import time

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from tests.conftest import BEFORE_DEADLINE
from tests.e2e.api.conftest import Api, client_for, expect


def test_request_behind_a_stuck_transaction_answers_busy_quickly(pg_url: str) -> None:
    from tests.conftest import _reset_postgres

    _reset_postgres(pg_url)
    core = build(
        Settings(database_url=pg_url, db_lock_timeout_ms=300),
        migrate=False,
        clock=TestClock(BEFORE_DEADLINE),
    )
    try:
        with client_for(core) as client:
            api = Api(client)
            user = api.signup()
            session = api.start_session(user)["session_id"]
            stuck = core.engine.connect()
            try:
                # Someone's transaction holds the messages table and goes no further.
                stuck.exec_driver_sql("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
                started = time.monotonic()
                answer = client.post(
                    f"/v1/me/sessions/{session}/messages",
                    json={"role": "user", "content": "hello"},
                    headers=user.headers,
                )
                waited = time.monotonic() - started
            finally:
                stuck.rollback()
                stuck.close()
            expect(answer, 503, "busy")
            assert answer.headers["retry-after"].isdigit()
            assert waited < 5
            api.message(user, session)  # and the store serves again once it is free
    finally:
        core.engine.dispose()
