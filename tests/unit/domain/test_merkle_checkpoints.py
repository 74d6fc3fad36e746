"""Signed notes and checkpoints (issue 21, item 2) against other implementations' answers.

Known answers, quoted as data:

* Go's ``golang.org/x/mod/sumdb/note`` package documentation: the PeterNeumann signer key,
  its verifier key and the exact signed note (Ed25519 is deterministic, so signing the same
  text with the same seed must give the same bytes).
* The C2SP ``signed-note`` specification's example (``example.com/foo``).
* Real signed tree heads of the Go checksum database, in the ``tlog-checkpoint`` format
  under the production key ``sum.golang.org+033de0ae+…`` (quoted by projects that pin
  them in their tests).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.verify import (
    EM_DASH,
    Checkpoint,
    VerificationError,
    key_id,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    verifier_key,
    verify_receipt,
)

GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n" + EM_DASH + " PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
SPEC_VERIFIER = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n" + EM_DASH + " example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
SUMDB_VERIFIER = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_CHECKPOINTS = [
    (
        "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n"
        + EM_DASH
        + " sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nP"
        "RYfvimWEPWL+o3GeoWwOoAw=\n",
        6476701,
    ),
    (
        "go.sum database tree\n65209736\n5+uGFjx6xBZG8ip1+wi77v+grwbhhukIrxEUS8PXvRo=\n\n"
        + EM_DASH
        + " sum.golang.org Az3grnbssgK7ubgFX36gVETtNv0U23qxyAhAMai2QUfeGa3nB/akvkMdlUErfcZz7l/R"
        "3cVtYspg3dxXABkGZZKdsQ8=\n",
        65209736,
    ),
]


def _go_private_key() -> Ed25519PrivateKey:
    blob = base64.b64decode(GO_SIGNER.split("+", 4)[4])
    assert blob[:1] == b"\x01"
    return Ed25519PrivateKey.from_private_bytes(blob[1:])


def test_signing_reproduces_go_sumdb_notes_byte_for_byte() -> None:
    key = _go_private_key()
    assert key_id("PeterNeumann", key.public_key()).hex() == "c74f20a3"
    assert verifier_key("PeterNeumann", key.public_key()) == GO_VERIFIER
    assert sign_note(GO_TEXT, "PeterNeumann", key) == GO_NOTE


def test_notes_of_other_implementations_open() -> None:
    name, key = parse_verifier_key(GO_VERIFIER)
    assert open_note(GO_NOTE, name, key) == GO_TEXT
    name, key = parse_verifier_key(SPEC_VERIFIER)
    assert open_note(SPEC_NOTE, name, key) == "This is an example message.\n"


@pytest.mark.parametrize(("note", "size"), SUMDB_CHECKPOINTS)
def test_real_go_checksum_database_checkpoints_verify(note: str, size: int) -> None:
    name, key = parse_verifier_key(SUMDB_VERIFIER)
    cp = open_checkpoint(note, key, origin="go.sum database tree", key_name=name)
    assert (cp.origin, cp.size, len(cp.root)) == ("go.sum database tree", size, 32)
    with pytest.raises(VerificationError):
        open_checkpoint(note.replace(f"\n{size}\n", f"\n{size + 1}\n"), key, key_name=name)
    with pytest.raises(VerificationError, match="not 'example'"):
        open_checkpoint(note, key, origin="example", key_name=name)


def test_a_checkpoint_round_trips_and_any_edit_is_refused() -> None:
    key = Ed25519PrivateKey.generate()
    cp = Checkpoint("consentry.example/ledger", 42, bytes(range(32)))
    note = sign_checkpoint(cp, key)
    assert note.startswith(
        "consentry.example/ledger\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n"
    )
    assert open_checkpoint(note, key.public_key()) == cp
    for i, ch in enumerate(note.split("\n\n")[0]):
        if ch == "\n":
            continue
        edited = note[:i] + ("B" if ch != "B" else "C") + note[i + 1 :]
        with pytest.raises(VerificationError):
            open_checkpoint(edited, key.public_key())
    with pytest.raises(VerificationError, match="no signature by"):
        open_checkpoint(note, Ed25519PrivateKey.generate().public_key())


@pytest.mark.parametrize(
    "text",
    [
        "origin\n42\n",  # no root line
        "origin\n042\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",  # leading zero
        "origin\n-1\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "origin\n4\nAAEC\n",  # 3-byte root
        "\n4\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",  # empty origin
        "origin\n4\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",  # no final newline
        "origin\n4\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\u00d4\n",  # non-ASCII root
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(VerificationError):
        parse_checkpoint(text)


def test_verifier_keys_with_a_wrong_id_are_refused() -> None:
    with pytest.raises(VerificationError, match="id does not match"):
        parse_verifier_key(GO_VERIFIER.replace("c74f20a3", "c74f20a4"))


def _docs_example() -> tuple[dict[str, object], str]:
    """The worked example of docs/ledger.md: a receipt and the key that signed it."""
    text = (Path(__file__).resolve().parents[3] / "docs" / "ledger.md").read_text("utf-8")
    found = re.search(r"`(example\.org/consentry\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+)`", text)
    assert found is not None
    block = json.loads("{" + text.split("```json\n")[1].split("```")[0] + "}")
    entry = json.loads(block["ledger_entry"])
    receipt = {
        "record_id": entry["event_id"],
        "principal": entry["account_id"],
        "time": entry["at"],
        "event_state": "given",
        "notice": {"version": entry["terms_version"]},
        **block,
    }
    assert block["proof"]["checkpoint"].split("\n\n")[0] in text  # the note shown in §5
    return receipt, found.group(1)


def test_the_worked_example_in_docs_ledger_md_verifies() -> None:
    receipt, vkey = _docs_example()
    name, key = parse_verifier_key(vkey)
    cp = verify_receipt(receipt, key)
    assert (cp.origin, cp.size) == (name, 3)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_state", "withdrawn"),
        ("record_id", "evt_someone_else"),
        ("principal", "acc_someone_else"),
        ("time", "2020-01-01T00:00:00Z"),
        ("notice", {"version": "1999-01-01"}),
    ],
)
def test_a_receipt_that_misstates_its_entry_is_refused(field: str, value: object) -> None:
    receipt, vkey = _docs_example()
    _, key = parse_verifier_key(vkey)
    with pytest.raises(VerificationError):
        verify_receipt({**receipt, field: value}, key)


def test_a_receipt_with_a_changed_entry_or_path_is_refused() -> None:
    receipt, vkey = _docs_example()
    _, key = parse_verifier_key(vkey)
    proof = dict(receipt["proof"])
    entry = str(receipt["ledger_entry"])
    with pytest.raises(VerificationError, match="audit path"):
        verify_receipt({**receipt, "ledger_entry": entry.replace('"seq":1', '"seq": 1')}, key)
    flipped = ["A" + h[1:] if h[0] != "A" else "B" + h[1:] for h in proof["audit_path"]]
    with pytest.raises(VerificationError, match="audit path"):
        verify_receipt({**receipt, "proof": {**proof, "audit_path": flipped}}, key)
    with pytest.raises(VerificationError):
        verify_receipt({**receipt, "proof": {**proof, "tree_size": 4}}, key)


def test_the_verifier_and_the_witness_need_only_the_standard_library_and_cryptography() -> None:
    """Issue 21 item 5: an auditor can copy consentry/verify.py (and the cosignature format
    and the witness, which build on it) without the rest of consentry, its store or its web
    stack."""
    import ast
    import sys

    src = Path(__file__).resolve().parents[3] / "src" / "consentry"
    allowed = set(sys.stdlib_module_names) | {"__future__", "cryptography"}
    for name, extra in (
        ("verify.py", set()),
        ("cosignature.py", {"consentry.verify"}),
        ("witness.py", {"consentry.verify", "consentry.cosignature"}),
    ):
        imported = set()
        for node in ast.walk(ast.parse((src / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
        bad = {m for m in imported if m.split(".")[0] not in allowed and m not in extra}
        assert bad == set(), (name, bad)
