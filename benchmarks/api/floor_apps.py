"""The floor applications of ``floor.py`` (issue 22): the essential work of each endpoint.

One minimal FastAPI app per endpoint of the benchmark mix, each doing only what the
endpoint must and nothing consentry adds around it (no middleware, no outbox, no
Merkle tree, no metrics):

* ``append`` (``POST /v1/me/sessions/{id}/messages``): hash the bearer token, find the
  account, check the session is its own, insert one message, commit, 201 JSON.
* ``session`` (``POST /v1/me/sessions``): find the token's account, decide coverage and
  retention from its plan and choice (R9, R12), insert one session, commit, 201 JSON.
* ``privacy`` (``GET /v1/me/privacy``): find the token's account, answer the privacy
  object (SPEC §3) computed from its row.
* ``choice`` (``PUT /v1/me/privacy``): find the token's account, then in one write
  transaction read the ledger head, insert one hash-chained consent event (R27), move
  the head, update the account's choice; commit, 200 with the privacy object.

SQLite: one ``sqlite3`` connection per worker, called straight from the event loop (WAL,
the ``synchronous`` consentry runs with, writes in ``BEGIN IMMEDIATE``). PostgreSQL:
``PG_POOL`` ``psycopg`` async connections per worker (``synchronous_commit`` left on;
reads in autocommit, one round trip; the ledger head locked ``FOR UPDATE``). The append's
apps are the ones every earlier round of docs/bench/api.md measured, unchanged.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, token_hash TEXT UNIQUE NOT NULL,"
    " plan TEXT NOT NULL DEFAULT 'free', training TEXT NOT NULL DEFAULT 'on',"
    " terms_accepted TEXT)",
    "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, account_id TEXT NOT NULL"
    " REFERENCES accounts(id), kind TEXT NOT NULL DEFAULT 'chat', covered INTEGER NOT NULL"
    " DEFAULT 0, created_at TEXT, retain_until TEXT)",
    "CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, session_id TEXT NOT NULL"
    " REFERENCES sessions(id), role TEXT NOT NULL, content TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS consent_events (seq INTEGER PRIMARY KEY, account_id TEXT NOT"
    " NULL REFERENCES accounts(id), at TEXT NOT NULL, value TEXT NOT NULL, terms_version TEXT"
    " NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS ledger_head (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL,"
    " hash TEXT NOT NULL)",
)
SEED_HEAD = "INSERT INTO ledger_head VALUES (1, 0, '0000')"
PG_POOL = 4  # async connections per floor worker
TERMS = "2025-08-28"
CONSUMER = ("free", "pro", "max")
ENDPOINTS = ("append", "session", "privacy", "choice")

_ACCOUNT = "SELECT id, plan, training, terms_accepted FROM accounts WHERE token_hash = ?"
_INSERT_SESSION = "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)"
_HEAD = "SELECT seq, hash FROM ledger_head WHERE id = 1"
_INSERT_EVENT = "INSERT INTO consent_events VALUES (?, ?, ?, ?, ?, ?, ?)"
_MOVE_HEAD = "UPDATE ledger_head SET seq = ?, hash = ? WHERE id = 1"
_SET_CHOICE = "UPDATE accounts SET training = ?, terms_accepted = ? WHERE id = ?"

Row = tuple[Any, ...]


def _error(status: int, code: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": code}}, status_code=status)


def _digest(token_header: str | None) -> str | None:
    if not token_header or not token_header.startswith("Bearer "):
        return None
    return hashlib.sha256(token_header[7:].encode()).hexdigest()


def _parse(token_header: str | None, body: Any) -> tuple[str, str, str] | JSONResponse:
    if not token_header or not token_header.startswith("Bearer "):
        return _error(401, "unauthenticated")
    if not isinstance(body, dict) or body.get("role") not in ("user", "assistant"):
        return _error(400, "invalid_input")
    content = body.get("content")
    if not isinstance(content, str) or not content:
        return _error(400, "invalid_input")
    digest = hashlib.sha256(token_header[7:].encode()).hexdigest()
    return digest, body["role"], content


def _privacy(account: Row, training: str | None = None, terms: str | None = None) -> JSONResponse:
    """The SPEC §3 privacy object of an account row (id, plan, training, terms_accepted)."""
    account_id, plan, stored, accepted = account
    training, terms = training or stored, terms or accepted
    consumer = plan in CONSUMER
    notice = None
    if consumer and terms != TERMS:
        notice = {"terms_version": TERMS, "deadline": "2025-10-08T00:00:00Z", "can_defer": False}
        notice["default_training"] = "on"
    days = (1825 if training == "on" else 30) if consumer else 30
    answer = {
        "account_id": account_id,
        "plan": plan,
        "scope": "consumer" if consumer else "commercial",
        "training": training if consumer else "not_applicable",
        "terms_version_accepted": terms,
        "notice": notice,
        "blocked": False,
        "retention_days": days,
    }
    return JSONResponse(answer)


def _new_session(account: Row) -> tuple[str, bool, str, str]:
    covered = account[1] in CONSUMER and account[2] == "on"  # R9: consumer, not incognito, on
    at = datetime.now(UTC)
    until = at + timedelta(days=1825 if covered else 30)  # R12
    return "ses_" + secrets.token_hex(12), covered, at.isoformat(), until.isoformat()


def _event(account_id: str, value: str, head: Row) -> tuple[Row, str]:
    """The next hash-chained consent event (R27) after `head` (seq, hash)."""
    seq, prev = head[0] + 1, head[1]
    at = datetime.now(UTC).isoformat()
    entry = [seq, account_id, at, "choice", value, "settings", TERMS, prev]
    digest = hashlib.sha256(json.dumps(entry, separators=(",", ":")).encode()).hexdigest()
    return (seq, account_id, at, value, TERMS, prev, digest), digest


def _sqlite_app(path: str) -> FastAPI:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    synchronous = os.environ.get("CONSENTRY_SQLITE_SYNCHRONOUS", "FULL")  # consentry's knob
    conn.execute(f"PRAGMA synchronous={'NORMAL' if synchronous == 'NORMAL' else 'FULL'}")
    app = FastAPI()

    def write(*statements: tuple[str, Row]) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                conn.execute(sql, params)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def account(request: Request) -> Row | None:
        digest = _digest(request.headers.get("authorization"))
        return None if digest is None else conn.execute(_ACCOUNT, (digest,)).fetchone()

    @app.post("/v1/me/sessions/{session_id}/messages", status_code=201)
    async def append(session_id: str, request: Request) -> JSONResponse:
        parsed = _parse(request.headers.get("authorization"), await request.json())
        if isinstance(parsed, JSONResponse):
            return parsed
        digest, role, content = parsed
        row = conn.execute("SELECT id FROM accounts WHERE token_hash = ?", (digest,)).fetchone()
        if row is None:
            return _error(401, "unauthenticated")
        owner = conn.execute("SELECT account_id FROM sessions WHERE id = ?", (session_id,))
        found = owner.fetchone()
        if found is None or found[0] != row[0]:
            return _error(404, "not_found")
        message_id, at = "msg_" + secrets.token_hex(12), datetime.now(UTC).isoformat()
        row = (message_id, session_id, role, content, at)
        write(("INSERT INTO messages VALUES (?, ?, ?, ?, ?)", row))
        return JSONResponse({"message_id": message_id, "at": at}, status_code=201)

    @app.post("/v1/me/sessions", status_code=201)
    async def start_session(request: Request) -> JSONResponse:
        body = await request.json()
        found = account(request)
        if found is None:
            return _error(401, "unauthenticated")
        session_id, covered, at, until = _new_session(found)
        write((_INSERT_SESSION, (session_id, found[0], body["kind"], covered, at, until)))
        answer = {"session_id": session_id, "covered": covered, "retain_until": until}
        return JSONResponse(answer, status_code=201)

    @app.get("/v1/me/privacy")
    async def read_privacy(request: Request) -> JSONResponse:
        found = account(request)
        return _error(401, "unauthenticated") if found is None else _privacy(found)

    @app.put("/v1/me/privacy")
    async def change_choice(request: Request) -> JSONResponse:
        value = (await request.json()).get("training")
        found = account(request)
        if found is None:
            return _error(401, "unauthenticated")
        if found[1] not in CONSUMER:
            return _error(409, "not_applicable")
        conn.execute("BEGIN IMMEDIATE")
        try:
            event, digest = _event(found[0], value, conn.execute(_HEAD).fetchone())
            conn.execute(_INSERT_EVENT, event)
            conn.execute(_MOVE_HEAD, (event[0], digest))
            conn.execute(_SET_CHOICE, (value, TERMS, found[0]))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return _privacy(found, value, TERMS)

    return app


def _postgres_app(url: str, endpoint: str) -> FastAPI:
    import psycopg

    pool: asyncio.Queue[psycopg.AsyncConnection[Any]] = asyncio.Queue()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The append's app ran in transactions from the first statement; the other
        # endpoints read in autocommit (one round trip) and write in `transaction()`.
        autocommit = endpoint != "append"
        opened = [
            await psycopg.AsyncConnection.connect(url, autocommit=autocommit)
            for _ in range(PG_POOL)
        ]
        for conn in opened:
            pool.put_nowait(conn)
        yield
        for conn in opened:
            await conn.close()

    app = FastAPI(lifespan=lifespan)

    @asynccontextmanager
    async def connection() -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        conn = await pool.get()
        try:
            yield conn
        finally:
            pool.put_nowait(conn)

    async def account(conn: psycopg.AsyncConnection[Any], request: Request) -> Row | None:
        digest = _digest(request.headers.get("authorization"))
        if digest is None:
            return None
        return await (await conn.execute(_pg(_ACCOUNT), (digest,))).fetchone()

    @app.post("/v1/me/sessions/{session_id}/messages", status_code=201)
    async def append(session_id: str, request: Request) -> JSONResponse:
        parsed = _parse(request.headers.get("authorization"), await request.json())
        if isinstance(parsed, JSONResponse):
            return parsed
        digest, role, content = parsed
        conn = await pool.get()
        try:
            cursor = await conn.execute(
                "SELECT a.id FROM accounts a JOIN sessions s ON s.account_id = a.id"
                " WHERE a.token_hash = %s AND s.id = %s",
                (digest, session_id),
            )
            if await cursor.fetchone() is None:
                await conn.rollback()
                return _error(404, "not_found")
            message_id, at = "msg_" + secrets.token_hex(12), datetime.now(UTC).isoformat()
            await conn.execute(
                "INSERT INTO messages VALUES (%s, %s, %s, %s, %s)",
                (message_id, session_id, role, content, at),
            )
            await conn.commit()
        except BaseException:
            await conn.rollback()
            raise
        finally:
            pool.put_nowait(conn)
        return JSONResponse({"message_id": message_id, "at": at}, status_code=201)

    @app.post("/v1/me/sessions", status_code=201)
    async def start_session(request: Request) -> JSONResponse:
        body = await request.json()
        async with connection() as conn:
            found = await account(conn, request)
            if found is None:
                return _error(401, "unauthenticated")
            session_id, covered, at, until = _new_session(found)
            row = (session_id, found[0], body["kind"], int(covered), at, until)
            await conn.execute(_pg(_INSERT_SESSION), row)  # autocommit: one statement
        answer = {"session_id": session_id, "covered": covered, "retain_until": until}
        return JSONResponse(answer, status_code=201)

    @app.get("/v1/me/privacy")
    async def read_privacy(request: Request) -> JSONResponse:
        async with connection() as conn:
            found = await account(conn, request)
        return _error(401, "unauthenticated") if found is None else _privacy(found)

    @app.put("/v1/me/privacy")
    async def change_choice(request: Request) -> JSONResponse:
        value = (await request.json()).get("training")
        async with connection() as conn:
            found = await account(conn, request)
            if found is None:
                return _error(401, "unauthenticated")
            if found[1] not in CONSUMER:
                return _error(409, "not_applicable")
            async with conn.transaction():
                head = await (await conn.execute(_HEAD + " FOR UPDATE")).fetchone()
                assert head is not None
                event, digest = _event(found[0], value, head)
                await conn.execute(_pg(_INSERT_EVENT), event)
                await conn.execute(_pg(_MOVE_HEAD), (event[0], digest))
                await conn.execute(_pg(_SET_CHOICE), (value, TERMS, found[0]))
        return _privacy(found, value, TERMS)

    return app


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


def floor_app() -> FastAPI:
    """The floor application, for ``uvicorn --factory floor_apps:floor_app``; the
    endpoint it is measured on is ``FLOOR_ENDPOINT`` (all four routes are served)."""
    url = os.environ["FLOOR_DATABASE_URL"]
    endpoint = os.environ.get("FLOOR_ENDPOINT", "append")
    if url.startswith("sqlite:///"):
        app = _sqlite_app(url.removeprefix("sqlite:///"))
    else:
        app = _postgres_app(url, endpoint)
    app.add_api_route("/healthz", lambda: {"status": "ok"})  # what load.server polls
    return app
