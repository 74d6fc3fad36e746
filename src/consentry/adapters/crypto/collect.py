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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from consentry.adapters.crypto.vault import SqlKeyVault
from consentry.adapters.sql import tables as t
from consentry.domain.errors import ConsentryError
from consentry.domain.ids import new_id
from consentry.service.keys import PurgeEntry, PurgeRecorder

DEFAULT_GRACE_S = 3600
DEFAULT_BATCH = 1000
DEFAULT_RUN_KEY_DAYS = 90
ORPHAN_FLOOR = 10
"""Orphans a collection may always destroy; above it, at most half the vault (`force`)."""
_KINDS = {"session": "sessions", "feedback": "feedback", "scores": "scores", "run": "runs"}


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


class CollectRefused(ConsentryError):
    """Most of the vault looks orphaned: the database is probably not the vault's."""

    code = "collect_refused"


def _present(engine: Engine, kind: str, ids: list[str]) -> set[str]:
    """The ids of this kind the content database holds, or keeps a hold on (R16)."""
    if not ids:
        return set()
    h = t.holds.c
    with engine.connect() as conn:
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
    if survey.destroyed > max(ORPHAN_FLOOR, survey.examined // 2):
        raise CollectRefused(
            f"{survey.destroyed} of the vault's {survey.examined} keys have no item in "
            "this database: is it the vault's database? Check --database-url and the "
            "vault; pass --force if a restore really orphaned most keys"
        )


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
) -> CollectResult:
    if not dry_run and not force:
        survey = collect_orphan_keys(
            engine, vault, log, grace_s=grace_s, batch_size=batch_size, dry_run=True, now=now
        )
        _refuse_most_orphaned(survey)
    result = CollectResult()
    collect_id = new_id("kcl")
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
            present = _present(engine, kind, [i for i, _ in items])
            if kind == "runs" and run_key_days is not None and present:
                ended = datetime.fromtimestamp(at, UTC) - timedelta(days=run_key_days)
                expired = _expired_runs(engine, sorted(present), ended)
                result.run_keys_expired += len(expired)
                if expired and not dry_run:
                    vault.destroy(f"run:{i}" for i in sorted(expired))
            orphans = [(i, c) for i, c in items if i not in present]
            unknown = [i for i, c in orphans if c is None]
            young = [i for i, c in orphans if c is not None and at - c < grace_s]
            due = [i for i, c in orphans if c is not None and at - c >= grace_s]
            result.young += len(young)
            result.stamped += len(unknown)
            if dry_run:
                result.destroyed += len(due)
                continue
            prefix = next(p for p, k in _KINDS.items() if k == kind)
            if unknown:
                vault.stamp_unknown_ages([f"{prefix}:{i}" for i in unknown], at)
            if due and kind == "runs":  # a run's export is not in the purge log's kinds
                result.destroyed += vault.destroy(f"{prefix}:{i}" for i in due)
            elif due:
                stamp = datetime.fromtimestamp(at, UTC).isoformat()
                log.append(PurgeEntry(stamp, collect_id, kind, tuple(due), keys_destroyed=True))
                result.destroyed += vault.destroy(f"{prefix}:{i}" for i in due)
        result.pages += 1
        if progress is not None:
            progress(result)
    return result
