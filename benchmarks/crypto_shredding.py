"""Issue 26 benchmark: what crypto-shredding costs, CPU time, baseline in the same run.

1. Appends through the service (SQLite, a temporary file): N messages into sessions of
   --per-session messages (a new session claims a pool key: one vault write per 64
   sessions, issue 26's key pool; before it, one per session), with
   CONSENTRY_CRYPTO_SHREDDING off and on, alternating rounds.
   Then a run export of them (JSON Lines, the filter on) and the sweep that purges them
   five years later (R12, R17), off and on.
2. Key destruction: 1000 keys spread over vaults of 100k and 1M keys (each on a page of
   its own in both), so the CPU per key shows how it grows with the vault's size.
3. With ``--purge-messages N`` instead: the sweep that purges N expired messages (N/10
   sessions of ten, commercial API accounts with 30-day retention, bulk-loaded as
   benchmarks/scale/bench_store.py's cohort A2) on two copies of one database, shredding
   off and on (a vault holding every session's key), alternating rounds; wall and CPU.
   The keys are laid out as the key pool makes them (``--key-layout pool``: batches of
   64 handed out in session creation order, claimed in ``sessions.key_id``), or one
   ``session:<id>`` key per session as before the pool (``--key-layout session``: a
   batch's keys spread over the whole vault, the worst case for the vault's pages).

    .venv/bin/python benchmarks/crypto_shredding.py [--messages 2000] [--per-session 20]
        [--rounds 3] [--no-destruction]
    .venv/bin/python benchmarks/crypto_shredding.py --purge-messages 1000000 --rounds 1
    .venv/bin/python benchmarks/crypto_shredding.py --purge-messages 1000000 --rounds 0 \
        --purge-dir /tmp/purge1m    # load once now; sweep later with --rounds 1 and the same dir
    .venv/bin/python benchmarks/crypto_shredding.py --pool-ab --per-session 20 --rounds 12

4. With ``--pool-ab``: only the appends, shredding off, on with the key pool and on with a
   pool of one key (a durable vault write per new session), alternating in one process.
"""

from __future__ import annotations

import argparse
import gc
import os
import secrets
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median

from consentry.adapters.crypto.content import row_context, seal_text
from consentry.adapters.crypto.kek_file import KeyRingFile
from consentry.adapters.crypto.vault import SqlKeyVault
from consentry.adapters.sql.engine import make_engine, upgrade
from consentry.bootstrap import build
from consentry.config.settings import Settings
from consentry.demo.bulk import load_population
from consentry.demo.population import Mix
from consentry.domain.clock import TestClock
from consentry.domain.policy import DEFAULT_POLICY
from consentry.domain.types import Author, Plan, Surface
from consentry.service import accounts, retention, runs, sessions
from consentry.service.training_export import export_run


def appends(
    template: Path, work: Path, n: int, shred: bool, per_session: int = 20
) -> tuple[float, float, float]:
    """CPU s of (the appends, a run export of them, the sweep that purges them all)."""
    db = work / f"bench-{shred}.db"
    shutil.copy(template, db)
    os.environ["CONSENTRY_CRYPTO_SHREDDING"] = "1" if shred else "0"
    os.environ["CONSENTRY_KEK_FILE"] = str(work / "b.kek")
    os.environ["CONSENTRY_KEY_VAULT_URL"] = f"sqlite:///{work / f'keys-{shred}.sqlite'}"
    os.environ["CONSENTRY_PURGE_LOG"] = str(work / "purges.jsonl")
    settings = Settings(
        database_url=f"sqlite:///{db}", secret_key="b" * 40, sqlite_synchronous="NORMAL"
    )
    clock = TestClock(datetime(2026, 1, 5, tzinfo=UTC))
    app = build(settings, migrate=False, clock=clock)
    uid = accounts.sign_up(app.ctx, plan="pro", training="on").account_id
    text = "How do I reverse a list in Python? " * 4
    gc.collect()  # no full collection of the earlier rounds' garbage inside this one
    start, before = time.process_time(), os.times()
    sid = ""
    for i in range(n):
        if i % per_session == 0:
            sid = sessions.start_session(app.ctx, account_id=uid, kind="chat").session.id
        sessions.add_message(
            app.ctx, account_id=uid, session_id=sid, role="user", content=text,
            author=Author.ACCOUNT,
        )  # fmt: skip
    spent, after = time.process_time() - start, os.times()
    SYSTEM[shred].append(after.system - before.system)
    clock.set(clock.now() + timedelta(days=1))
    run = runs.create_run(app.ctx, purpose="model_training")
    start = time.process_time()
    export_run(app.ctx, run_id=run.id, out_dir=str(work / f"export-{shred}"), fmt="jsonl")
    export = time.process_time() - start
    shutil.rmtree(work / f"export-{shred}")
    clock.set(clock.now() + timedelta(days=1826))  # past five years (R12)
    start = time.process_time()
    swept = retention.sweep_expired(app.ctx)
    sweep = time.process_time() - start
    assert swept.purged.messages == n
    app.engine.dispose()
    return spent, export, sweep


