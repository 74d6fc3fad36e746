"""``consentry keys collect``: destroy data keys whose item the content database lacks.

A restore brings back a database older than the vault: keys made after the backup (for
sessions, comments, holds the restored database never saw) stay in the vault as
orphans. They open nothing the live service holds, but they do open the newer backups
and lake files that carry those items, so they are destroyed here (issue 26).

Safe beside a running service: a key is made *before* its row commits (the append
creates the session's key, then inserts, then commits), so an orphan younger than the
grace age may belong to a transaction still in flight and is kept. Keys of unknown age
(made before the vault recorded ages) are stamped with the collection's time on their
first sighting and collected by a later run. An item under an active hold keeps its key
(R16). Each destroyed batch is first appended to the purge log, so restoring any other
backup later tombstones those items too (their content no longer opens).

A pool key (``pool:<key id>``, docs/retention.md "Key pool") that no session claimed
(``sessions.key_id``) is destroyed once older than the pool's maximum age plus the grace
age: no live process hands out a key past the maximum age (vault.py), and the grace age
covers a claim whose transaction is still in flight. A claimed one is kept while its
session is in the database (the sweeper destroys it with the session's purge). Each
destroyed batch is logged as kind ``pool`` (key ids), so restoring a newer backup, where
a session did claim one, tombstones that session (``db restore``).

Unclaimed pool keys are expected (a process that stops leaves the rest of its batch), so
they are not counted like the other orphans for the refusal below. Instead: a process
makes a batch when it needs a key and hands its keys out in order, so in the vault's
database nearly every old batch has a claimed key; a database where most old batches
have none is not the vault's (:func:`_refuse_most_orphaned`).

A run's export key (``run:<run id>``, export/sealed.py) is destroyed once the run's
export retention ends: ``run_key_days`` after the run was created (``None``: kept), or,
like the others, when the run is not in the database and the key is past the grace age.

Resumable: the vault is walked once by scope in pages, a transaction per page; a rerun
starts over and finds only what is left.

Refused without ``force`` when it would destroy more than half of the vault's keys (and
more than :data:`ORPHAN_FLOOR`): a restore orphans the items of the days since its backup,
not most of a vault, and a database URL naming the wrong or an empty database would
otherwise make every key an orphan and every copy of the content unreadable at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from consentry.adapters.crypto.vault import SqlKeyVault
from consentry.adapters.sql import tables as t
from consentry.adapters.sql.key_scopes import claimed_key_ids
from consentry.domain.errors import ConsentryError
from consentry.domain.ids import new_id
from consentry.service.keys import PurgeEntry, PurgeRecorder

DEFAULT_GRACE_S = 3600
DEFAULT_BATCH = 1000
DEFAULT_RUN_KEY_DAYS = 90
ORPHAN_FLOOR = 10
"""Orphans a collection may always destroy; above it, at most half the vault (`force`)."""
_KINDS = {
    "session": "sessions",
    "feedback": "feedback",
    "scores": "scores",
    "run": "runs",
    "pool": "pool",
}


@dataclass
class CollectResult:
    examined: int = 0
    destroyed: int = 0
    young: int = 0
    """Orphans younger than the grace age: kept, a later run looks again."""
    stamped: int = 0
    """Orphans of unknown age: stamped now, collected by a run after the grace age."""
    run_keys_expired: int = 0
    """Run export keys destroyed because the run's export retention ended."""
    pages: int = 0
    pool_destroyed: int = 0
    """Unclaimed pool keys past the maximum age plus the grace age (also in ``destroyed``)."""
    pool_batches: int = 0
    """Pool batches with a key past that age; ``pool_batches_unclaimed``: of them, those
    no session claimed any key of (counted in the dry run that precedes a collection)."""
    pool_batches_unclaimed: int = 0


class CollectRefused(ConsentryError):
    """Most of the vault looks orphaned: the database is probably not the vault's."""

    code = "collect_refused"


def _present(engine: Engine, kind: str, ids: list[str]) -> set[str]:
    """The ids of this kind the content database holds, or keeps a hold on (R16)."""
    if not ids:
        return set()
    h = t.holds.c
    with engine.connect() as conn:
        if kind == "pool":  # claimed by a session (a held one is in the database too)
            return claimed_key_ids(conn, ids)
        if kind == "sessions":
            s = t.sessions.c
            found = {r[0] for r in conn.execute(select(s.id).where(s.id.in_(ids)))}
            held = select(h.session_id).where(h.session_id.in_(ids), h.released_at.is_(None))
            return found | {r[0] for r in conn.execute(held)}
        table = {"feedback": t.feedback, "scores": t.holds, "runs": t.runs}[kind]
        return {r[0] for r in conn.execute(select(table.c.id).where(table.c.id.in_(ids)))}


def _expired_runs(engine: Engine, ids: list[str], before: datetime) -> set[str]:
    r = t.runs.c
    with engine.connect() as conn:
        rows = conn.execute(select(r.id).where(r.id.in_(ids), r.created_at <= before))
        return {row[0] for row in rows}


