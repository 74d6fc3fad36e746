"""Training-run membership proofs (issue 21, item 4): a sorted Merkle tree over a run's
manifest proves each item in, and each other id out, with the stand-alone verifier."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.domain.merkle import EMPTY_ROOT
from consentry.domain.run_manifest import build_manifest_tree, manifest_entry
from consentry.verify import (
    Checkpoint,
    VerificationError,
    run_extension,
    sign_checkpoint,
    verify_run_proof,
)

KEY = Ed25519PrivateKey.generate()
RUN = "run_1"


def _proof(ids: list[str], asked: list[str], run_id: str = RUN) -> dict[str, Any]:
    tree = build_manifest_tree(
        (
            i,
            manifest_entry(
                run_id=run_id, kind="session", item_id=i, account_id="acc_1", include_from=None
            ),
        )
        for i in ids
    )
    ext = run_extension(RUN, tree.size, tree.root)
    note = sign_checkpoint(Checkpoint("log", 7, bytes(32), (ext,)), KEY)
    return {
        "run_id": RUN,
        "manifest_size": tree.size,
        "manifest_root": base64.b64encode(tree.root).decode(),
        "checkpoint": note,
        "items": [tree.prove(a) for a in asked],
    }


ids_strategy = st.lists(
    st.text(alphabet="abcdef", min_size=1, max_size=4).map(lambda s: "ses_" + s),
    unique=True,
    max_size=40,
)


@settings(max_examples=80, deadline=None)
@given(ids=ids_strategy, others=ids_strategy)
def test_members_and_non_members_all_verify(ids: list[str], others: list[str]) -> None:
    asked = sorted(set(ids) | set(others) | {"ses_", "ses_zzzz", "aaa"})
    answers = verify_run_proof(_proof(ids, asked), KEY.public_key())
    assert answers == {a: a in set(ids) for a in asked}


def test_first_and_last_leaf_and_the_ids_beyond_them() -> None:
    ids = ["ses_b", "ses_d", "ses_f"]
    proof = _proof(ids, ["ses_a", "ses_b", "ses_f", "ses_g"])
    assert proof["items"][0]["left"] is None and proof["items"][0]["right"]["leaf_index"] == 0
    assert proof["items"][3]["right"] is None and proof["items"][3]["left"]["leaf_index"] == 2
    assert verify_run_proof(proof, KEY.public_key()) == {
        "ses_a": False,
        "ses_b": True,
        "ses_f": True,
        "ses_g": False,
    }


def test_the_empty_run_proves_every_id_absent() -> None:
    proof = _proof([], ["ses_a"])
    assert proof["manifest_root"] == base64.b64encode(EMPTY_ROOT).decode()
    assert verify_run_proof(proof, KEY.public_key()) == {"ses_a": False}


def _break(proof: dict[str, Any], how: str) -> dict[str, Any]:
    proof = json.loads(json.dumps(proof))
    items = proof["items"]
    if how == "claim-absent":  # a member presented as absent, with its neighbours
        items[1] = {
            "id": "ses_d",
            "member": False,
            "left": items[0]["leaf"],
            "right": items[2]["leaf"],
        }
    elif how == "claim-member":  # an absent id presented with a member's leaf
        items[3] = {"id": "ses_e", "member": True, "leaf": items[1]["leaf"]}
    elif how == "swap-neighbours":
        items[3]["left"], items[3]["right"] = items[3]["right"], items[3]["left"]
    elif how == "flip-root":
        root = base64.b64decode(proof["manifest_root"])
        proof["manifest_root"] = base64.b64encode(bytes([root[0] ^ 1]) + root[1:]).decode()
    elif how == "flip-path":
        path = items[1]["leaf"]["audit_path"]
        path[0] = base64.b64encode(b"\x00" * 32).decode()
    elif how == "other-run-entry":
        entry = json.loads(items[1]["leaf"]["entry"])
        entry["run_id"] = "run_2"
        items[1]["leaf"]["entry"] = json.dumps(entry, sort_keys=True, separators=(",", ":"))
    elif how == "wrong-size":
        proof["manifest_size"] += 1
    return proof


@pytest.mark.parametrize(
    "how",
    [
        "claim-absent",
        "claim-member",
        "swap-neighbours",
        "flip-root",
        "flip-path",
        "other-run-entry",
        "wrong-size",
    ],
)
def test_forged_run_proofs_are_refused(how: str) -> None:
    # leaves: ses_b(0) ses_d(1) ses_f(2); asked: ses_b, ses_d, ses_f (members), ses_e (absent)
    proof = _proof(["ses_b", "ses_d", "ses_f"], ["ses_b", "ses_d", "ses_f", "ses_e"])
    verify_run_proof(proof, KEY.public_key())
    with pytest.raises(VerificationError):
        verify_run_proof(_break(proof, how), KEY.public_key())


def test_a_run_proof_needs_a_checkpoint_by_the_key() -> None:
    proof = _proof(["ses_b"], ["ses_b"])
    with pytest.raises(VerificationError, match="no signature"):
        verify_run_proof(proof, Ed25519PrivateKey.generate().public_key())
    other = _proof(["ses_c"], ["ses_b"])
    with pytest.raises(VerificationError, match="does not commit"):
        verify_run_proof({**proof, "checkpoint": other["checkpoint"]}, KEY.public_key())