SYSTEM: dict[bool, list[float]] = {False: [], True: []}
"""Kernel CPU s of each round's appends (write and getrandom calls), off and on."""


def paired(plain: list[float], shred: list[float]) -> str:
    """Each round's on/off ratio (the two measured back to back), and their median."""
    ratios = sorted(s / p for p, s in zip(plain, shred, strict=True))
    return f"per-round ratios {' '.join(f'{r:.3f}' for r in ratios)}, median {median(ratios):.3f}"


def destruction(work: Path, size: int, k: int) -> float:
    vault = SqlKeyVault.open(f"sqlite:///{work / f'v{size}.sqlite'}", KeyRingFile(work / "d.kek"))
    with vault.engine.begin() as conn:  # fill fast: wrapped bytes need not be real keys here
        conn.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < ?) "
            "INSERT INTO data_keys SELECT 'session:s' || i, 'kek-x', randomblob(60), 0 FROM n",
            (size - 1,),
        )
    step = size // k
    start = time.process_time()
    vault.destroy(f"session:s{i}" for i in range(0, size, step))
    spent = time.process_time() - start
    vault.engine.dispose()
    return spent / k


def parts(work: Path, n: int = 300) -> tuple[float, float, float]:
    """CPU us of the costs encryption adds to appends, measured alone: creating a
    session's own key (its own durable vault write, the scheme before the pool), taking a
    pool key (one durable write per batch of 64, amortized) and sealing one message."""
    vault = SqlKeyVault.open(f"sqlite:///{work / 'parts.sqlite'}", KeyRingFile(work / "d.kek"))
    start = time.process_time()
    for i in range(n):
        vault.data_key(f"session:p{i}", create=True)
    key = (time.process_time() - start) / n
    pool_n = vault.pool_size * 5
    start = time.process_time()
    for _ in range(pool_n):
        vault.pool_key()
    pooled = (time.process_time() - start) / pool_n
    data_key = vault.data_key("session:p0", create=False)
    assert data_key is not None
    text = "How do I reverse a list in Python? " * 4
    start = time.process_time()
    for i in range(n * 20):
        seal_text(data_key, text, context=row_context("messages", f"m{i}", "p0"))
    seal = (time.process_time() - start) / (n * 20)
    vault.engine.dispose()
    return key * 1e6, pooled * 1e6, seal * 1e6


PURGE_MIX = Mix(  # bench_store.py's cohort A2: expired, nothing held, nothing deleted
    start=datetime(2025, 6, 6, tzinfo=UTC),
    until=datetime(2025, 6, 20, tzinfo=UTC),
    exact_counts=True,
    sessions=10,
    messages=10,
    resume=0.0,
    plans=((Plan.API, 1.0),),
    commercial_surfaces=((Surface.API, 1.0),),
    delete_account=0.0,
    delete_session=0.0,
    safety_hold=0.0,
    legal_hold=0.0,
)
PURGE_AT = datetime(2025, 7, 20, 0, 0, 1, tzinfo=UTC)


def purge_population(work: Path, messages: int) -> tuple[Path, list[str]]:
    """A database of ``messages`` expired messages (ten per session); its session ids."""
    db = work / "purge-template.db"
    if db.exists():  # --purge-dir: loaded by an earlier run (a quiet window is short)
        engine = make_engine(f"sqlite:///{db}")
        with engine.connect() as conn:
            ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM sessions")]
        engine.dispose()
        return db, ids
    upgrade(f"sqlite:///{db}")
    engine = make_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    load_population(
        engine, accounts=messages // 100, seed=102, mix=PURGE_MIX, policy=DEFAULT_POLICY,
        short_texts=True, batch_accounts=2000,
    )  # fmt: skip
    with engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM sessions")]
    engine.dispose()
    print(f"loaded {len(ids)} sessions in {time.perf_counter() - started:.1f} s wall")
    return db, ids


