"""Issue 21 over HTTP: the public checkpoint, consistency proofs, the checkpoint history,
receipts with inclusion proofs, and `consentry verify-receipt` on what the API handed out."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from consentry.bootstrap import App
from consentry.entrypoints.api.ledger import CheckpointTicker
from consentry.entrypoints.cli import app as cli
from consentry.service import ledger
from consentry.service.ledger_ports import CheckpointSigner
from consentry.verify import (
    VerificationError,
    leaf_hash,
    open_checkpoint,
    verify_consistency,
    verify_inclusion,
    verify_receipt,
)
from tests.e2e.api.conftest import ADMIN, Api, client_for, expect

ORIGIN = "consentry.test/ledger"


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def signed_api(core: App, key: Ed25519PrivateKey) -> Iterator[Api]:
    """The API of a service that holds a signing key."""
    ctx = dataclasses.replace(core.ctx, signer=CheckpointSigner(ORIGIN, key))
    with client_for(dataclasses.replace(core, ctx=ctx)) as client:
        yield Api(client)


def _public_pem(key: Ed25519PrivateKey, tmp_path: Path) -> Path:
    path = tmp_path / "log.pub"
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def test_no_checkpoint_before_one_is_signed(api: Api) -> None:
    expect(api.client.get("/v1/ledger/checkpoint"), 404, "not_found")


def test_run_creation_signs_a_checkpoint_served_as_plain_text(
    signed_api: Api, key: Ed25519PrivateKey
) -> None:
    signed_api.signup(training="on")
    signed_api.signup(training="off")
    signed_api.create_run()
    response = signed_api.client.get("/v1/ledger/checkpoint")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    cp = open_checkpoint(response.text, key.public_key(), origin=ORIGIN)
    assert cp.size == 3  # two sign-ups and the run's run_manifest event (issue 21 item 4)


def test_receipts_carry_entries_and_proofs_that_verify_offline(
    signed_api: Api, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    user = signed_api.signup(training="on")
    signed_api.signup(training="off")
    signed_api.create_run()  # a checkpoint at 3 events: two sign-ups, the run's event
    signed_api.choose(user, "off")  # event 4: newer than every checkpoint
    receipts = expect(signed_api.client.get("/v1/me/consent-receipts", headers=user.headers), 200)
    assert [r["event_state"] for r in receipts] == ["given", "withdrawn"]
    for receipt in receipts:
        entry = json.loads(receipt["ledger_entry"])
        assert entry["event_id"] == receipt["record_id"]
        assert receipt["proof"]["tree_size"] == 4  # a fresh checkpoint covers the new choice
        verify_receipt(receipt, key.public_key())
    public = _public_pem(key, tmp_path)
    good = tmp_path / "receipt.json"
    good.write_text(json.dumps(receipts[0]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["verify-receipt", str(good), "--public-key", str(public)])
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["ok"] is True

    # A user (or operator) claiming the first choice was "off": entry and state agree,
    # but the entry is not the leaf the signed tree holds.
    forged = {**receipts[0], "event_state": "withdrawn"}
    forged["ledger_entry"] = receipts[0]["ledger_entry"].replace('"value":"on"', '"value":"off"')
    assert forged["ledger_entry"] != receipts[0]["ledger_entry"]
    with pytest.raises(VerificationError):
        verify_receipt(forged, key.public_key())
    bad = tmp_path / "forged.json"
    bad.write_text(json.dumps(forged), encoding="utf-8")
    result = CliRunner().invoke(cli, ["verify-receipt", str(bad), "--public-key", str(public)])
    assert result.exit_code == 1
    assert "audit path does not lead" in json.loads(result.stdout)["problem"]
    other = Ed25519PrivateKey.generate()
    with pytest.raises(VerificationError, match="no signature"):
        verify_receipt(receipts[0], other.public_key())


def test_receipts_without_a_key_prove_into_the_current_tree_head(api: Api, app: App) -> None:
    user = api.signup(training="on")
    api.signup()
    receipts = expect(api.client.get("/v1/me/consent-receipts", headers=user.headers), 200)
    proof = receipts[0]["proof"]
    assert proof["checkpoint"] is None and proof["tree_size"] == 2
    verify_inclusion(
        proof["leaf_index"],
        proof["tree_size"],
        leaf_hash(receipts[0]["ledger_entry"].encode()),
        [base64.b64decode(h) for h in proof["audit_path"]],
        ledger.tree_head(app.ctx).root(),
    )


def test_consistency_between_two_checkpoints_verifies(
    signed_api: Api, key: Ed25519PrivateKey
) -> None:
    user = signed_api.signup(training="on")
    signed_api.create_run()
    old = open_checkpoint(signed_api.client.get("/v1/ledger/checkpoint").text, key.public_key())
    for value in ("off", "on", "off"):
        signed_api.choose(user, value)
    signed_api.signup()
    signed_api.create_run(purpose="safety_classifiers")
    new = open_checkpoint(signed_api.client.get("/v1/ledger/checkpoint").text, key.public_key())
    assert (old.size, new.size) == (2, 7)  # each run appends its run_manifest event
    body = expect(
        signed_api.client.get(f"/v1/ledger/consistency?first={old.size}&second={new.size}"), 200
    )
    proof = [base64.b64decode(h) for h in body["proof"]]
    verify_consistency(old.size, new.size, old.root, new.root, proof)
    expect(
        signed_api.client.get("/v1/ledger/consistency?first=3&second=2"), 422, "validation_error"
    )
    expect(
        signed_api.client.get("/v1/ledger/consistency?first=1&second=9"), 422, "validation_error"
    )
    expect(signed_api.client.get("/v1/ledger/consistency?first=-1&second=2"), 422)


def test_checkpoint_history_is_admin_only_newest_first_and_paged(signed_api: Api) -> None:
    signed_api.signup()
    signed_api.create_run()
    signed_api.signup()
    signed_api.create_run(purpose="safety_classifiers")
    expect(signed_api.client.get("/v1/admin/ledger/checkpoints"), 401)
    page = expect(signed_api.client.get("/v1/admin/ledger/checkpoints", headers=ADMIN), 200)
    assert [c["tree_size"] for c in page["items"]] == [4, 2]  # sign-ups and run events
    assert page["next_cursor"] is None
    first = expect(
        signed_api.client.get("/v1/admin/ledger/checkpoints?limit=1", headers=ADMIN), 200
    )
    cursor = first["next_cursor"]
    second = expect(
        signed_api.client.get(
            f"/v1/admin/ledger/checkpoints?limit=1&cursor={cursor}", headers=ADMIN
        ),
        200,
    )
    assert [c["tree_size"] for c in first["items"] + second["items"]] == [4, 2]


@pytest.mark.parametrize("cursor", ["%C2%B2", "abc", "-1", "99999999999999999999", "1.5"])
def test_a_cursor_this_endpoint_never_gave_is_422(api: Api, cursor: str) -> None:
    """Found by the OpenAPI fuzz test: `?cursor=²` passed `str.isdigit` and gave a 500."""
    answer = api.client.get(f"/v1/admin/ledger/checkpoints?cursor={cursor}", headers=ADMIN)
    expect(answer, 422, "validation_error")


def test_the_periodic_checkpoint_signs_only_when_the_ledger_grew(
    core: App, key: Ed25519PrivateKey
) -> None:
    ctx = dataclasses.replace(core.ctx, signer=CheckpointSigner(ORIGIN, key))
    ticker = CheckpointTicker(dataclasses.replace(core, ctx=ctx), interval_s=3600)
    ticker.tick()
    ticker.tick()
    assert [c.tree_size for c in ledger.checkpoint_history(ctx)] == [0]
    from consentry.service import accounts

    accounts.sign_up(ctx, plan="free", training="on")
    ticker.tick()
    ticker.tick()
    assert [c.tree_size for c in ledger.checkpoint_history(ctx)] == [1, 0]


def test_run_proofs_prove_my_sessions_in_or_out_of_a_run(
    signed_api: Api, key: Ed25519PrivateKey
) -> None:
    """Issue 21 item 4: members and non-members, verified by the stand-alone verifier."""
    from consentry.verify import verify_run_proof

    user = signed_api.signup(training="on")
    other = signed_api.signup(training="on")
    inside = [signed_api.start_session(user)["session_id"] for _ in range(3)]
    for sid in inside:
        signed_api.message(user, sid)
    signed_api.message(other, signed_api.start_session(other)["session_id"])
    run = signed_api.create_run()
    later = signed_api.start_session(user)["session_id"]  # after the cutoff: not in the run
    signed_api.message(user, later)
    proof = expect(
        signed_api.client.get(f"/v1/me/training-runs/{run['run_id']}/proof", headers=user.headers),
        200,
    )
    assert proof["manifest_size"] == 4
    answers = verify_run_proof(proof, key.public_key())
    assert answers == {**dict.fromkeys(inside, True), later: False}
    # The checkpoint signed at creation covers the run's run_manifest event, which
    # records the manifest root; the proof carries that event's inclusion proof.
    history = expect(signed_api.client.get("/v1/admin/ledger/checkpoints", headers=ADMIN), 200)
    assert proof["checkpoint"] == history["items"][0]["note"]
    assert json.loads(proof["ledger"]["entry"])["run_id"] == run["run_id"]
    assert proof["ledger"]["tree_size"] == history["items"][0]["tree_size"]
    expect(
        signed_api.client.get("/v1/me/training-runs/run_nope/proof", headers=user.headers),
        404,
        "not_found",
    )


def test_run_proof_of_an_empty_run_and_without_a_key(api: Api, core: App) -> None:
    from consentry.verify import verify_run_proof

    user = api.signup(training="off")
    sid = api.start_session(user)["session_id"]
    api.message(user, sid)
    run = api.create_run()
    url = f"/v1/me/training-runs/{run['run_id']}/proof"
    proof = expect(api.client.get(url, headers=user.headers), 200)
    assert proof["manifest_size"] == 0 and proof["checkpoint"] is None
    assert proof["items"] == [{"id": sid, "member": False, "left": None, "right": None}]
    key = Ed25519PrivateKey.generate()
    ctx = dataclasses.replace(core.ctx, signer=CheckpointSigner(ORIGIN, key))
    with client_for(dataclasses.replace(core, ctx=ctx)) as client:
        signed = expect(client.get(url, headers=user.headers), 200)  # signs one on demand
    assert verify_run_proof(signed, key.public_key()) == {sid: False}


def test_a_witness_cosigns_over_real_http(
    core: App, key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    """The witness of item 6 against a live server: checkpoint and consistency proofs come
    from the public API only (uvicorn on a free port, urllib on the other side)."""
    import socket
    import threading
    import time

    import uvicorn

    from consentry.cosignature import verify_cosignature
    from consentry.entrypoints.api.app import create_app
    from consentry.service import accounts
    from consentry.witness import WitnessState, cosign, http_source

    ctx = dataclasses.replace(core.ctx, signer=CheckpointSigner(ORIGIN, key))
    signed = dataclasses.replace(core, ctx=ctx)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(signed), host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        witness = Ed25519PrivateKey.generate()
        accounts.sign_up(ctx, plan="free", training="on")
        ledger.issue_checkpoint(ctx, signer=ctx.signer)  # type: ignore[arg-type]
        note, proofs = http_source(base)
        _, state = cosign(
            note, log_key=key.public_key(), witness_name="w", witness_key=witness,
            state=None, consistency=proofs,
        )  # fmt: skip
        for _ in range(3):
            accounts.sign_up(ctx, plan="free", training="off")
        ledger.issue_checkpoint(ctx, signer=ctx.signer)  # type: ignore[arg-type]
        note, proofs = http_source(base)
        cosigned, state = cosign(
            note, log_key=key.public_key(), witness_name="w", witness_key=witness,
            state=state, consistency=proofs,
        )  # fmt: skip
        assert state == WitnessState(ORIGIN, 4, state.root)
        assert verify_cosignature(cosigned, "w", witness.public_key()).timestamp is not None
        with pytest.raises(VerificationError, match="fork"):
            cosign(
                note, log_key=key.public_key(), witness_name="w", witness_key=witness,
                state=WitnessState(ORIGIN, 2, bytes(32)), consistency=proofs,
            )  # fmt: skip
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_the_r28_export_carries_run_proofs_that_verify(
    signed_api: Api, key: Ed25519PrivateKey
) -> None:
    from consentry.verify import verify_run_proof

    user = signed_api.signup(training="on")
    sid = signed_api.start_session(user)["session_id"]
    signed_api.message(user, sid)
    signed_api.create_run()
    doc = expect(signed_api.client.get("/v1/me/export", headers=user.headers), 200)
    proof = doc["training_runs"][0]["membership_proof"]
    assert verify_run_proof(proof, key.public_key()) == {sid: True}
