"""Issue 21 item 6: witness cosignatures in the C2SP tlog-cosignature v1 format (Ed25519).

The spec's example is a fact to hold the format to: its witness line carries a 4-byte key
id, the 8-byte big-endian time of its signed message ("time 1679315147") and a 64-byte
signature."""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from consentry.cosignature import (
    cosignature_line,
    cosigned_message,
    cosigner_key_id,
    verify_cosignature,
)
from consentry.verify import (
    Checkpoint,
    VerificationError,
    open_checkpoint,
    raw_public_key,
    sign_checkpoint,
    signature_line,
)
from consentry.witness import cosign

SPEC_BODY = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
SPEC_WITNESS_LINE = (
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2"
    "oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA=="
)
T = 1679315147


def test_the_spec_example_has_the_layout_we_write() -> None:
    """c2sp.org/tlog-cosignature: key id (4) ‖ timestamp (8, big-endian) ‖ signature (64)."""
    _, name, blob = SPEC_WITNESS_LINE.split(" ")
    raw = base64.b64decode(blob)
    assert name == "witness.example.com/w1"
    assert len(raw) == 4 + 8 + 64
    assert struct.unpack(">Q", raw[4:12]) == (T,)
    ours = base64.b64decode(cosignature_line(SPEC_BODY, name, Ed25519PrivateKey.generate(), T)
                            .split(" ")[2])  # fmt: skip
    assert len(ours) == len(raw) and ours[4:12] == raw[4:12]


def test_the_signed_message_and_key_id_follow_the_spec() -> None:
    key = Ed25519PrivateKey.generate()
    expected = f"cosignature/v1\ntime {T}\n{SPEC_BODY}".encode()
    assert cosigned_message(SPEC_BODY, T) == expected
    kid = hashlib.sha256(b"w.example\n\x04" + raw_public_key(key.public_key())).digest()[:4]
    assert cosigner_key_id("w.example", key.public_key()) == kid
    blob = base64.b64decode(cosignature_line(SPEC_BODY, "w.example", key, T).split(" ")[2])
    assert blob[:4] == kid
    key.public_key().verify(blob[12:], expected)  # raises if the message differs


def _note(log: Ed25519PrivateKey) -> str:
    return sign_checkpoint(Checkpoint("log.example", 5, bytes(range(32))), log)


def test_a_cosigned_note_verifies_for_the_witness_and_still_for_the_log() -> None:
    log, witness = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    note = _note(log)
    cosigned, state = cosign(
        note, log_key=log.public_key(), witness_name="w.example", witness_key=witness,
        state=None, consistency=lambda a, b: [], timestamp=T,
    )  # fmt: skip
    assert state.size == 5
    assert verify_cosignature(cosigned, "w.example", witness.public_key()).timestamp == T
    assert open_checkpoint(cosigned, log.public_key()).size == 5


@pytest.mark.parametrize("tamper", ["time", "signature", "key", "name", "body"])
def test_a_changed_cosignature_is_refused(tamper: str) -> None:
    log, witness = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    note = _note(log)
    body = note.split("\n\n")[0] + "\n"
    line = cosignature_line(body, "w.example", witness, T)
    _, name, blob = line.rstrip("\n").split(" ")
    raw = bytearray(base64.b64decode(blob))
    key = witness.public_key()
    if tamper == "time":
        raw[11] ^= 1
    elif tamper == "signature":
        raw[-1] ^= 1
    elif tamper == "key":
        key = Ed25519PrivateKey.generate().public_key()
    elif tamper == "name":
        name = "other.example"
    cosigned = note + f"— {name} {base64.b64encode(bytes(raw)).decode()}\n"
    if tamper == "body":
        cosigned = cosigned.replace("\n5\n", "\n6\n")
    with pytest.raises(VerificationError):
        verify_cosignature(cosigned, "w.example", key)


def test_the_older_untimed_witness_line_stays_readable() -> None:
    """Notes cosigned before the v1 format carry a plain note signature by the witness."""
    log, witness = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    note = _note(log)
    body = note.split("\n\n")[0] + "\n"
    old = note + signature_line(body, "w.example", witness)
    assert verify_cosignature(old, "w.example", witness.public_key()).timestamp is None
    forged = note + signature_line(body + "x\n", "w.example", witness)
    with pytest.raises(VerificationError):
        verify_cosignature(forged, "w.example", witness.public_key())
