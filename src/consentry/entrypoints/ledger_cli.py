"""CLI commands of the signed ledger (issue 21): ``consentry ledger checkpoint``, the
checkpoint check behind ``consentry ledger verify --checkpoint``, ``consentry ledger
cosign`` (a witness), ``consentry ledger verify-cosignature``, ``consentry
verify-receipt``. Registered from :mod:`consentry.entrypoints.cli`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from consentry.domain.errors import ConsentryError
from consentry.entrypoints.cli_common import DatabaseUrl, PolicyPath, core, err, guarded, out
from consentry.service import ledger as ledger_service
from consentry.service.ledger_ports import CheckpointSigner
from consentry.verify import (
    VerificationError,
    load_private_key,
    load_public_key,
    open_checkpoint,
    verifier_key,
    verify_receipt,
    verify_run_proof,
)

if TYPE_CHECKING:
    from consentry.witness import ConsistencySource

SigningKeyFile = Annotated[
    Path,
    typer.Option(
        "--signing-key-file",
        envvar="CONSENTRY_SIGNING_KEY_FILE",
        help="Ed25519 private key, PEM (openssl genpkey -algorithm ed25519).",
    ),
]
Origin = Annotated[
    str,
    typer.Option(
        "--origin",
        envvar="CONSENTRY_LEDGER_ORIGIN",
        help="The log's name: the checkpoint's first line and the signature's key name.",
    ),
]


def _public_key(path: Path) -> Ed25519PublicKey:
    try:
        return load_public_key(path.read_bytes())
    except (OSError, VerificationError) as error:
        err.print(f"[bold red]error[/] public key {path}: {error}")
        raise typer.Exit(2) from error


def checkpoint(
    signing_key_file: SigningKeyFile,
    origin: Origin,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the note here (default: stdout).")
    ] = None,
    database_url: DatabaseUrl = None,
    policy: PolicyPath = None,
) -> None:
    """Sign the ledger's current Merkle tree head as a C2SP checkpoint and store it."""
    c = core(database_url, policy)
    signer = guarded(lambda: CheckpointSigner.from_pem_file(signing_key_file, origin=origin))
    record = guarded(lambda: ledger_service.issue_checkpoint(c.ctx, signer=signer))
    if out_file is None:
        out.file.write(record.note)
    else:
        out_file.write_text(record.note, encoding="utf-8")
        err.print(f"checkpoint of {record.tree_size} events written to {out_file}")
    err.print(f"verifier key: {verifier_key(origin, signer.key.public_key())}", soft_wrap=True)


def verify_checkpoint(
    database_url: str | None, policy: str | None, checkpoint_file: Path, public_key: Path
) -> None:
    """Exit 0 only when the checkpoint's signature verifies and the ledger extends it."""
    key = _public_key(public_key)
    try:
        note = checkpoint_file.read_text(encoding="utf-8")
    except OSError as error:
        err.print(f"[bold red]error[/] checkpoint {checkpoint_file}: {error}")
        raise typer.Exit(2) from error
    c = core(database_url, policy)
    result = ledger_service.check_against_checkpoint(c.ctx, note=note, key=key)
    cp = result.checkpoint
    out.print_json(
        json.dumps(
            {
                "ok": result.ok,
                "events": result.events,
                "checkpoint": None if cp is None else {"origin": cp.origin, "tree_size": cp.size},
                "problem": result.problem,
            }
        )
    )
    if not result.ok:
        raise typer.Exit(1)


def verify_receipt_command(
    receipt_file: Annotated[
        Path, typer.Argument(help="One receipt or one run proof (JSON), as the API gives it.")
    ],
    public_key: Annotated[Path, typer.Option("--public-key", help="The log's Ed25519 PEM key.")],
) -> None:
    """Check a consent receipt offline: its entry is in a checkpoint the key signed. A
    training-run proof (GET /v1/me/training-runs/{id}/proof) is checked too: the run's
    ledger event is in that checkpoint and each item's (non-)membership proof verifies."""
    key = _public_key(public_key)
    try:
        receipt = json.loads(receipt_file.read_text(encoding="utf-8"))
        if not isinstance(receipt, dict):
            raise VerificationError("the file does not hold one receipt object")
        if "record_id" not in receipt and "items" in receipt:
            _verify_run_proof_file(receipt, key)
            return
        cp = verify_receipt(receipt, key)
    except (OSError, ValueError, VerificationError) as error:
        out.print_json(json.dumps({"ok": False, "problem": str(error)}))
        raise typer.Exit(1) from error
    body = {"ok": True, "record_id": receipt.get("record_id"), "origin": cp.origin}
    out.print_json(json.dumps({**body, "tree_size": cp.size}))


