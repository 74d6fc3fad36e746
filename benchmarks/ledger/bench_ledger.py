"""Benchmarks of the signed ledger (issue 21 targets), one JSON line per measurement.

* ``append``: consent-ledger appends (``record_choice``, the path of ``PUT /v1/me/privacy``)
  with the Merkle tree against the same code with the tree switched off (its per-append
  step patched out), in two fresh databases, blocks interleaved A/B in the same run; wall
  rate and this process's CPU per append.
* ``large``: a ledger of ``--events`` events written straight into the tables (valid chain
  hashes), the tree folded in from them (what migration 0007 does on an existing
  database), then a checkpoint from the stored state, and inclusion and consistency proofs
  at that size.
* ``run-proof``: one account with ``--sessions`` sessions in a run beside ``--others``
  sessions of other accounts; the time (wall and this process's CPU) of
  ``GET /v1/me/training-runs/{id}/proof``'s service call, reading the manifest tree stored
  with the run (revision 0008) and rebuilding it as before, interleaved.

    .venv/bin/python benchmarks/ledger/bench_ledger.py --db sqlite --events 1000000
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine, insert, text, update

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.engine import upgrade
from consentry.adapters.sql.ledger_tree import SqlLedgerTree
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.domain.clock import TestClock
from consentry.domain.ledger import GENESIS, canonical_entry
from consentry.domain.merkle import inclusion_spans, prove
from consentry.domain.types import ChoiceSource, EventType, Training
from consentry.service import accounts, ledger, runs, sessions
from consentry.service.ledger_ports import CheckpointSigner
from consentry.verify import verify_run_proof

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
START = datetime(2025, 9, 1, tzinfo=UTC)


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            yield url
        return
    name = f"consentry_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_for(url: str) -> App:
    return build(Settings(database_url=url), migrate=False, clock=TestClock(START))


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# -- appends, with and without the tree ---------------------------------------------------------


def append_modules() -> list[Any]:
    """The store modules whose consent append calls the tree step (store.py, or
    ledger_store.py once the store is split by concept)."""
    import importlib

    found = []
    for name in ("store", "ledger_store"):
        try:
            module = importlib.import_module(f"consentry.adapters.sql.{name}")
        except ImportError:
            continue
        if hasattr(module, "append_to_tree"):
            found.append(module)
    assert found, "no store module appends to the tree"
    return found


@contextmanager
def tree_off() -> Iterator[None]:
    modules = append_modules()
    originals = [m.append_to_tree for m in modules]
    for m in modules:
        m.append_to_tree = lambda conn, **kw: {}
    try:
        yield
    finally:
        for m, original in zip(modules, originals, strict=True):
            m.append_to_tree = original


def bench_append(kind: str, blocks: int, per_block: int) -> None:
    with database(kind) as url_a, database(kind) as url_b:
        with_tree, without = app_for(url_a), app_for(url_b)
        ids = {
            "tree": accounts.sign_up(with_tree.ctx, plan="free", training="on").account_id,
            "none": accounts.sign_up(without.ctx, plan="free", training="on").account_id,
        }
        rates: dict[str, list[float]] = {"tree": [], "none": []}
        cpu: dict[str, float] = {"tree": 0.0, "none": 0.0}

        def block(app: App, account_id: str) -> float:
            def go() -> None:
                for i in range(per_block):
                    accounts.record_choice(
                        app.ctx, account_id=account_id, training="off" if i % 2 else "on"
                    )

            c0 = time.process_time()
            rate = per_block / timed(go)
            cpu["tree" if app is with_tree else "none"] += time.process_time() - c0
            return rate

        for b in range(blocks):
            order = ["tree", "none"] if b % 2 == 0 else ["none", "tree"]
            for name in order:
                if name == "tree":
                    rates["tree"].append(block(with_tree, ids["tree"]))
                else:
                    with tree_off():
                        rates["none"].append(block(without, ids["none"]))
        tree, none = statistics.median(rates["tree"]), statistics.median(rates["none"])
        emit(
            bench="append",
            db=kind,
            appends_per_block=per_block,
            blocks=blocks,
            with_tree_per_s=round(tree, 1),
            without_tree_per_s=round(none, 1),
            change_pct=round(100 * (tree - none) / none, 2),
            # CPU of this process per append (all of the work on SQLite; the client's
            # share on PostgreSQL): much less sensitive to the machine's load than wall time.
            cpu_ms_per_append_with_tree=round(1000 * cpu["tree"] / (blocks * per_block), 3),
            cpu_ms_per_append_without=round(1000 * cpu["none"] / (blocks * per_block), 3),
            with_tree_blocks=[round(r, 1) for r in rates["tree"]],
            without_tree_blocks=[round(r, 1) for r in rates["none"]],
        )
        assert ledger.verify_ledger(with_tree.ctx).ok
        with_tree.engine.dispose()
        without.engine.dispose()


# -- a large ledger --------------------------------------------------------------------------


def seed_events(url: str, n: int, n_accounts: int = 1000) -> None:
    engine = create_engine(url)
    ids = [f"acc_bench{i:06d}" for i in range(n_accounts)]
    with engine.begin() as conn:
        conn.execute(
            insert(t.accounts),
            [
                {"id": a, "plan": "free", "scope": "consumer", "created_at": START,
                 "training": "on", "terms_accepted": "2025-08-28", "choice_at": START}
                for a in ids
            ],
        )  # fmt: skip
    prev, seq = GENESIS, 0
    while seq < n:
        rows = []
        for _ in range(min(20_000, n - seq)):
            seq += 1
            at = START + timedelta(seconds=seq)
            value = Training.ON if seq % 3 else Training.OFF
            fields = {
                "seq": seq,
                "event_id": f"evt_bench{seq:09d}",
                "account_id": ids[seq % n_accounts],
                "at": at,
                "type": EventType.CHOICE,
                "value": value,
                "source": ChoiceSource.SETTINGS,
                "terms_version": "2025-08-28",
                "prev_hash": prev,
            }
            digest = hashlib.sha256(canonical_entry(**fields)).hexdigest()  # type: ignore[arg-type]
            rows.append({**fields, "type": "choice", "value": value.value,
                         "source": "settings", "hash": digest})  # fmt: skip
            prev = digest
        with engine.begin() as conn:
            conn.execute(insert(t.consent_events), rows)
    with engine.begin() as conn:
        conn.execute(update(t.ledger_head).values(seq=n, hash=prev))
    engine.dispose()


def bench_large(kind: str, n: int, samples: int) -> None:
    with database(kind) as url:
        t_seed = timed(lambda: seed_events(url, n))
        app = app_for(url)
        t_tree = timed(lambda: ledger.tree_head(app.ctx))
        signer = CheckpointSigner("bench.example/ledger", Ed25519PrivateKey.generate())
        checkpoint = [
            timed(lambda: ledger.issue_checkpoint(app.ctx, signer=signer)) for _ in range(7)
        ]
        rng = random.Random(7)

        def inclusion(index: int) -> None:
            with app.ctx.uow(read_only=True) as uow:
                prove(inclusion_spans(index, n), uow.ledger.tree_nodes)

        def consistency(first: int) -> None:
            ledger.consistency_proof(app.ctx, first=first, second=n)

        c0 = time.process_time()
        inc = sorted(timed(lambda: inclusion(rng.randrange(n))) for _ in range(samples))
        c1 = time.process_time()
        con = sorted(timed(lambda: consistency(rng.randrange(1, n))) for _ in range(samples))
        c2 = time.process_time()
        emit(
            bench="large",
            db=kind,
            events=n,
            seed_s=round(t_seed, 1),
            tree_fold_s=round(t_tree, 1),
            checkpoint_ms_median=round(1000 * statistics.median(checkpoint), 2),
            checkpoint_ms_max=round(1000 * max(checkpoint), 2),
            inclusion_ms_median=round(1000 * statistics.median(inc), 3),
            inclusion_ms_p99=round(1000 * inc[int(0.99 * (len(inc) - 1))], 3),
            consistency_ms_median=round(1000 * statistics.median(con), 3),
            consistency_ms_p99=round(1000 * con[int(0.99 * (len(con) - 1))], 3),
            # This process's CPU per proof, mean (all of the work on SQLite, the client's
            # share on PostgreSQL): what a loaded machine changes least.
            inclusion_cpu_ms_mean=round(1000 * (c1 - c0) / samples, 3),
            consistency_cpu_ms_mean=round(1000 * (c2 - c1) / samples, 3),
        )
        app.engine.dispose()


# -- run proofs --------------------------------------------------------------------------------


@contextmanager
def stored_tree(on: bool) -> Iterator[None]:
    """Off: proofs rebuild the manifest tree, as before revision 0008."""
    original = SqlLedgerTree.manifest_tree
    if not on:
        SqlLedgerTree.manifest_tree = lambda self, run_id, **kw: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        SqlLedgerTree.manifest_tree = original  # type: ignore[method-assign]


def bench_run_proof(kind: str, n_sessions: int, n_others: int, samples: int) -> None:
    with database(kind) as url:
        app = app_for(url)
        # A service with a key (issue 21 item 4): the run's checkpoint covers its
        # run_manifest event, and each proof carries that event's inclusion proof.
        key = Ed25519PrivateKey.generate()
        ctx = dataclasses.replace(app.ctx, signer=CheckpointSigner("bench/ledger", key))
        user = accounts.sign_up(ctx, plan="free", training="on").account_id
        others = [accounts.sign_up(ctx, plan="free", training="on").account_id for _ in range(50)]
        for i in range(n_sessions + n_others):
            owner = user if i < n_sessions else others[i % len(others)]
            view = sessions.start_session(ctx, account_id=owner, kind="chat")
            sessions.add_message(
                ctx, account_id=owner, session_id=view.session.id, role="user", content="hi"
            )
        assert isinstance(ctx.clock, TestClock)
        ctx.clock.set(START + timedelta(days=1))
        run = runs.create_run(ctx, purpose="model_training")
        ctx.clock.set(START + timedelta(days=1, hours=1))
        extra = sessions.start_session(ctx, account_id=user, kind="chat")  # not in the run
        sessions.add_message(
            ctx, account_id=user, session_id=extra.session.id, role="user", content="later"
        )
        # Interleaved: the stored manifest tree (revision 0008) and the tree rebuilt from
        # the manifest on each request (what a run from before 0008 gets, and all runs did).
        wall: dict[str, list[float]] = {"stored": [], "rebuilt": []}
        cpu: dict[str, list[float]] = {"stored": [], "rebuilt": []}
        for _ in range(samples):
            for variant in ("stored", "rebuilt"):
                with stored_tree(variant == "stored"):
                    c0 = time.process_time()
                    wall[variant].append(
                        timed(lambda: ledger.run_proof(ctx, account_id=user, run_id=run.id))
                    )
                    cpu[variant].append(time.process_time() - c0)
        proof = ledger.run_proof(ctx, account_id=user, run_id=run.id)
        with stored_tree(False):
            same = ledger.run_proof(ctx, account_id=user, run_id=run.id) == proof
        members = sum(1 for item in proof["items"] if item["member"])
        verified = verify_run_proof(proof, key.public_key())
        assert "ledger" in proof
        assert sum(verified.values()) == members
        for variant in ("stored", "rebuilt"):
            emit(
                bench="run-proof",
                db=kind,
                tree=variant,
                manifest_size=proof["manifest_size"],
                account_sessions=len(proof["items"]),
                members=members,
                same_proof=same,
                ms_median=round(1000 * statistics.median(wall[variant]), 1),
                ms_max=round(1000 * max(wall[variant]), 1),
                cpu_ms_median=round(1000 * statistics.median(cpu[variant]), 1),
            )
        app.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--only", action="append", choices=["append", "large", "run-proof"])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--blocks", type=int, default=10)
    parser.add_argument("--per-block", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--others", type=int, default=4000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    for kind in args.db or ["sqlite"]:
        only = args.only or ["append", "large", "run-proof"]
        if "append" in only:
            bench_append(kind, args.blocks, args.per_block)
        if "large" in only:
            bench_large(kind, args.events, args.samples)
        if "run-proof" in only:
            bench_run_proof(kind, args.sessions, args.others, min(args.samples, 20))


if __name__ == "__main__":
    main()
