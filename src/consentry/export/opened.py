"""``consentry runs open``: a sealed training export decrypted for its trainer (issue 26).

With crypto-shredding on, a run's export is written sealed under the run's key
(:mod:`consentry.export.sealed`); a trainer reads it through this while the key exists.
The export is checked first (its digests, its manifest's run), every shard is opened and
its rows counted against the manifest in a private directory (0700, files 0600) beside
the target, and only a whole, checked set is renamed to the target: a failure leaves no
target and nothing half-written. Once ``consentry keys collect`` destroyed the run key
(the run's export retention ended, docs/retention.md), nothing opens the export any more.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from consentry.domain.errors import ExportInvalid, InvalidInput
from consentry.export.sealed import opened_shards
from consentry.export.verified import verified_manifest
from consentry.service.context import Context
from consentry.service.keys import KeyUnavailable, run_scope
from consentry.service.runs import get_run


@dataclass(frozen=True)
class OpenedShard:
    path: str
    rows: int


@dataclass(frozen=True)
class OpenedExport:
    run_id: str
    directory: str
    shards: list[OpenedShard]


def open_export(ctx: Context, *, run_id: str, directory: str, target: str) -> OpenedExport:
    """Decrypt run ``run_id``'s sealed export in ``directory`` into the new directory
    ``target`` (the plain shards under the manifest's names; the manifest stays with the
    sealed files, its digests cover them).

    Raises NotFound for an unknown run, NotExported without a manifest, ExportInvalid
    when the export does not verify, is another run's (its run id, cutoff or policy
    digest) or is not sealed (its shards are
    plain already), KeyUnavailable when the run key is destroyed or shredding is off, and
    InvalidInput when ``target`` exists."""
    run = get_run(ctx, run_id=run_id)
    root, out = Path(directory), Path(target)
    manifest = verified_manifest(run, root)
    if "encryption" not in manifest:
        raise ExportInvalid(f"the export of run {run.id} is not sealed: read {root} as it is")
    if out.exists() or out.is_symlink():
        raise InvalidInput(f"{out} exists; name a new directory to open the export into")
    keys = ctx.shredder.keys if ctx.shredder is not None else None
    if keys is None:
        raise KeyUnavailable("crypto-shredding is off: no key vault holds the run key")
    key = keys.data_key(run_scope(run.id), create=False)
    if key is None:
        raise KeyUnavailable(
            f"the key of run {run.id} was destroyed (its export retention ended): "
            "no copy of the export can be opened"
        )
    parent = out.parent if str(out.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    with opened_shards(root, manifest, key, parent=parent) as (plain, failed):
        if failed:
            raise ExportInvalid(f"the export of run {run.id} does not open: {failed[0]}")
        os.rename(plain, out)  # whole or not at all; the same file system as the target
    return OpenedExport(
        run_id=run.id,
        directory=str(out),
        shards=[OpenedShard(str(e["path"]), int(e["rows"])) for e in manifest["shards"]],
    )
