"""``consentry db backup|restore`` and ``consentry keys status|rotate-kek|encrypt-existing``
(issue 26).

Registered by the main CLI: :func:`register` adds the two ``db`` commands to its ``db``
group and the ``keys`` group to the app. See docs/retention.md for what each copy holds.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from consentry.adapters.crypto.collect import (
    DEFAULT_GRACE_S,
    DEFAULT_RUN_KEY_DAYS,
    CollectResult,
    collect_orphan_keys,
)
from consentry.adapters.crypto.encrypt_existing import (
    DEFAULT_BATCH,
    EncryptResult,
    encrypt_existing,
)
from consentry.adapters.crypto.kek_file import KeyRingFile
from consentry.adapters.crypto.places import KeyPlaces
from consentry.adapters.crypto.purge_log import PurgeLog
from consentry.adapters.crypto.vault import SqlKeyVault
from consentry.adapters.sql.backup import backup_sqlite, restore_sqlite, unpurged
from consentry.config.settings import Settings
from consentry.entrypoints.cli_common import DatabaseUrl, PolicyPath, core, err, guarded, out
from consentry.service import ledger as ledger_service
from consentry.service import retention

keys_app = typer.Typer(
    help="Data keys and the key-encryption key (crypto-shredding).", no_args_is_help=True
)


def _settings(database_url: str | None) -> Settings:
    return Settings.from_env(database_url=database_url)


def db_backup(
    out_path: Annotated[Path, typer.Argument(metavar="OUT", help="The backup file to write.")],
    database_url: DatabaseUrl = None,
) -> None:
    """Copy the SQLite database to OUT (online: the service may keep running). The copy
    holds ciphertext and no data key: keys stay in the vault (docs/retention.md).
    PostgreSQL: refused with backup_unsupported (use pg_dump --format=custom)."""
    settings = _settings(database_url)
    size = guarded(lambda: backup_sqlite(settings.database_url, out_path))
    out.print_json(data={"backup": str(out_path), "bytes": size})


def db_restore(
    in_path: Annotated[Path, typer.Argument(metavar="IN", help="A file from `db backup`.")],
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
    replay_only: Annotated[
        bool,
        typer.Option(
            "--replay-only",
            help="Restore nothing; only re-apply the purge log (after a pg_restore).",
        ),
    ] = False,
) -> None:
    """Replace the database with a backup (stop the service first), upgrade its schema,
    re-apply every purge the purge log recorded since (R17), then verify the ledger."""
    settings = _settings(database_url)
    if not replay_only:
        guarded(lambda: restore_sqlite(settings.database_url, in_path))
    app_ = core(database_url, policy)
    try:
        log = PurgeLog(KeyPlaces.from_settings(app_.settings).purge_log)
        pending = [
            (entry.kind, unpurged(app_.engine, entry.kind, entry.ids))
            for entry in guarded(lambda: list(log.entries()))
        ]
        result = guarded(lambda: retention.reapply_purges(app_.ctx, pending))
        verified = guarded(lambda: ledger_service.verify_ledger(app_.ctx))
    finally:
        app_.engine.dispose()
    out.print_json(
        data={
            "restored": None if replay_only else str(in_path),
            "purges_reapplied": {
                "sessions": result.purged.sessions,
                "messages": result.purged.messages,
                "feedback": result.purged.feedback,
                "scores": result.purged.scores,
            },
            "ledger_ok": verified.ok,
        }
    )


@keys_app.command("status")
def keys_status(database_url: DatabaseUrl = None) -> None:
    """Where the KEK ring, vault and purge log are; how many data keys each KEK wraps."""
    places = KeyPlaces.from_settings(_settings(database_url))
    ring = guarded(lambda: KeyRingFile(places.kek_file))
    vault = SqlKeyVault.open(places.vault_url, ring)
    try:
        in_use = vault.kek_ids_in_use()
    finally:
        vault.engine.dispose()
    out.print_json(
        data={
            "kek_file": str(places.kek_file),
            "current_kek": ring.current_id,
            "keks_held": sorted(ring.held_ids()),
            "data_keys_per_kek": in_use,
            "purge_log": str(places.purge_log),
        }
    )


@keys_app.command("rotate-kek")
def rotate_kek(
    database_url: DatabaseUrl = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 1000,
) -> None:
    """Add a new KEK and re-wrap every data key under it, a transaction per batch; content
    is not re-encrypted. Resumable: a rerun continues with the same new KEK. The old KEKs
    leave the ring once no data key uses them."""
    places = KeyPlaces.from_settings(_settings(database_url))
    ring = guarded(lambda: KeyRingFile(places.kek_file))
    vault = SqlKeyVault.open(places.vault_url, ring)
    try:
        in_use = vault.kek_ids_in_use()
        started = any(kid != ring.current_id for kid in in_use) and len(ring.held_ids()) > 1
        new = ring.current_id if started else ring.add_key()
        rewrapped, batches = 0, 0
        while n := vault.rewrap(batch_size):
            rewrapped += n
            batches += 1
            err.print(f"batch {batches}: {rewrapped} re-wrapped", highlight=False)
        retired = ring.retire_old_keys()
    finally:
        vault.engine.dispose()
    out.print_json(
        data={"current_kek": new, "rewrapped": rewrapped, "batches": batches, "retired": retired}
    )


@keys_app.command("encrypt-existing")
def keys_encrypt_existing(
    database_url: DatabaseUrl = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = DEFAULT_BATCH,
) -> None:
    """Seal the message texts, feedback comments and safety scores stored in clear (written
    before CONSENTRY_CRYPTO_SHREDDING was on) under their data keys, a transaction per
    batch. Resumable: a rerun skips what is sealed already."""
    app_ = core(database_url, None)
    vault = KeyPlaces.from_settings(app_.settings).open_vault()
    try:

        def progress(done: EncryptResult) -> None:
            counts = ", ".join(f"{n} {what}" for what, n in done.sealed.items())
            err.print(f"batch {done.batches}: sealed {counts}", highlight=False)

        result = guarded(
            lambda: encrypt_existing(app_.engine, vault, batch_size=batch_size, progress=progress)
        )
    finally:
        vault.engine.dispose()
        app_.engine.dispose()
    out.print_json(
        data={"sealed": result.sealed, "already_sealed": result.already, "batches": result.batches}
    )


@keys_app.command("collect")
def keys_collect(
    database_url: DatabaseUrl = None,
    grace: Annotated[
        int,
        typer.Option(
            "--grace",
            min=0,
            help="Seconds: a key younger than this is kept (its row may not be committed "
            "yet). Longer than the longest transaction.",
        ),
    ] = DEFAULT_GRACE_S,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 1000,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, destroy nothing.")] = False,
    run_key_days: Annotated[
        int,
        typer.Option(
            "--run-key-days",
            min=0,
            envvar="CONSENTRY_RUN_KEY_DAYS",
            help="A run's export key is destroyed this many days after the run was created "
            "(its encrypted export shards then open no more).",
        ),
    ] = DEFAULT_RUN_KEY_DAYS,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Destroy even when more than half of the vault's keys look orphaned "
            "(refused otherwise with collect_refused: a wrong --database-url looks so).",
        ),
    ] = False,
) -> None:
    """Destroy the data keys whose item the database does not hold (orphans of a restore:
    items written after the backup), unless under hold, logging them in the purge log
    first, and the export keys of runs whose export retention ended. Safe while the
    service runs; resumable (a rerun finds what is left). Schedule it beside `sweep`."""
    app_ = core(database_url, None)
    places = KeyPlaces.from_settings(app_.settings)
    vault = guarded(places.open_vault)
    try:
        result = guarded(
            lambda: collect_orphan_keys(
                app_.engine,
                vault,
                places.open_purge_log(),
                grace_s=grace,
                batch_size=batch_size,
                dry_run=dry_run,
                run_key_days=run_key_days,
                progress=_collect_progress,
                force=force,
            )
        )
    finally:
        vault.engine.dispose()
        app_.engine.dispose()
    out.print_json(data={**dataclasses.asdict(result), "dry_run": dry_run})


def _collect_progress(done: CollectResult) -> None:
    err.print(
        f"page {done.pages}: {done.examined} examined, {done.destroyed} destroyed",
        highlight=False,
    )


def register(app: typer.Typer, db_app: typer.Typer) -> None:
    db_app.command("backup")(db_backup)
    db_app.command("restore")(db_restore)
    app.add_typer(keys_app, name="keys")
