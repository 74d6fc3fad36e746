# size: kept whole so an auditor can copy this one file and trust nothing else (docs/ledger.md)
"""Stand-alone verification of consentry's ledger proofs, checkpoints and receipts.

This module imports only the Python standard library and ``cryptography``, so an auditor
can copy this one file and check what an operator hands out without trusting its database
or the rest of consentry. Every format it reads is described in ``docs/ledger.md``.

* :func:`verify_inclusion` / :func:`verify_consistency`: RFC 9162 §2.1.3.2 and §2.1.4.2.
* :func:`open_checkpoint`: a C2SP ``tlog-checkpoint`` in a C2SP signed note with an Ed25519
  signature (key id as Go's ``golang.org/x/mod/sumdb/note``).
* :func:`verify_receipt`: a consent receipt carrying its ledger entry and inclusion proof.

Every check raises :class:`VerificationError` naming the first problem; nothing returns a
bare ``False``. ``python -m consentry.verify receipt.json key.pub`` checks a receipt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
EM_DASH = "\u2014"
ED25519_ALG = b"\x01"


class VerificationError(Exception):
    """A proof, a note, a checkpoint or a receipt did not verify; the message says why."""


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 ‖ entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_hashes(what: str, hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise VerificationError(f"{what}[{i}] is {len(h)} bytes, not {HASH_SIZE}")


# -- RFC 9162 proofs ---------------------------------------------------------------


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """The root that ``path`` proves leaf ``index`` of a tree of ``size`` leaves into."""
    _check_hashes("leaf", [leaf])
    _check_hashes("audit_path", path)
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is outside a tree of {size} leaves")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise VerificationError("the audit path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = _node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("the audit path is shorter than the tree is deep")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2: ``leaf`` is leaf ``index`` of the tree of ``size`` with ``root``."""
    _check_hashes("root", [root])
    if root_from_inclusion(index, size, leaf, path) != root:
        raise VerificationError(f"the audit path does not lead leaf {index} to the root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: the tree of ``second`` leaves extends the tree of ``first``.

    Sizes 0 and ``first == second`` take an empty proof (and, for 0, the empty tree's
    root; for equal sizes, equal roots)."""
    _check_hashes("root", [first_root, second_root])
    _check_hashes("consistency_path", proof)
    if not 0 <= first <= second:
        raise VerificationError(f"a tree of {second} leaves cannot extend one of {first}")
    if first == 0 or first == second:
        if proof:
            raise VerificationError("the proof must be empty for these sizes")
        if first == 0 and first_root != EMPTY_ROOT:
            raise VerificationError("the root of the empty tree is not SHA-256 of nothing")
        if first == second and first_root != second_root:
            raise VerificationError(f"two different roots for the same size {first}")
        return
    if not proof:
        raise VerificationError("the consistency proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = _node(c, fr)
            sr = _node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("the consistency proof is too short")
    if fr != first_root:
        raise VerificationError(f"the proof does not lead to the root of the first {first}")
    if sr != second_root:
        raise VerificationError(f"the proof does not lead to the root of the {second} leaves")


# -- keys and signed notes (C2SP signed-note) ----------------------------------------


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key as ``openssl pkey -pubout`` writes it (SPKI PEM)."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as error:
        raise VerificationError(f"not a PEM public key: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationError("the public key is not an Ed25519 key")
    return key


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key as ``openssl genpkey -algorithm ed25519`` writes it."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise VerificationError(f"not an unencrypted PEM private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise VerificationError("the private key is not an Ed25519 key")
    return key


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, key: Ed25519PublicKey) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4], as Go's sumdb/note."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALG + raw_public_key(key)).digest()[:4]


def verifier_key(name: str, key: Ed25519PublicKey) -> str:
    """The key in Go's ``name+hexid+base64(0x01 ‖ key)`` notation, for other verifiers."""
    blob = base64.b64encode(ED25519_ALG + raw_public_key(key)).decode()
    return f"{name}+{key_id(name, key).hex()}+{blob}"


def parse_verifier_key(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """A key in Go's ``name+hexid+base64(0x01 ‖ key)`` notation; the id must match."""
    try:
        name, hexid, blob = vkey.split("+", 2)
        raw = base64.b64decode(blob, validate=True)
    except (ValueError, binascii.Error):
        raise VerificationError(f"{vkey!r} is not a verifier key") from None
    if len(raw) != 33 or raw[:1] != ED25519_ALG:
        raise VerificationError("the verifier key is not an Ed25519 key")
    key = Ed25519PublicKey.from_public_bytes(raw[1:])
    if key_id(name, key).hex() != hexid:
        raise VerificationError("the verifier key's id does not match its name and key")
    return name, key


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise VerificationError(f"{name!r} is not a key name (non-empty, no spaces or '+')")


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise VerificationError("a note's text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise VerificationError("a note's text holds a control character")


def signature_line(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """One ``— name base64(keyid ‖ signature)`` line over ``text``."""
    _check_name(name)
    _check_text(text)
    kid = key_id(name, key.public_key())
    sig = key.sign(text.encode())
    return f"{EM_DASH} {name} {base64.b64encode(kid + sig).decode()}\n"


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """A signed note: the text, a blank line, and one signature line."""
    return text + "\n" + signature_line(text, name, key)


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


def parse_note(note: str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and its signature lines (none checked yet)."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise VerificationError("not a signed note: no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    _check_text(text)
    sigs = []
    for line in block.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != EM_DASH:
            raise VerificationError(f"malformed signature line {line!r}")
        _check_name(parts[1])
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except ValueError:  # binascii.Error, or a character outside ASCII
            raise VerificationError(f"signature of {parts[1]} is not base64") from None
        if len(blob) < 5:
            raise VerificationError(f"signature of {parts[1]} is too short")
        sigs.append(Signature(parts[1], blob[:4], blob[4:]))
    if not sigs:
        raise VerificationError("the note carries no signature")
    return text, sigs


def open_note(note: str, name: str, key: Ed25519PublicKey) -> str:
    """The note's text, once a signature by ``name`` with ``key`` verifies over it."""
    text, sigs = parse_note(note)
    kid = key_id(name, key)
    mine = [s for s in sigs if s.name == name and s.key_id == kid]
    if not mine:
        raise VerificationError(f"the note carries no signature by {name} with this key")
    for s in mine:
        try:
            key.verify(s.signature, text.encode())
            return text
        except InvalidSignature:
            continue
    raise VerificationError(f"the signature by {name} does not verify")


# -- checkpoints (C2SP tlog-checkpoint) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint body: origin, size, base64 root and extension lines."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"


def parse_checkpoint(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise VerificationError("a checkpoint has at least three lines, each ending in newline")
    origin, size, root, *extensions = lines[:-1]
    if not origin:
        raise VerificationError("the checkpoint's origin line is empty")
    if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
        raise VerificationError(f"tree size {size!r} is not a decimal number")
    try:
        digest = base64.b64decode(root, validate=True)
    except ValueError:  # binascii.Error, or a character outside ASCII
        raise VerificationError("the root hash is not standard base64") from None
    if len(digest) != HASH_SIZE:
        raise VerificationError(f"the root hash is {len(digest)} bytes, not {HASH_SIZE}")
    if any(not ext for ext in extensions):
        raise VerificationError("a checkpoint's extension lines must not be empty")
    return Checkpoint(origin, int(size), digest, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    """A signed note over the checkpoint, signed under its origin as the key name."""
    return sign_note(checkpoint.text(), checkpoint.origin, key)


def open_checkpoint(
    note: str, key: Ed25519PublicKey, *, origin: str | None = None, key_name: str | None = None
) -> Checkpoint:
    """The checkpoint in ``note``, once a signature by ``key_name`` (default: the origin,
    as consentry signs) verifies; with ``origin``, the checkpoint must be for that log."""
    text, _ = parse_note(note)
    claimed = text.split("\n", 1)[0]
    if origin is not None and claimed != origin:
        raise VerificationError(f"the checkpoint is for {claimed!r}, not {origin!r}")
    return parse_checkpoint(open_note(note, key_name or claimed, key))


# -- receipts -------------------------------------------------------------------------


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise VerificationError(f"{what} is not a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error, or a character outside ASCII
        raise VerificationError(f"{what} is not standard base64") from None


def verify_receipt(receipt: dict[str, Any], key: Ed25519PublicKey) -> Checkpoint:
    """A receipt's choice is in the signed ledger: its ``ledger_entry`` describes this
    receipt, hashes to a leaf, and its ``proof`` leads that leaf to a signed checkpoint."""
    entry, proof = receipt.get("ledger_entry"), receipt.get("proof")
    if not isinstance(entry, str) or not isinstance(proof, dict):
        raise VerificationError("the receipt carries no ledger_entry and proof")
    try:
        fields = json.loads(entry)
    except json.JSONDecodeError:
        raise VerificationError("the ledger entry is not JSON") from None
    for mine, theirs in (("record_id", "event_id"), ("principal", "account_id"), ("time", "at")):
        if receipt.get(mine) != fields.get(theirs):
            raise VerificationError(f"the receipt's {mine} differs from the ledger entry's")
    value = fields.get("value")
    state = {"on": "given", "off": "withdrawn"}.get(str(value), "deferred")
    if fields.get("type") == "auto_delete":  # docs/rules.md P12: a preference given
        state = "given"
    for member in ("auto_delete", "region", "rule_set"):  # P16: as the entry says
        if receipt.get(member) != fields.get(member):
            raise VerificationError(f"the receipt's {member} differs from the ledger entry's")
    promised = fields.get("retention_days")  # P22: the days recorded when it was made
    days = receipt.get("retention_period_days")
    if promised is not None and (type(days) is not int or str(days) != str(promised)):
        raise VerificationError("the receipt's retention_period_days differs from the entry's")
    if receipt.get("event_state") != state:
        raise VerificationError(
            f"the receipt says {receipt.get('event_state')!r}, the entry {state!r}"
        )
    notice = receipt.get("notice")
    if not isinstance(notice, dict) or notice.get("version") != fields.get("terms_version"):
        raise VerificationError("the receipt's notice version differs from the ledger entry's")
    index, size = proof.get("leaf_index"), proof.get("tree_size")
    if not isinstance(index, int) or not isinstance(size, int):
        raise VerificationError("leaf_index and tree_size must be integers")
    if fields.get("seq") != index + 1:
        raise VerificationError("the ledger entry's seq is not leaf_index + 1")
    path = [_b64(h, f"audit_path[{i}]") for i, h in enumerate(proof.get("audit_path") or [])]
    note = proof.get("checkpoint")
    if not isinstance(note, str):
        raise VerificationError("the proof carries no checkpoint")
    checkpoint = open_checkpoint(note, key)
    if checkpoint.size != size:
        raise VerificationError(
            f"the proof is for {size} leaves, the checkpoint for {checkpoint.size}"
        )
    verify_inclusion(index, size, leaf_hash(entry.encode()), path, checkpoint.root)
    return checkpoint


# -- training-run membership proofs ---------------------------------------------------------


def run_extension(run_id: str, size: int, root: bytes) -> str:
    """The checkpoint extension line that commits to a run's manifest tree."""
    return f"run {run_id} {size} {base64.b64encode(root).decode()}"


def _manifest_leaf(leaf: Any, run_id: str, size: int, root: bytes, what: str) -> tuple[int, str]:
    if not isinstance(leaf, dict) or not isinstance(leaf.get("entry"), str):
        raise VerificationError(f"{what} carries no leaf entry")
    index = leaf.get("leaf_index")
    if not isinstance(index, int):
        raise VerificationError(f"{what}: leaf_index must be an integer")
    try:
        fields = json.loads(leaf["entry"])
    except json.JSONDecodeError:
        raise VerificationError(f"{what}: the entry is not JSON") from None
    if not isinstance(fields, dict) or fields.get("run_id") != run_id:
        raise VerificationError(f"{what}: the entry belongs to another run")
    path = [_b64(h, f"{what} audit_path") for h in leaf.get("audit_path") or []]
    verify_inclusion(index, size, leaf_hash(leaf["entry"].encode()), path, root)
    return index, str(fields.get("id"))


def _verify_run_event(
    ledger: Any, checkpoint: Checkpoint, run_id: str, size: int, root: bytes
) -> None:
    """The run's ``run_manifest`` ledger event records this manifest (size and root) and
    its inclusion proof leads to the signed checkpoint's root."""
    if not isinstance(ledger, dict) or not isinstance(ledger.get("entry"), str):
        raise VerificationError("the run proof's ledger part carries no entry")
    index, tree_size = ledger.get("leaf_index"), ledger.get("tree_size")
    if not isinstance(index, int) or not isinstance(tree_size, int):
        raise VerificationError("the run event's leaf_index and tree_size must be integers")
    if tree_size != checkpoint.size:
        raise VerificationError(
            f"the run event is proved in {tree_size} leaves, the checkpoint has {checkpoint.size}"
        )
    try:
        fields = json.loads(ledger["entry"])
    except json.JSONDecodeError:
        raise VerificationError("the run event's entry is not JSON") from None
    if not isinstance(fields, dict) or fields.get("type") != "run_manifest":
        raise VerificationError("the ledger entry is not a run_manifest event")
    if fields.get("run_id") != run_id:
        raise VerificationError(f"the ledger entry is the event of another run, not {run_id}")
    if fields.get("seq") != index + 1:
        raise VerificationError("the run event's seq is not leaf_index + 1")
    recorded = _b64(fields.get("manifest_root"), "the run event's manifest_root")
    if fields.get("manifest_size") != size or recorded != root:
        raise VerificationError(f"the ledger records another manifest for {run_id}")
    path = [
        _b64(h, f"ledger audit_path[{i}]") for i, h in enumerate(ledger.get("audit_path") or [])
    ]
    verify_inclusion(index, tree_size, leaf_hash(ledger["entry"].encode()), path, checkpoint.root)


def verify_run_proof(proof: dict[str, Any], key: Ed25519PublicKey) -> dict[str, bool]:
    """Each item of a run proof: ``True`` when it is proved in the run's manifest, ``False``
    when proved absent (the adjacent leaves in id order bracket it); raises on anything
    that does not verify. The manifest root must be recorded by the run's ledger event
    (``ledger``: entry and inclusion proof) in a checkpoint the key signed, or, for a run
    from before ledger events, in that checkpoint's ``run`` extension line."""
    run_id, size = proof.get("run_id"), proof.get("manifest_size")
    if not isinstance(run_id, str) or not isinstance(size, int) or size < 0:
        raise VerificationError("the run proof needs run_id and manifest_size")
    root = _b64(proof.get("manifest_root"), "manifest_root")
    note = proof.get("checkpoint")
    if not isinstance(note, str):
        raise VerificationError("the run proof carries no checkpoint")
    checkpoint = open_checkpoint(note, key)
    if proof.get("ledger") is not None:
        _verify_run_event(proof["ledger"], checkpoint, run_id, size, root)
    elif run_extension(run_id, size, root) not in checkpoint.extensions:
        raise VerificationError(f"the checkpoint does not commit to this manifest of {run_id}")
    if size == 0 and root != EMPTY_ROOT:
        raise VerificationError("an empty manifest's root is not SHA-256 of nothing")
    answers: dict[str, bool] = {}
    for item in proof.get("items") or []:
        item_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(item_id, str):
            raise VerificationError("a run proof item has no id")
        if item.get("member") is True:
            _, found = _manifest_leaf(item.get("leaf"), run_id, size, root, item_id)
            if found != item_id:
                raise VerificationError(f"{item_id}: the leaf is for {found}")
            answers[item_id] = True
            continue
        left, right = item.get("left"), item.get("right")
        lo = _manifest_leaf(left, run_id, size, root, item_id) if left is not None else None
        hi = _manifest_leaf(right, run_id, size, root, item_id) if right is not None else None
        if lo is not None and not lo[1] < item_id:
            raise VerificationError(f"{item_id}: the left neighbour does not sort before it")
        if hi is not None and not item_id < hi[1]:
            raise VerificationError(f"{item_id}: the right neighbour does not sort after it")
        lo_index = lo[0] if lo is not None else -1
        hi_index = hi[0] if hi is not None else size
        if hi_index != lo_index + 1:
            raise VerificationError(f"{item_id}: the neighbours are not adjacent leaves")
        answers[item_id] = False
    return answers


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m consentry.verify RECEIPT.json KEY.pub``: exit 0 when the receipt verifies."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m consentry.verify RECEIPT.json PUBLIC_KEY.pem", file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as f:
            receipt = json.load(f)
        with open(args[1], "rb") as f:
            key = load_public_key(f.read())
        checkpoint = verify_receipt(receipt, key)
    except (OSError, ValueError, VerificationError) as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    print(f"ok: leaf {receipt['proof']['leaf_index']} of {checkpoint.origin} @ {checkpoint.size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