def vault_scopes(db: Path, ids: list[str], layout: str) -> list[str]:
    """Every session's key scope. ``pool`` (the service since the key pool): keys made 64
    at a time under a random batch id, handed out in session creation order, each claimed
    in ``sessions.key_id`` of ``db``, so sessions that expire together have neighbouring
    keys. ``session``: ``session:<id>`` for each (the scheme before the pool; random ids,
    so a batch's keys are spread over the whole vault)."""
    if layout == "session":
        return [f"session:{i}" for i in ids]
    with sqlite3.connect(db) as conn:
        order = [r[0] for r in conn.execute("SELECT id FROM sessions ORDER BY created_at, id")]
        batches = [secrets.token_hex(12) for _ in range(0, len(order), 64)]
        claims = [(f"{batches[n // 64]}-{n % 64:04d}", sid) for n, sid in enumerate(order)]
        conn.executemany("UPDATE sessions SET key_id = ? WHERE id = ?", claims)
    return [f"pool:{key_id}" for key_id, _ in claims]


def purge_sweep(
    work: Path, template: Path, ids: list[str], shred: bool, layout: str = "pool"
) -> tuple[float, float]:
    """(wall s, CPU s) of the sweep at PURGE_AT on a fresh copy of the template."""
    db = work / f"purge-{shred}.db"
    shutil.copy(template, db)
    os.environ["CONSENTRY_CRYPTO_SHREDDING"] = "1" if shred else "0"
    os.environ["CONSENTRY_KEK_FILE"] = str(work / "p.kek")
    vault_url = f"sqlite:///{work / 'purge-keys.sqlite'}"
    os.environ["CONSENTRY_KEY_VAULT_URL"] = vault_url
    os.environ["CONSENTRY_PURGE_LOG"] = str(work / "purge-log.jsonl")
    (work / "purge-log.jsonl").unlink(missing_ok=True)
    if shred:  # every session's key in the vault (random bytes: destroying never unwraps)
        Path(vault_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        vault = SqlKeyVault.open(vault_url, KeyRingFile(work / "p.kek"))
        with vault.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO data_keys (scope, kek_id, wrapped, created_at) "
                "VALUES (?, 'kek-x', randomblob(60), 0)",
                [(scope,) for scope in vault_scopes(db, ids, layout)],
            )
        vault.engine.dispose()
    settings = Settings(database_url=f"sqlite:///{db}", secret_key="b" * 40)
    app = build(settings, migrate=False, clock=TestClock(PURGE_AT))
    started, cpu = time.perf_counter(), time.process_time()
    swept = retention.sweep_expired(app.ctx)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    app.engine.dispose()
    assert swept.purged.sessions == len(ids), swept.purged
    if shred:
        vault = SqlKeyVault.open(vault_url, KeyRingFile(work / "p.kek"))
        assert not vault.kek_ids_in_use(), "every key destroyed"
        vault.engine.dispose()
    db.unlink()
    print(
        f"sweep {f'shredding ({layout} keys)' if shred else 'plain'}: {swept.purged.messages} "
        "messages, "
        f"{swept.purged.sessions} sessions, {swept.batches} batches: wall {wall:.2f} s, "
        f"CPU {cpu:.2f} s"
    )
    return wall, cpu