def _verify_run_proof_file(proof: dict[str, Any], key: Ed25519PublicKey) -> None:
    """Issue 21 item 4: a run proof, checked as ``verify_run_proof`` does; prints which
    items are members (true) and which proved absent (false)."""
    items = verify_run_proof(proof, key)
    cp = open_checkpoint(str(proof.get("checkpoint")), key)
    body = {"ok": True, "run_id": proof.get("run_id"), "origin": cp.origin}
    out.print_json(json.dumps({**body, "tree_size": cp.size, "items": items}))


def cosign_command(
    public_key: Annotated[Path, typer.Option("--public-key", help="The log's Ed25519 PEM key.")],
    witness_key_file: Annotated[
        Path, typer.Option("--witness-key-file", help="This witness's Ed25519 PEM private key.")
    ],
    name: Annotated[str, typer.Option("--name", help="This witness's key name.")],
    state: Annotated[
        Path, typer.Option("--state", help="JSON file: the last checkpoint cosigned.")
    ],
    url: Annotated[
        str | None, typer.Option("--url", help="The log's API base URL (public paths only).")
    ] = None,
    checkpoint_file: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="Cosign this note (default: the log's newest)."),
    ] = None,
    database_url: DatabaseUrl = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the cosigned note (default: stdout).")
    ] = None,
) -> None:
    """Witness a checkpoint: verify it extends the last one cosigned, then sign it too.

    Proofs come from --url (the public API) or, without it, the database. Exit 1 on a
    fork or rollback, with the state left as it was."""
    from consentry.witness import WitnessState, cosign

    log_key = _public_key(public_key)
    try:
        witness_key = load_private_key(witness_key_file.read_bytes())
        note, consistency = _log_source(url, database_url, checkpoint_file)
        cosigned, new_state = cosign(
            note,
            log_key=log_key,
            witness_name=name,
            witness_key=witness_key,
            state=WitnessState.load(state),
            consistency=consistency,
        )
    except (OSError, VerificationError, ConsentryError) as error:
        message = error.message if isinstance(error, ConsentryError) else str(error)
        out.print_json(json.dumps({"ok": False, "problem": message}))
        raise typer.Exit(1) from error
    new_state.save(state)
    if out_file is None:
        out.file.write(cosigned)
    else:
        out_file.write_text(cosigned, encoding="utf-8")
        err.print(f"cosigned the tree of {new_state.size} events; written to {out_file}")


def _log_source(
    url: str | None, database_url: str | None, checkpoint_file: Path | None
) -> tuple[str, ConsistencySource]:
    """The note to cosign (the file given, else the log's newest) and where consistency
    proofs come from: the log's public API at `url`, or else the database."""
    from consentry.witness import http_source

    latest: str | None = None
    if url is not None:
        latest, consistency = http_source(url)
    else:
        c = core(database_url, None)

        def consistency(first: int, second: int) -> list[bytes]:
            try:
                return ledger_service.consistency_proof(c.ctx, first=first, second=second)
            except ConsentryError as error:
                raise VerificationError(error.message) from None

        latest = None if checkpoint_file else ledger_service.latest_checkpoint(c.ctx).note
    note = checkpoint_file.read_text(encoding="utf-8") if checkpoint_file else latest
    assert note is not None
    return note, consistency


def verify_cosignature_command(
    note_file: Annotated[Path, typer.Argument(help="A checkpoint note with witness lines.")],
    public_key: Annotated[Path, typer.Option("--public-key", help="The log's Ed25519 PEM key.")],
    witness: Annotated[str, typer.Option("--witness", help="The witness's key name.")],
    witness_key: Annotated[
        Path, typer.Option("--witness-key", help="The witness's Ed25519 PEM public key.")
    ],
) -> None:
    """Check a cosigned checkpoint offline: the log signed it and the witness cosigned it
    (C2SP tlog-cosignature); prints the tree and the time of the cosignature."""
    from consentry.cosignature import verify_cosignature
    from consentry.verify import open_checkpoint

    log_key, cosigner_key = _public_key(public_key), _public_key(witness_key)
    try:
        note = note_file.read_text(encoding="utf-8")
        cp = open_checkpoint(note, log_key)
        cosignature = verify_cosignature(note, witness, cosigner_key)
    except (OSError, ValueError, VerificationError) as error:
        out.print_json(json.dumps({"ok": False, "problem": str(error)}))
        raise typer.Exit(1) from error
    body = {"ok": True, "origin": cp.origin, "tree_size": cp.size, "witness": witness}
    out.print_json(json.dumps({**body, "cosigned_at": cosignature.timestamp}))


def register(app: typer.Typer, ledger_app: typer.Typer) -> None:
    ledger_app.command("checkpoint")(checkpoint)
    ledger_app.command("cosign")(cosign_command)
    ledger_app.command("verify-cosignature")(verify_cosignature_command)
    app.command("verify-receipt")(verify_receipt_command)
