"""The bulk loader writes the state the service layer would (issue 6).

One small population, one seed: played through the service layer into one database and
bulk-loaded into another. Every table must hold the same rows (up to ids, tokens and
the ledger's interleaving across accounts), runs built on either must have the same
manifest, the audit (pure rules over stored history, R26) must pass on the bulk-loaded
one, and its ledger must verify (R27).
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.demo.bulk import load_population
from consentry.demo.population import Mix, instant, plan_account
from consentry.demo.replay import Replayed, replay
from consentry.demo.simulate import Ids
from consentry.demo.texts import Pools, TextMaker
from consentry.domain.clock import TestClock
from consentry.domain.policy import DEFAULT_POLICY, OnOptOut, Policy, RetentionPolicy
from consentry.service import ledger, runs

SEED = 20251008
ACCOUNTS = 40
# A busy little population: every behaviour shows up in 40 accounts.
MIX = Mix(
    sessions=3,
    messages=4,
    toggle=0.4,
    delete_account=0.1,
    delete_session=0.15,
    feedback=0.5,
    safety_hold=0.08,
    legal_hold=0.08,
    incognito=0.15,
    resume=0.4,
)
SHORTEN = replace(DEFAULT_POLICY, retention=RetentionPolicy(on_opt_out=OnOptOut.SHORTEN))


def _plans(policy: Policy) -> list[Any]:
    texts = TextMaker(Pools.build(SEED))
    return [
        plan_account(i, seed=SEED, mix=MIX, policy=policy, texts=texts) for i in range(ACCOUNTS)
    ]


def _id_map(done: Replayed) -> dict[str, str]:
    """Service ids → the bulk loader's deterministic ids for the same plan coordinates."""
    ids = Ids(SEED)
    mapping: dict[str, str] = {}
    mapping.update({v: ids.account(a) for a, v in done.accounts.items()})
    mapping.update({v: ids.session(a, s) for (a, s), v in done.sessions.items()})
    mapping.update({v: ids.message(a, s, m) for (a, s, m), v in done.messages.items()})
    mapping.update({v: ids.feedback(a, s, k) for (a, s, k), v in done.feedback.items()})
    mapping.update({v: ids.hold(a, s, h) for (a, s, h), v in done.holds.items()})
    return mapping


def _rows(engine: Engine, table: t.Table, skip: set[str], mapping: dict[str, str]) -> list[Any]:
    cols = [c for c in table.c if c.name not in skip]
    with engine.connect() as conn:
        rows = conn.execute(select(*cols)).all()
    out = [tuple(mapping.get(v, v) if isinstance(v, str) else v for v in row) for row in rows]
    return sorted(out, key=repr)


def _events(engine: Engine, mapping: dict[str, str]) -> dict[str, list[Any]]:
    ce = t.consent_events.c
    per_account: dict[str, list[Any]] = defaultdict(list)
    with engine.connect() as conn:
        for r in conn.execute(select(t.consent_events).order_by(ce.seq)):
            per_account[mapping.get(r.account_id, r.account_id)].append(
                # P16/P22: the rule set and the days the receipt promises, as the service
                (r.at, r.type, r.value, r.source, r.terms_version, r.rule_set, r.retention_days)
            )
    return dict(per_account)


def _app(url: str, policy: Policy) -> App:
    return build(
        Settings(database_url=url),
        migrate=False,
        clock=TestClock(instant(0) + (MIX.start - instant(0)) - timedelta(days=1)),
        policy=policy,
    )