def purge_main(messages: int, rounds: int, keep: str | None, layout: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        template, ids = purge_population(work, messages)
        if keep and not rounds:
            return
        plain, shred = [], []
        for _ in range(rounds):
            plain.append(purge_sweep(work, template, ids, False))
            shred.append(purge_sweep(work, template, ids, True, layout))
        (pw, pc), (sw, sc) = min(plain), min(shred)
        print(
            f"purge {messages} msgs: plain wall {pw:.2f} s CPU {pc:.2f} s; shredding wall "
            f"{sw:.2f} s CPU {sc:.2f} s; ratio wall {sw / pw:.3f} CPU {sc / pc:.3f}"
        )


def pool_ab(messages: int, rounds: int, per_session: int) -> None:
    """Appends in one process: shredding off, on with the key pool (64 keys a vault write),
    and on with a pool of 1 (one durable vault write per new session, the cost before
    the pool), alternating, min CPU: the pool's own effect, the rest of the code equal."""
    modes = [("off", False, "64"), ("pool 64", True, "64"), ("pool 1", True, "1")]
    spent: dict[str, list[float]] = {name: [] for name, _, _ in modes}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template.db"
        upgrade(f"sqlite:///{template}")
        appends(template, work, 20, False, per_session)  # warm-up
        for i in range(rounds):
            for name, on, size in modes if i % 2 == 0 else modes[::-1]:
                os.environ["CONSENTRY_KEY_POOL_SIZE"] = size
                for vault in work.glob("keys-*"):
                    vault.unlink()
                spent[name].append(appends(template, work, messages, on, per_session)[0])
    os.environ.pop("CONSENTRY_KEY_POOL_SIZE", None)
    off = min(spent["off"])
    print(
        f"appends {messages} msgs, {per_session}/session, {rounds} rounds, CPU s: off "
        f"{off:.3f}; "
        + "; ".join(
            f"{name} {min(spent[name]):.3f} ratio {min(spent[name]) / off:.3f}"
            for name, _, _ in modes[1:]
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-session", type=int, default=20, help="messages per session")
    parser.add_argument("--purge-messages", type=int, default=0, help="see 3. above")
    parser.add_argument(
        "--key-layout",
        choices=["pool", "session"],
        default="pool",
        help="3.: the vault's keys as the key pool makes them, or one per session id",
    )
    parser.add_argument(
        "--purge-dir",
        help="keep the loaded database here and reuse it in later runs (--rounds 0: only load)",
    )
    parser.add_argument(
        "--pool-ab", action="store_true", help="only the appends: off, pool 64, pool 1"
    )
    parser.add_argument(
        "--no-destruction", action="store_true", help="skip 2. (filling a 1M-key vault)"
    )
    args = parser.parse_args()
    if args.purge_messages:
        purge_main(args.purge_messages, args.rounds, args.purge_dir, args.key_layout)
        return
    if args.pool_ab:
        pool_ab(args.messages, args.rounds, args.per_session)
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template.db"
        upgrade(f"sqlite:///{template}")
        appends(template, work, 20, False, args.per_session)  # warm-up: the filter loads once
        plain, shred = [], []
        for i in range(args.rounds):  # alternate which goes first: no order bias
            for on in (False, True) if i % 2 == 0 else (True, False):
                row = appends(template, work, args.messages, on, args.per_session)
                (shred if on else plain).append(row)
        p, s = min(r[0] for r in plain), min(r[0] for r in shred)
        ep, es = min(r[1] for r in plain), min(r[1] for r in shred)
        sp, ss = min(r[2] for r in plain), min(r[2] for r in shred)
        print(
            f"export (jsonl, filter on), CPU s: plain {ep:.3f} encrypted {es:.3f} "
            f"ratio {es / ep:.3f}"
        )
        print(
            f"sweep of {args.messages} msgs in {args.messages // args.per_session} sessions, "
            f"CPU s: plain {sp:.3f} shredding {ss:.3f} ratio {ss / sp:.3f}"
        )
        print(
            f"appends {args.messages} msgs, {args.per_session}/session, CPU s: plain {p:.3f} "
            f"encrypted {s:.3f} ratio {s / p:.3f}"
        )
        print(f"appends, {paired([r[0] for r in plain], [r[0] for r in shred])}")
        print(
            f"appends, kernel CPU s (median): plain {median(SYSTEM[False]):.3f} "
            f"encrypted {median(SYSTEM[True]):.3f}"
        )
        key_us, pool_us, seal_us = parts(work)
        print(
            f"parts, CPU us: a session's own key (vault insert, fsync) {key_us:.0f}, a pool "
            f"key (batch of 64, one fsync, amortized) {pool_us:.0f}, sealing one message "
            f"{seal_us:.1f}: {pool_us / args.per_session + seal_us:.1f} per message at "
            f"{args.per_session}/session"
        )
        if args.no_destruction:
            return
        small = destruction(work, 100_000, 1000)
        large = destruction(work, 1_000_000, 1000)
        print(
            f"destroy per key CPU us: vault 100k {small * 1e6:.1f}, vault 1M {large * 1e6:.1f}, "
            f"ratio {large / small:.2f}"
        )


if __name__ == "__main__":
    main()
