"""Concurrent clients on PostgreSQL while runs are created: every audit passes (R20, R26)."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

import pytest

from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.domain.errors import ConsentryError
from consentry.domain.types import Author
from consentry.service import accounts, retention, runs, sessions
from consentry.service.ledger import verify_ledger
from consentry.service.runs import AuditFinding
from tests.conftest import _reset_postgres

from .conftest import budget

CLIENTS = 8


def test_concurrent_clients_and_runs_keep_every_audit_clean_R20_R21_R26_R27(
    pg_url: str, request: pytest.FixtureRequest
) -> None:
    """8 client threads change choices, start sessions, add messages, give feedback, place
    and release holds, and delete sessions and accounts while a ninth creates runs;
    afterwards every run's manifest equals eligibility at its cutoff and no consent event
    is lost.

    Until 2026-12-02 some audits reported writes that were in flight when a run took its
    snapshot (stamped before the cutoff, committed after it); run creation now waits
    them out behind a barrier (`adapters/sql/uow.py`), so any finding fails."""
    _reset_postgres(pg_url)
    app = build(Settings(database_url=pg_url), migrate=False)  # the real clock
    ctx = app.ctx
    seconds = budget(8, 60, request)
    seed = random.randrange(1 << 30)
    ops: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    crashes: list[str] = []
    lock = threading.Lock()
    pool: list[str] = []
    for i in range(CLIENTS * 6):
        account = accounts.sign_up(ctx, plan="free", training="on" if i % 2 else "off")
        pool.append(account.account_id)
    events = len(pool)
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        nonlocal events
        rng = random.Random(seed + index)
        mine = pool[index::CLIENTS]
        open_sessions: dict[str, list[tuple[str, str]]] = {a: [] for a in mine}
        holds: list[str] = []
        while time.monotonic() < stop:
            account = rng.choice(mine)
            op = rng.choices(
                [
                    "choose",
                    "start",
                    "message",
                    "feedback",
                    "delete_session",
                    "delete_account",
                    "hold",
                    "release",
                ],
                weights=[6, 5, 10, 3, 2, 0.05, 1, 1],
            )[0]
            try:
                if op == "choose":
                    accounts.record_choice(
                        ctx, account_id=account, training=rng.choice(["on", "off"])
                    )
                    with lock:
                        events += 1
                elif op == "start":
                    view = sessions.start_session(
                        ctx,
                        account_id=account,
                        kind=rng.choice(["chat", "code"]),
                        incognito=rng.random() < 0.1,
                    )
                    open_sessions[account].append((view.session.id, ""))
                elif op in ("message", "feedback") and open_sessions[account]:
                    sid, last = rng.choice(open_sessions[account])
                    if op == "message" or not last:
                        role = rng.choice(["user", "assistant"])
                        msg = sessions.add_message(
                            ctx,
                            account_id=account,
                            session_id=sid,
                            role=role,
                            content="concurrent text",
                            # the assistant's backend writes its replies (issue 17 item 7)
                            author=Author.SERVICE if role == "assistant" else Author.ACCOUNT,
                        )
                        if msg.role.value == "assistant":
                            open_sessions[account].append((sid, msg.id))
                    else:
                        sessions.give_feedback(
                            ctx, account_id=account, session_id=sid, message_id=last, rating="up"
                        )
                elif op == "delete_session" and open_sessions[account]:
                    sid, _ = open_sessions[account].pop(rng.randrange(len(open_sessions[account])))
                    sessions.delete_session(ctx, account_id=account, session_id=sid)
                elif op == "hold" and open_sessions[account]:
                    sid, _ = rng.choice(open_sessions[account])
                    kind = rng.choice(["safety", "legal"])
                    holds.append(retention.place_hold(ctx, session_id=sid, kind=kind).id)
                elif op == "release" and holds:
                    hold_id = holds.pop(rng.randrange(len(holds)))
                    retention.release_hold(ctx, hold_id=hold_id)
                elif op == "delete_account":
                    accounts.delete_account(ctx, account_id=account)
                    with lock:
                        events += 1
                else:
                    continue
                with lock:
                    ops[op] += 1
            except ConsentryError as error:  # e.g. the account was deleted meanwhile
                with lock:
                    refused[f"{op}:{error.code}"] += 1
            except Exception as error:  # a database error is a finding
                with lock:
                    crashes.append(f"{op}: {error!r}")

    created: list[str] = []

    def runner() -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            purpose = rng.choice(["model_training", "safety_classifiers"])
            try:
                created.append(runs.create_run(ctx, purpose=purpose).id)
            except Exception as error:
                crashes.append(f"create_run: {error!r}")
            time.sleep(0.02)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    threads.append(threading.Thread(target=runner))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not crashes, crashes[:5]
        bad: dict[str, list[AuditFinding]] = {}
        for run_id in created:
            report = runs.audit_run(ctx, run_id=run_id)
            if not report.ok:
                bad[run_id] = report.findings
        ledger = verify_ledger(ctx)
        # consent events and each run's run_manifest event (issue 21 item 4)
        assert ledger.ok and ledger.events == events + len(created), (ledger, events)
        figures = (
            f"{CLIENTS} clients, {sum(ops.values())} operations {dict(ops)}, "
            f"{sum(refused.values())} refused, {len(created)} runs, "
            f"{len(created) - len(bad)} audited clean, {events} consent events verified"
        )
        print(f"\nconcurrency: {figures}")
        findings = [(run_id, f) for run_id, found in bad.items() for f in found]
        assert not findings, f"seed {seed}: {len(bad)} audits with findings: {findings[:5]}"
    finally:
        app.engine.dispose()