def _check(service_url: str, bulk_url: str, policy: Policy) -> None:
    plans = _plans(policy)
    served = _app(service_url, policy)
    bulk = _app(bulk_url, policy)
    try:
        assert isinstance(served.ctx.clock, TestClock)
        done = replay(served.ctx, served.ctx.clock, plans)
        stats = load_population(
            bulk.engine, accounts=ACCOUNTS, seed=SEED, mix=MIX, policy=policy, batch_accounts=7
        )
        assert stats.sessions == len(done.sessions) and stats.messages == len(done.messages)
        mapping = _id_map(done)
        for table, skip in (
            (t.accounts, {"token_hash"}),
            (t.sessions, set()),
            (t.messages, set()),
            (t.feedback, set()),
            (t.holds, {"release_id"}),  # an order mark, made by the clock: compared below
            (t.activities, {"id"}),
        ):
            assert _rows(served.engine, table, skip, mapping) == _rows(
                bulk.engine, table, skip, {}
            ), table.name
        assert _events(served.engine, mapping) == _events(bulk.engine, {})
        released = select(t.holds.c.id, t.holds.c.release_id.is_not(None))
        with served.engine.connect() as a, bulk.engine.connect() as b:
            marks = sorted((mapping[i], bool(r)) for i, r in a.execute(released))
            assert marks == sorted((i, bool(r)) for i, r in b.execute(released))
        assert any(r for _, r in marks), "no released hold in the population"

        # Both at one instant after the whole history: same manifests, audits pass.
        cutoff = MIX.until + timedelta(seconds=1)
        for app in (served, bulk):
            assert isinstance(app.ctx.clock, TestClock)
            app.ctx.clock.set(cutoff)
        for purpose in ("model_training", "safety_classifiers"):
            a = runs.create_run(served.ctx, purpose=purpose)
            b = runs.create_run(bulk.ctx, purpose=purpose)
            assert (a.sessions, a.messages, a.feedback) == (b.sessions, b.messages, b.feedback)
            assert b.sessions > 0
            ma = runs.get_manifest(served.ctx, run_id=a.id)
            mb = runs.get_manifest(bulk.ctx, run_id=b.id)
            assert sorted(mapping[s] for s in ma.sessions) == sorted(mb.sessions)
            assert sorted(mapping[f] for f in ma.feedback) == sorted(mb.feedback)
            report = runs.audit_run(bulk.ctx, run_id=b.id)
            assert report.ok, report.findings[:5]
            assert report.checked_sessions == stats.sessions
        verified = ledger.verify_ledger(bulk.ctx)
        # The loaded consent events and each run's run_manifest event (issue 21 item 4).
        assert verified.ok and verified.events == stats.events + 2
    finally:
        served.engine.dispose()
        bulk.engine.dispose()


def test_bulk_load_equals_service_layer(
    database_url: str, tmp_path: Path, sqlite_template: Path
) -> None:
    """R9–R17, R20–R27: the bulk path gives the service layer's state, on both databases.

    The service path always runs on SQLite; the bulk path writes to the parametrised
    database (SQLite executemany or PostgreSQL COPY).
    """
    served = tmp_path / "served.db"
    shutil.copy(sqlite_template, served)
    _check(f"sqlite:///{served}", database_url, DEFAULT_POLICY)


def test_bulk_load_equals_service_layer_with_shorten(tmp_path: Path, sqlite_template: Path) -> None:
    """R18 `shorten`: opt-outs cut retention of earlier covered activity the same way."""
    served, bulk = tmp_path / "served.db", tmp_path / "bulk.db"
    shutil.copy(sqlite_template, served)
    shutil.copy(sqlite_template, bulk)
    _check(f"sqlite:///{served}", f"sqlite:///{bulk}", SHORTEN)


def test_population_has_every_behaviour() -> None:
    """The mix is not degenerate: the test population exercises every path it claims."""
    plans = _plans(DEFAULT_POLICY)
    sessions = [s for p in plans for s in p.sessions]
    assert {p.origin for p in plans} == {"signup", "import"}
    assert any(p.deleted_at for p in plans)
    assert any(c.type == "deferral" for p in plans for c in p.consent)
    assert any(c.source == "settings" for p in plans for c in p.consent)
    assert any(s.incognito for s in sessions) and any(s.deleted_at for s in sessions)
    assert any(s.feedback for s in sessions)
    assert {h.kind for s in sessions for h in s.holds} == {"safety", "legal"}
    assert len({p.scope for p in plans}) == 2
