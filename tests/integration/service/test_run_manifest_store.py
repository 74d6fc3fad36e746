"""Issue 21: a run's manifest tree is stored when the run is created (revision 0008), and
run proofs read it instead of rebuilding the tree; what they prove is unchanged."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select, update

from consentry.adapters.sql import tables as t
from consentry.service import ledger, runs
from consentry.service.context import Context
from consentry.service.ledger_ports import CheckpointSigner
from consentry.verify import VerificationError, verify_run_proof
from tests.integration.service.conftest import World


def _signed(world: World, key: Ed25519PrivateKey) -> Context:
    return dataclasses.replace(world.ctx, signer=CheckpointSigner("consentry.test/ledger", key))


def _seed(world: World) -> tuple[str, list[str], str]:
    """A user with chats in and out of a run beside other accounts' chats; the run id."""
    me = world.user(plan="free", training="on")
    others = [world.user(plan="free", training="on") for _ in range(3)]
    mine = []
    for i in range(24):
        owner = me if i % 3 == 0 else others[i % 3]
        sid = world.chat(owner, f"chat {i}")
        if owner == me:
            mine.append(sid)
    world.advance(1)
    run = runs.create_run(world.ctx, purpose="model_training").id
    world.advance(1)
    mine.append(world.chat(me, "after the cutoff"))
    return me, mine, run


def test_run_creation_stores_the_manifest_tree_and_proofs_read_it_R21(world: World) -> None:
    key = Ed25519PrivateKey.generate()
    ctx = _signed(world, key)
    me, mine, run = _seed(world)
    with world.app.engine.connect() as conn:
        row = conn.execute(
            select(t.run_manifest_trees).where(t.run_manifest_trees.c.run_id == run)
        ).one()
    assert row.size == 24 and len(row.ids.split("\n")) == 24
    stored = ledger.run_proof(ctx, account_id=me, run_id=run)
    answers = verify_run_proof(stored, key.public_key())
    assert answers == {sid: sid != mine[-1] for sid in mine}

    # A run from before revision 0008 has no stored tree: the proof rebuilds it, and says
    # exactly the same.
    with world.app.engine.begin() as conn:
        conn.execute(delete(t.run_manifest_trees).where(t.run_manifest_trees.c.run_id == run))
    assert ledger.run_proof(ctx, account_id=me, run_id=run) == stored


def test_the_empty_run_stores_an_empty_tree(world: World) -> None:
    key = Ed25519PrivateKey.generate()
    me = world.user(plan="free", training="off")
    sid = world.chat(me)
    run = runs.create_run(world.ctx, purpose="model_training").id
    proof = ledger.run_proof(_signed(world, key), account_id=me, run_id=run)
    assert proof["manifest_size"] == 0
    assert verify_run_proof(proof, key.public_key()) == {sid: False}


def test_a_manifest_edited_after_the_run_no_longer_verifies(world: World) -> None:
    """The stored tree is the manifest at creation, signed in the run's checkpoint: an
    operator who later edits a manifest row gets proofs the verifier refuses."""
    key = Ed25519PrivateKey.generate()
    ctx = _signed(world, key)
    runs_ctx = world.ctx
    world.ctx = ctx  # the run's checkpoint is signed at creation
    me, mine, run = _seed(world)
    world.ctx = runs_ctx
    with world.app.engine.begin() as conn:
        conn.execute(
            update(t.run_sessions)
            .where(t.run_sessions.c.run_id == run, t.run_sessions.c.session_id == mine[0])
            .values(include_from=datetime(2020, 1, 1, tzinfo=UTC))
        )
    with pytest.raises(VerificationError):
        verify_run_proof(ledger.run_proof(ctx, account_id=me, run_id=run), key.public_key())
