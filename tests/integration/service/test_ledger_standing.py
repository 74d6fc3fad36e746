"""Issue 21 item 5: whether a user's consent entries are in the newest signed checkpoint,
checked server-side with their inclusion proofs (the privacy page's "verified")."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import update

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App, build
from consentry.config.settings import Settings
from consentry.entrypoints.api.app import create_app
from consentry.service import accounts, ledger, runs, sessions
from consentry.service.ledger_ports import CheckpointSigner
from consentry.verify import Checkpoint, sign_checkpoint
from tests.integration.service.conftest import World
from tests.integration.service.test_ledger_tree import _rewrite_history

ORIGIN = "consentry.test/ledger"


def _signing(world: World) -> CheckpointSigner:
    signer = CheckpointSigner(ORIGIN, Ed25519PrivateKey.generate())
    world.ctx = dataclasses.replace(world.ctx, signer=signer)
    return signer


def test_entries_in_the_newest_checkpoint_are_verified_R27(world: World) -> None:
    signer = _signing(world)
    me = world.user(plan="free", training="off")
    world.user(plan="free", training="on")
    assert ledger.ledger_standing(world.ctx, account_id=me).state == "unsigned"
    ledger.issue_checkpoint(world.ctx, signer=signer)
    standing = ledger.ledger_standing(world.ctx, account_id=me)
    assert (standing.state, standing.events, standing.covered) == ("verified", 1, 1)
    world.choose(me, "on")  # after the checkpoint: not covered yet
    standing = ledger.ledger_standing(world.ctx, account_id=me)
    assert (standing.state, standing.events, standing.covered) == ("verified", 2, 1)
    ledger.issue_checkpoint(world.ctx, signer=signer)
    assert ledger.ledger_standing(world.ctx, account_id=me).covered == 2


@pytest.mark.parametrize("rebuild_tree", [False, True], ids=["chain-only", "chain-and-tree"])
def test_a_rewritten_choice_is_not_verified(world: World, rebuild_tree: bool) -> None:
    """The attack of issue 21: the user's choice rewritten after the checkpoint, with the
    chain (and the stored tree) recomputed; the page must not say "verified"."""
    signer = _signing(world)
    me = world.user(plan="free", training="off")
    world.user(plan="free", training="on")
    ledger.issue_checkpoint(world.ctx, signer=signer)
    _rewrite_history(world, seq=1, value="on", rebuild_tree=rebuild_tree)
    assert ledger.verify_ledger(world.ctx).ok  # the hash chain alone is fooled
    assert ledger.ledger_standing(world.ctx, account_id=me).state == "failed"


def test_a_checkpoint_signed_by_another_key_is_not_verified(world: World) -> None:
    signer = _signing(world)
    me = world.user(plan="free", training="off")
    record = ledger.issue_checkpoint(world.ctx, signer=signer)
    forged = sign_checkpoint(
        Checkpoint(ORIGIN, record.tree_size, bytes.fromhex(record.root_hash)),
        Ed25519PrivateKey.generate(),
    )
    with world.app.engine.begin() as conn:
        conn.execute(
            update(t.ledger_checkpoints)
            .where(t.ledger_checkpoints.c.id == record.id)
            .values(note=forged)
        )
    assert ledger.ledger_standing(world.ctx, account_id=me).state == "failed"


def _page(core: App, token: str, language: str) -> str:
    with TestClient(create_app(core)) as client:
        signin = client.get("/signin")
        csrf = signin.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post("/signin", data={"csrf_token": csrf, "token": token})
        return client.get("/privacy", headers={"Accept-Language": language}).text


def test_the_privacy_page_says_verified_in_english_and_german(sqlite_url: str) -> None:
    core = build(Settings(database_url=sqlite_url), migrate=False)
    signer = CheckpointSigner(ORIGIN, Ed25519PrivateKey.generate())
    signed = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, signer=signer))
    try:
        creds = accounts.sign_up(signed.ctx, plan="free", training="off")
        accounts.record_choice(signed.ctx, account_id=creds.account_id, training="on")
        assert 'id="ledger-standing"' not in _page(signed, creds.token, "en")  # no checkpoint
        ledger.issue_checkpoint(signed.ctx, signer=signer)
        english = _page(signed, creds.token, "en")
        assert "All 2 of your entries are in the signed record" in english
        assert "tag-ok" in english
        german = _page(signed, creds.token, "de")
        assert "Alle 2 Ihrer Einträge sind im signierten Stand" in german
        assert "geprüft" in german
        accounts.record_choice(signed.ctx, account_id=creds.account_id, training="off")
        assert "Your newest change came after that record" in _page(signed, creds.token, "en")
    finally:
        core.engine.dispose()


def test_runs_that_used_my_data_are_verified_against_their_signed_checkpoint(
    world: World,
) -> None:
    """Issue 21 item 4: the run list's "verified" is each run's membership proofs for the
    user's chats checked against the checkpoint signed at the run's creation."""
    _signing(world)
    me = world.user(plan="free", training="on")
    chats = [world.chat(me, f"chat {i}") for i in range(3)]
    world.chat(world.user(plan="free", training="on"), "someone else's")
    world.advance(1)
    run = runs.create_run(world.ctx, purpose="model_training").id
    no_key = dataclasses.replace(world.ctx, signer=None)
    unsigned = runs.create_run(no_key, purpose="model_training").id
    assert ledger.runs_verified(world.ctx, account_id=me, run_ids=[run, unsigned]) == {run: True}
    with world.app.engine.begin() as conn:  # the operator edits the manifest afterwards
        conn.execute(
            update(t.run_sessions)
            .where(t.run_sessions.c.run_id == run, t.run_sessions.c.session_id == chats[1])
            .values(include_from=datetime(2020, 1, 1, tzinfo=UTC))
        )
    assert ledger.runs_verified(world.ctx, account_id=me, run_ids=[run]) == {run: False}
    assert ledger.runs_verified(no_key, account_id=me, run_ids=[run]) == {}


def test_the_privacy_page_marks_each_run_verified(sqlite_url: str) -> None:
    core = build(Settings(database_url=sqlite_url), migrate=False)
    signer = CheckpointSigner(ORIGIN, Ed25519PrivateKey.generate())
    signed = dataclasses.replace(core, ctx=dataclasses.replace(core.ctx, signer=signer))
    try:
        creds = accounts.sign_up(signed.ctx, plan="free", training="on")
        chat = sessions.start_session(signed.ctx, account_id=creds.account_id, kind="chat")
        sessions.add_message(
            signed.ctx, account_id=creds.account_id, session_id=chat.session.id,
            role="user", content="hello",
        )  # fmt: skip
        runs.create_run(signed.ctx, purpose="model_training")
        english = _page(signed, creds.token, "en")
        cell = english.split('class="run-verified">', 1)[1].split("</td>", 1)[0]
        assert "verified" in cell and "tag-ok" in cell
        assert 'id="runs-verified-help"' in english
        german = _page(signed, creds.token, "de")
        assert "geprüft" in german.split('class="run-verified">', 1)[1].split("</td>", 1)[0]
    finally:
        core.engine.dispose()
