"""``consentry secrets reseal``: the stored secrets sealed again under a new master key.

Registered in the main CLI as ``app.add_typer(app, name="secrets")``. The new key is the
one the service is configured with (``CONSENTRY_SECRET_KEY``, ``CONSENTRY_SECRET_KEY_FILE``
or the key file beside the SQLite database); the old one is read from ``--old-key-file``.
See :mod:`consentry.adapters.sql.reseal` for what is resumable and when it refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from consentry.adapters.sql.reseal import DEFAULT_BATCH, ResealResult, reseal_secrets
from consentry.config.sealing import SecretBox
from consentry.config.secret_key import MIN_KEY_CHARS
from consentry.domain.errors import InvalidInput
from consentry.entrypoints.cli_common import DatabaseUrl, core, err, guarded, out

app = typer.Typer(help="Stored secrets: seal them again under a new key.", no_args_is_help=True)


def read_old_key(path: Path) -> bytes:
    """The old master key from its file, checked as the service checks its own."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read the old key file {path}: {error}") from None
    if len(key) < MIN_KEY_CHARS:
        raise InvalidInput(f"the old key in {path} needs {MIN_KEY_CHARS} characters or more")
    return key.encode("utf-8")


@app.command("reseal")
def reseal(
    old_key_file: Annotated[
        Path,
        typer.Option(
            "--old-key-file",
            help="A file holding the master key the secrets are sealed with now.",
        ),
    ],
    database_url: DatabaseUrl = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Rows per transaction.")
    ] = DEFAULT_BATCH,
) -> None:
    """Open the webhook secrets and the runs' pseudonym keys with the old key and seal
    them with the configured one, a transaction per batch. Resumable: run it again after
    an interruption. Exit 2 with wrong_old_key, changing nothing more, when a value opens
    with neither key. Browser sessions are signed with the key too: everyone signs in
    again."""
    old = SecretBox.from_master(guarded(lambda: read_old_key(old_key_file)))
    app_ = core(database_url, None)
    try:

        def progress(done: ResealResult) -> None:
            err.print(f"batch {done.batches}: {done.resealed} resealed", highlight=False)

        result = guarded(
            lambda: reseal_secrets(
                app_.engine, old=old, new=app_.box, batch_size=batch_size, progress=progress
            )
        )
    finally:
        app_.engine.dispose()
    out.print_json(
        data={
            "resealed": result.resealed,
            "already_sealed_with_the_new_key": result.already,
            "batches": result.batches,
            "per_column": result.per_column,
        }
    )
