"""The ledger's signed checkpoints and proofs (`service/ledger.py`, issue 21) on the
in-memory ledger tree (issue 20): a run's proof, consent receipts and a consistency proof
between two checkpoints verify with the stand-alone verifier (`consentry.verify`)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.service import accounts, ledger, runs
from consentry.service.context import Context
from consentry.service.ledger_ports import CheckpointSigner
from consentry.verify import (
    open_checkpoint,
    verify_consistency,
    verify_receipt,
    verify_run_proof,
)
from tests.unit.service.conftest import T0, move_clock
from tests.unit.service.fake_uow import InMemoryStore
from tests.unit.service.test_runs_on_fakes import _history

KEY = Ed25519PrivateKey.generate()
SIGNER = CheckpointSigner("consentry.test/ledger", KEY)


def test_a_runs_proof_and_receipts_verify_against_signed_checkpoints_R21_R27(
    fake_ctx: Context, fake_store: InMemoryStore
) -> None:
    """R27: each consent event is in the signed ledger (receipts verify); R21: a user can
    check which runs hold their sessions, against the manifest root the run's ledger event
    records; a later checkpoint extends the earlier one (consistency)."""
    ctx = dataclasses.replace(fake_ctx, signer=SIGNER)
    named = _history(ctx)
    move_clock(ctx, T0 + timedelta(hours=1))
    run = runs.create_run(ctx, purpose="model_training")  # signs a checkpoint after it
    first = ledger.latest_checkpoint(ctx)
    assert first.tree_size == len(fake_store.events)

    proof = ledger.run_proof(ctx, account_id=named["switcher"], run_id=run.id)
    verdict = verify_run_proof(proof, KEY.public_key())
    session_ids = sorted(fake_store.account_session_ids(named["switcher"]))
    manifest = runs.get_manifest(ctx, run_id=run.id).sessions
    assert list(verdict.values()) == [sid in manifest for sid in session_ids], proof
    for receipt in ledger.receipts(ctx, account_id=named["switcher"]):
        verify_receipt(receipt, KEY.public_key())

    accounts.record_choice(ctx, account_id=named["on"], training="off")
    second = ledger.checkpoint_if_grown(ctx, signer=SIGNER)
    assert second is not None and second.tree_size == first.tree_size + 1
    old = open_checkpoint(first.note, KEY.public_key(), origin=SIGNER.origin)
    new = open_checkpoint(second.note, KEY.public_key(), origin=SIGNER.origin)
    path = ledger.consistency_proof(ctx, first=first.tree_size, second=second.tree_size)
    verify_consistency(old.size, new.size, old.root, new.root, path)
    assert [c.id for c in ledger.checkpoint_history(ctx)] == [second.id, first.id]