def _refuse_most_orphaned(survey: CollectResult) -> None:
    if survey.pool_batches_unclaimed > survey.pool_batches // 2:
        raise CollectRefused(
            f"{survey.pool_batches_unclaimed} of the vault's {survey.pool_batches} old pool "
            "batches have no key claimed by a session in this database: is it the vault's "
            "database? Check --database-url and the vault; pass --force if they really are "
            "unclaimed"
        )
    others = survey.destroyed - survey.pool_destroyed
    if others > max(ORPHAN_FLOOR, survey.examined // 2):
        raise CollectRefused(
            f"{others} of the vault's {survey.examined} keys have no item in "
            "this database: is it the vault's database? Check --database-url and the "
            "vault; pass --force if a restore really orphaned most keys"
        )


@dataclass(frozen=True)
class _Pass:
    engine: Engine
    vault: SqlKeyVault
    log: PurgeRecorder
    collect_id: str
    grace_s: int
    pool_age_s: int
    run_key_days: int | None
    dry_run: bool
    batches: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    """Pool batch -> (a key of it is claimed, a key of it is past the age)."""


def collect_orphan_keys(
    engine: Engine,
    vault: SqlKeyVault,
    log: PurgeRecorder,
    *,
    grace_s: int = DEFAULT_GRACE_S,
    batch_size: int = DEFAULT_BATCH,
    dry_run: bool = False,
    run_key_days: int | None = None,
    now: Callable[[], float] = time.time,
    progress: Callable[[CollectResult], None] | None = None,
    force: bool = False,
    pool_max_age_s: int | None = None,
) -> CollectResult:
    """``pool_max_age_s``: the pool's maximum age the service runs with (default: the
    vault's, from ``CONSENTRY_KEY_POOL_MAX_AGE_S`` as the service reads it)."""
    if not dry_run and not force:
        survey = collect_orphan_keys(
            engine, vault, log, grace_s=grace_s, batch_size=batch_size, dry_run=True, now=now,
            pool_max_age_s=pool_max_age_s,
        )  # fmt: skip
        _refuse_most_orphaned(survey)
    pool_age = vault.pool_max_age_s if pool_max_age_s is None else pool_max_age_s
    run = _Pass(
        engine, vault, log, new_id("kcl"), grace_s, pool_age + grace_s, run_key_days, dry_run
    )
    result = CollectResult()
    after: str | None = None
    while page := vault.scopes_page(after, batch_size):
        after = page[-1][0]
        result.examined += len(page)
        at = int(now())
        by_kind: dict[str, list[tuple[str, int | None]]] = {}
        for scope, created in page:
            prefix, _, item = scope.partition(":")
            if prefix in _KINDS:
                by_kind.setdefault(_KINDS[prefix], []).append((item, created))
        for kind, items in by_kind.items():
            _collect_kind(run, result, kind, items, at)
        result.pages += 1
        if progress is not None:
            progress(result)
    old_batches = [claimed for claimed, old in run.batches.values() if old]
    result.pool_batches = len(old_batches)
    result.pool_batches_unclaimed = old_batches.count(False)
    return result


def _collect_kind(
    run: _Pass, result: CollectResult, kind: str, items: list[tuple[str, int | None]], at: int
) -> None:
    """One page's keys of one kind: destroy the orphans past their age."""
    present = _present(run.engine, kind, [i for i, _ in items])
    if kind == "runs" and run.run_key_days is not None and present:
        ended = datetime.fromtimestamp(at, UTC) - timedelta(days=run.run_key_days)
        expired = _expired_runs(run.engine, sorted(present), ended)
        result.run_keys_expired += len(expired)
        if expired and not run.dry_run:
            run.vault.destroy(f"run:{i}" for i in sorted(expired))
    age = run.pool_age_s if kind == "pool" else run.grace_s
    orphans = [(i, c) for i, c in items if i not in present]
    unknown = [i for i, c in orphans if c is None]
    young = [i for i, c in orphans if c is not None and at - c < age]
    due = [i for i, c in orphans if c is not None and at - c >= age]
    result.young += len(young)
    result.stamped += len(unknown)
    if kind == "pool":
        result.pool_destroyed += len(due)
        for i, c in items:
            batch = i.rpartition("-")[0]
            claimed, old = run.batches.get(batch, (False, False))
            past = c is not None and at - c >= age
            run.batches[batch] = (claimed or i in present, old or past)
    if run.dry_run:
        result.destroyed += len(due)
        return
    prefix = next(p for p, k in _KINDS.items() if k == kind)
    if unknown:
        run.vault.stamp_unknown_ages([f"{prefix}:{i}" for i in unknown], at)
    if due and kind == "runs":  # a run's export is not in the purge log's kinds
        result.destroyed += run.vault.destroy(f"{prefix}:{i}" for i in due)
    elif due:
        stamp = datetime.fromtimestamp(at, UTC).isoformat()
        scopes = tuple(f"{prefix}:{i}" for i in due)
        run.log.append(PurgeEntry(stamp, run.collect_id, kind, tuple(due), True, scopes))
        result.destroyed += run.vault.destroy(scopes)
