"""kill -9 of a serving API under concurrent appends (issue 22, R26): every append that
was answered 201 is in the database afterwards, with and without SQLite group commit, and
with crypto-shredding on (issue 26) every one of them still opens: its key was durable in
the vault before its ciphertext was answered.

A real uvicorn process serves a SQLite file (``synchronous=FULL``); 16 client threads
append to their own sessions and keep the ids of the answered messages; once some have
been answered the server is SIGKILLed at a random moment, and the store must hold every
answered id (a 201 sent before the commit would show up here as a missing row)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from consentry.bootstrap import build
from consentry.config.settings import Settings

from .conftest import budget

CLIENTS = 16


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _shredding_env(ops: Path) -> dict[str, str]:
    return {
        "CONSENTRY_CRYPTO_SHREDDING": "1",
        "CONSENTRY_SECRET_KEY_FILE": str(ops / "app.key"),
        "CONSENTRY_KEK_FILE": str(ops / "app.kek"),
        "CONSENTRY_KEY_VAULT_URL": f"sqlite:///{ops / 'keys.sqlite'}",
        "CONSENTRY_PURGE_LOG": str(ops / "purges.jsonl"),
    }


def _serve(
    db: Path, group_commit: bool, extra: dict[str, str]
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "CONSENTRY_DATABASE_URL": f"sqlite:///{db}",
        "CONSENTRY_SIGNUPS_PER_HOUR": "0",
        "CONSENTRY_SQLITE_GROUP_COMMIT": "1" if group_commit else "0",
        "CONSENTRY_DELIVERY_IN_SERVE": "0",
        **extra,
    }
    command = [sys.executable, "-m", "uvicorn", "--factory"]
    command += ["consentry.entrypoints.api.server:app_from_env", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start")


def _kill_under_load(
    db: Path, group_commit: bool, rng: random.Random, extra: dict[str, str]
) -> tuple[list[str], int]:
    proc, base = _serve(db, group_commit, extra)
    answered: list[str] = []
    stop = threading.Event()
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            pairs = []
            for _ in range(CLIENTS):
                token = client.post("/v1/accounts", json={"plan": "free", "training": "on"})
                headers = {"Authorization": f"Bearer {token.json()['token']}"}
                created = client.post("/v1/me/sessions", json={"kind": "chat"}, headers=headers)
                pairs.append((headers, created.json()["session_id"]))

        def append(headers: dict[str, str], session_id: str) -> None:
            """Appends; with shredding on, a new session every 4 (each claims a pool key,
            and new key batches are made in the vault under load)."""
            with httpx.Client(base_url=base, timeout=30) as mine:
                sent = 0
                while not stop.is_set():
                    try:
                        if extra and sent and sent % 4 == 0:
                            created = mine.post(
                                "/v1/me/sessions", json={"kind": "chat"}, headers=headers
                            )
                            if created.status_code != 201:
                                continue
                            session_id = created.json()["session_id"]
                        sent += 1
                        response = mine.post(
                            f"/v1/me/sessions/{session_id}/messages",
                            json={"role": "user", "content": "hello"},
                            headers=headers,
                        )
                    except httpx.TransportError:
                        return  # the server is gone
                    if response.status_code == 201:
                        answered.append(response.json()["message_id"])

        threads = [threading.Thread(target=append, args=pair) for pair in pairs]
        for thread in threads:
            thread.start()
        target = rng.randint(50, 300)
        while len(answered) < target and proc.poll() is None:
            time.sleep(0.005)  # polls a count; the kill moment is random anyway
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM messages")}
    missing = [m for m in answered if m not in stored]
    assert not missing, f"{len(missing)} answered appends lost: {missing[:5]}"
    return answered, len(stored)


def _texts(
    db: Path, extra: dict[str, str], ids: list[str], monkeypatch: pytest.MonkeyPatch
) -> set[str]:
    """What the service reads for these messages after the crash, with the same settings."""
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
    app = build(Settings.from_env(database_url=f"sqlite:///{db}"), migrate=False)
    try:
        with app.ctx.uow(read_only=True) as uow:
            return {getattr(uow.store.get_message(i), "content", "<missing>") for i in ids}
    finally:
        app.engine.dispose()


@pytest.mark.parametrize(
    ("group_commit", "shredding"),
    [(False, False), (True, False), (False, True)],
    ids=["plain", "group-commit", "shredding"],
)
def test_r26_sigkill_under_load_loses_no_answered_append(
    group_commit: bool,
    shredding: bool,
    tmp_path: Path,
    sqlite_template: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(22)
    extra = _shredding_env(tmp_path / "ops") if shredding else {}
    for kill in range(budget(2, 8, request)):
        db = tmp_path / f"kill{kill}.db"
        shutil.copy(sqlite_template, db)
        answered, stored = _kill_under_load(db, group_commit, rng, extra)
        assert len(answered) >= 50
        assert stored >= len(answered)
        if shredding:  # sealed, and every answered one opens again (not PURGED_TEXT)
            with sqlite3.connect(db) as conn:
                sealed = {r[0][:7] for r in conn.execute("SELECT content FROM messages")}
            assert sealed == {"enc:v1:"}
            assert _texts(db, extra, answered, monkeypatch) == {"hello"}
