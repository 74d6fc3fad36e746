"""Issue 21: the ledger's Merkle tree in the store, signed checkpoints, and the rewrite
attack of the issue's first paragraph, on SQLite and PostgreSQL.

Keys are made by the real `openssl` command line, as an operator would make them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from typer.testing import CliRunner

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.ledger_tree import event_of_row, extend_tree
from consentry.domain.ledger import GENESIS, entry_of, event_hash
from consentry.domain.merkle import CompactRange, leaf_hash, root_of
from consentry.entrypoints.cli import app as cli
from consentry.service import accounts, ledger
from consentry.verify import (
    load_private_key,
    load_public_key,
    open_checkpoint,
    sign_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from tests.integration.service.conftest import World
from tests.integration.service.test_runs import _tamper_ledger

ORIGIN = "consentry.example/ledger"


def _populate(world: World, users: int = 3) -> list[str]:
    ids = []
    for i in range(users):
        uid = world.user(training="off" if i % 2 else "on")
        world.choose(uid, "on" if i % 2 else "off")
        ids.append(uid)
    return ids


def _events(world: World) -> list[bytes]:
    with world.app.engine.connect() as conn:
        rows = conn.execute(select(t.consent_events).order_by(t.consent_events.c.seq)).all()
    return [entry_of(event_of_row(r)) for r in rows]


def _keys(tmp_path: Path, name: str = "log") -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    private, public = tmp_path / f"{name}.pem", tmp_path / f"{name}.pub"
    subprocess.run([openssl, "genpkey", "-algorithm", "ed25519", "-out", str(private)], check=True)
    subprocess.run(
        [openssl, "pkey", "-in", str(private), "-pubout", "-out", str(public)], check=True
    )
    return private, public


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout


def _checkpoint(world: World, key: Path, out: Path) -> str:
    url = world.app.settings.database_url
    code, _ = _cli(
        "ledger", "checkpoint", "--database-url", url, "--signing-key-file", str(key),
        "--origin", ORIGIN, "--out", str(out),
    )  # fmt: skip
    assert code == 0
    return out.read_text(encoding="utf-8")


def _verify(world: World, checkpoint: Path, public: Path) -> tuple[int, dict[str, object]]:
    url = world.app.settings.database_url
    code, stdout = _cli(
        "ledger", "verify", "--database-url", url,
        "--checkpoint", str(checkpoint), "--public-key", str(public),
    )  # fmt: skip
    return code, json.loads(stdout)


# -- the tree in the store -------------------------------------------------------------------


def test_every_append_grows_the_stored_tree_to_the_root_of_all_events(world: World) -> None:
    _populate(world)
    entries = _events(world)
    head = ledger.tree_head(world.ctx)
    assert head.size == len(entries) == 6
    assert head.root() == root_of([leaf_hash(e) for e in entries])


def test_proofs_from_the_store_verify_for_every_leaf_and_size(world: World) -> None:
    _populate(world, users=4)
    leaves = [leaf_hash(e) for e in _events(world)]
    n = len(leaves)
    with world.ctx.uow(read_only=True) as uow:
        for size in range(1, n + 1):
            root = root_of(leaves[:size])
            for index in range(size):
                from consentry.domain.merkle import inclusion_spans, prove

                path = prove(inclusion_spans(index, size), uow.ledger.tree_nodes)
                verify_inclusion(index, size, leaves[index], path, root)
    for first in range(0, n + 1):
        proof = ledger.consistency_proof(world.ctx, first=first, second=n)
        verify_consistency(first, n, root_of(leaves[:first]), root_of(leaves), proof)


def test_appends_store_only_nodes_of_16_leaves_and_up_and_proofs_still_verify(
    world: World,
) -> None:
    """Issue 21 (the 5 % append target): an append writes a node row only when it
    completes a subtree of 2^STORED_LEVEL leaves or more; proofs recompute smaller ones
    from the events. Every inclusion proof of every size up to 41 leaves (audit paths at
    levels 0-5 and right edges of every shape) and every consistency proof verifies, and a
    lower node stored by an older version is not read (rewriting it changes nothing)."""
    from consentry.adapters.sql.ledger_tree import STORED_LEVEL
    from consentry.domain.merkle import inclusion_spans, prove

    uid = world.user(training="on")
    for i in range(40):
        world.choose(uid, "off" if i % 2 == 0 else "on")
    leaves = [leaf_hash(e) for e in _events(world)]
    n = len(leaves)
    assert n == 41
    n_ = t.ledger_tree_nodes.c
    with world.app.engine.begin() as conn:
        stored = conn.execute(select(n_.level, n_.idx)).all()
        assert sorted(stored) == [(4, 0), (4, 1), (5, 0)]
        assert min(level for level, _ in stored) == STORED_LEVEL
        conn.execute(t.ledger_tree_nodes.insert().values(level=1, idx=0, hash=b"\x00" * 32))
    with world.ctx.uow(read_only=True) as uow:
        for size in range(1, n + 1):
            root = root_of(leaves[:size])
            for index in range(size):
                path = prove(inclusion_spans(index, size), uow.ledger.tree_nodes)
                verify_inclusion(index, size, leaves[index], path, root)
    for first in range(0, n + 1):
        proof = ledger.consistency_proof(world.ctx, first=first, second=n)
        verify_consistency(first, n, root_of(leaves[:first]), root_of(leaves), proof)


def test_a_tree_behind_the_chain_catches_up_on_the_next_append(world: World) -> None:
    """Events written around the store (the bulk loader, a database from before 0007)."""
    uid = _populate(world)[0]
    with world.app.engine.begin() as conn:
        conn.execute(delete(t.ledger_tree_nodes))
        conn.execute(update(t.ledger_head).values(tree_size=0, tree_range=""))
    world.choose(uid, "on")
    entries = _events(world)
    head = ledger.tree_head(world.ctx)
    assert (head.size, head.root()) == (7, root_of([leaf_hash(e) for e in entries]))


def test_concurrent_appends_keep_the_tree_in_step_with_the_chain(world: World) -> None:
    ids = _populate(world, users=4)
    errors: list[BaseException] = []

    def flip(uid: str) -> None:
        try:
            for i in range(6):
                accounts.record_choice(world.ctx, account_id=uid, training="on" if i % 2 else "off")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=flip, args=(uid,)) for uid in ids]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    entries = _events(world)
    assert len(entries) == 8 + 24
    assert ledger.verify_ledger(world.ctx).ok
    head = ledger.tree_head(world.ctx)
    assert (head.size, head.root()) == (32, root_of([leaf_hash(e) for e in entries]))


def test_consistency_outside_the_tree_is_refused(world: World) -> None:
    from consentry.domain.errors import InvalidInput

    _populate(world, users=1)
    with pytest.raises(InvalidInput):
        ledger.consistency_proof(world.ctx, first=1, second=3)
    with pytest.raises(InvalidInput):
        ledger.consistency_proof(world.ctx, first=2, second=1)


# -- checkpoints and the attack ----------------------------------------------------------------


def test_checkpoint_is_a_signed_note_over_the_tree_head(world: World, tmp_path: Path) -> None:
    _populate(world)
    private, public = _keys(tmp_path)
    note = _checkpoint(world, private, tmp_path / "cp.txt")
    lines = note.split("\n")
    assert lines[:3] == [ORIGIN, "6", base64.b64encode(ledger.tree_head(world.ctx).root()).decode()]
    assert lines[3] == "" and lines[4].startswith(f"\u2014 {ORIGIN} ")
    cp = open_checkpoint(note, load_public_key(public.read_bytes()))
    assert (cp.origin, cp.size) == (ORIGIN, 6)
    assert [r.note for r in ledger.checkpoint_history(world.ctx)] == [note]
    code, body = _verify(world, tmp_path / "cp.txt", public)
    assert (code, body["ok"], body["problem"]) == (0, True, None)


def test_openssl_verifies_the_checkpoint_signature_and_key_id(world: World, tmp_path: Path) -> None:
    """An independent implementation checks the note: OpenSSL's Ed25519 over the
    checkpoint text, and the key id recomputed from the raw public key (docs/ledger.md)."""
    _populate(world)
    private, public = _keys(tmp_path)
    note = _checkpoint(world, private, tmp_path / "cp.txt")
    text, signature_line = note.split("\n\n")
    (tmp_path / "body.txt").write_text(text + "\n", encoding="utf-8")
    blob = base64.b64decode(signature_line.split(" ")[2])
    (tmp_path / "sig.bin").write_bytes(blob[4:])
    openssl = shutil.which("openssl")
    assert openssl is not None
    verified = subprocess.run(
        [openssl, "pkeyutl", "-verify", "-pubin", "-inkey", str(public), "-rawin",
         "-in", str(tmp_path / "body.txt"), "-sigfile", str(tmp_path / "sig.bin")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    der = subprocess.run(
        [openssl, "pkey", "-pubin", "-in", str(public), "-outform", "DER"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert hashlib.sha256(ORIGIN.encode() + b"\n\x01" + der[-32:]).digest()[:4] == blob[:4]
    (tmp_path / "body.txt").write_text(text.replace("\n6\n", "\n7\n") + "\n", encoding="utf-8")
    refused = subprocess.run(
        [openssl, "pkeyutl", "-verify", "-pubin", "-inkey", str(public), "-rawin",
         "-in", str(tmp_path / "body.txt"), "-sigfile", str(tmp_path / "sig.bin")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert refused.returncode != 0


def test_ledger_that_grew_still_extends_an_old_checkpoint(world: World, tmp_path: Path) -> None:
    ids = _populate(world)
    private, public = _keys(tmp_path)
    _checkpoint(world, private, tmp_path / "cp.txt")
    world.choose(ids[0], "on")
    world.user()
    code, body = _verify(world, tmp_path / "cp.txt", public)
    assert code == 0 and body["events"] == 8


def _rewrite_history(world: World, *, seq: int, value: str, rebuild_tree: bool) -> None:
    """The attacker of issue 21 with write access to the database: drop the triggers,
    change one early choice, recompute every later hash and the head with the project's
    own hashing, optionally rebuild the stored tree too, restore the triggers."""
    with world.app.engine.begin() as conn:
        rows = conn.execute(select(t.consent_events).order_by(t.consent_events.c.seq)).all()
    events = [event_of_row(r) for r in rows]
    statements = []
    prev = GENESIS
    rewritten = []
    for e in events:
        from dataclasses import replace

        from consentry.domain.types import Training

        changed = replace(e, value=Training(value)) if e.seq == seq else e
        changed = replace(changed, prev_hash=prev)
        digest = event_hash(
            seq=changed.seq, event_id=changed.event_id, account_id=changed.account_id,
            at=changed.at, type=changed.type, value=changed.value, source=changed.source,
            terms_version=changed.terms_version, prev_hash=prev, extra=changed.extra,
        )  # fmt: skip
        changed = replace(changed, hash=digest)
        rewritten.append(changed)
        vals = f"value = '{changed.value}'" if changed.value else "value = NULL"
        statements.append(
            f"UPDATE consent_events SET {vals}, prev_hash = '{prev}', hash = '{digest}'"
            f" WHERE seq = {e.seq}"
        )
        prev = digest
    for statement in statements:
        _tamper_ledger(world, statement)
    with world.app.engine.begin() as conn:
        if conn.dialect.name == "sqlite":  # _tamper_ledger drops them there; put them back
            for verb in ("UPDATE", "DELETE"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER consent_events_no_{verb.lower()} BEFORE {verb}"
                        " ON consent_events BEGIN SELECT RAISE(ABORT,"
                        " 'consent_events is append-only'); END"
                    )
                )
        conn.execute(update(t.ledger_head).values(hash=prev))
        if rebuild_tree:
            conn.execute(delete(t.ledger_tree_nodes))
            tree = extend_tree(conn, CompactRange(), [entry_of(e) for e in rewritten])
            conn.execute(
                update(t.ledger_head).values(tree_size=tree.size, tree_range=tree.encode())
            )


@pytest.mark.parametrize("rebuild_tree", [False, True], ids=["chain-only", "chain-and-tree"])
def test_rewrite_attack_is_caught_by_a_checkpoint_taken_before_it(
    world: World, tmp_path: Path, rebuild_tree: bool
) -> None:
    """Issue 21, first paragraph: the rewritten chain passes `ledger verify`, but not
    against a checkpoint signed before the rewrite."""
    _populate(world)
    private, public = _keys(tmp_path)
    _checkpoint(world, private, tmp_path / "before.txt")
    _rewrite_history(world, seq=2, value="on", rebuild_tree=rebuild_tree)
    assert ledger.verify_ledger(world.ctx).ok  # the hash chain alone is fooled
    code, body = _verify(world, tmp_path / "before.txt", public)
    assert code == 1 and body["ok"] is False
    assert "the first 6 events hash to" in str(body["problem"])
    assert "rewritten" in str(body["problem"])


def test_deleting_checkpointed_events_is_caught(world: World, tmp_path: Path) -> None:
    _populate(world)
    private, public = _keys(tmp_path)
    _checkpoint(world, private, tmp_path / "cp.txt")
    _tamper_ledger(world, "DELETE FROM consent_events WHERE seq = 6")
    code, body = _verify(world, tmp_path / "cp.txt", public)
    assert code == 1 and "events were deleted" in str(body["problem"])


def test_forged_checkpoints_are_refused(world: World, tmp_path: Path) -> None:
    from consentry.verify import Checkpoint, sign_checkpoint

    _populate(world)
    private, public = _keys(tmp_path)
    other, _ = _keys(tmp_path, "other")
    good = _checkpoint(world, private, tmp_path / "cp.txt")
    cp = open_checkpoint(good, load_public_key(public.read_bytes()))
    key = load_private_key(private.read_bytes())
    flipped_root = bytes([cp.root[0] ^ 1]) + cp.root[1:]
    forged = {
        "other-key": sign_checkpoint(cp, load_private_key(other.read_bytes())),
        "edited-root": good.replace(good.split("\n")[2], base64.b64encode(flipped_root).decode()),
        "edited-size": good.replace("\n6\n", "\n5\n", 1),
        "signed-flipped-root": sign_checkpoint(Checkpoint(ORIGIN, 6, flipped_root), key),
        "signed-wrong-size": sign_checkpoint(Checkpoint(ORIGIN, 5, cp.root), key),
        "signed-too-large": sign_checkpoint(Checkpoint(ORIGIN, 9, cp.root), key),
    }
    problems = {}
    for name, note in forged.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(note, encoding="utf-8")
        code, body = _verify(world, path, public)
        assert code == 1 and body["ok"] is False, name
        problems[name] = str(body["problem"])
    assert problems["other-key"].startswith("checkpoint: the note carries no signature")
    assert problems["edited-root"] == f"checkpoint: the signature by {ORIGIN} does not verify"
    assert problems["edited-size"] == f"checkpoint: the signature by {ORIGIN} does not verify"
    assert "rewritten" in problems["signed-flipped-root"]
    assert "the first 5 events hash to" in problems["signed-wrong-size"]
    assert "deleted" in problems["signed-too-large"]


def test_checkpoint_and_public_key_go_together(world: World, tmp_path: Path) -> None:
    url = world.app.settings.database_url
    code, _ = _cli("ledger", "verify", "--database-url", url, "--checkpoint", "x.txt")
    assert code == 2


# -- witnessing (item 6) ---------------------------------------------------------------------


def _cosign(
    world: World, tmp_path: Path, public: Path, witness: Path, *extra: str
) -> tuple[int, str]:
    url = world.app.settings.database_url
    return _cli(
        "ledger", "cosign", "--database-url", url, "--public-key", str(public),
        "--witness-key-file", str(witness), "--name", "witness.example",
        "--state", str(tmp_path / "witness.json"), *extra,
    )  # fmt: skip


def test_witness_cosigns_what_extends_and_refuses_a_fork(world: World, tmp_path: Path) -> None:
    """Issue 21 item 6: the witness keeps the last tree it cosigned; a rewrite of that
    tree (the attack of the first paragraph, then a fresh checkpoint) is a fork."""
    from consentry.cosignature import verify_cosignature

    ids = _populate(world)
    private, public = _keys(tmp_path)
    witness, witness_pub = _keys(tmp_path, "witness")
    log_key = load_public_key(public.read_bytes())
    _checkpoint(world, private, tmp_path / "cp1.txt")
    code, first = _cosign(world, tmp_path, public, witness)
    assert code == 0, first
    open_checkpoint(first, log_key)  # still the log's note …
    # A C2SP tlog-cosignature v1 line, timestamped.
    cosig = verify_cosignature(first, "witness.example", load_public_key(witness_pub.read_bytes()))
    assert cosig.timestamp is not None and cosig.timestamp > 1_700_000_000
    (tmp_path / "cosigned.txt").write_text(first, encoding="utf-8")
    check = (
        "ledger", "verify-cosignature", str(tmp_path / "cosigned.txt"), "--public-key",
        str(public), "--witness", "witness.example", "--witness-key", str(witness_pub),
    )  # fmt: skip
    code, out = _cli(*check)
    assert code == 0 and json.loads(out)["cosigned_at"] == cosig.timestamp, out
    (tmp_path / "cosigned.txt").write_text(first.replace("\n6\n", "\n7\n"), encoding="utf-8")
    code, out = _cli(*check)
    assert code == 1 and json.loads(out)["ok"] is False
    assert json.loads((tmp_path / "witness.json").read_text())["size"] == 6

    world.choose(ids[0], "on")
    _checkpoint(world, private, tmp_path / "cp2.txt")
    code, second = _cosign(world, tmp_path, public, witness)
    assert code == 0 and "\n7\n" in second
    state = (tmp_path / "witness.json").read_text()

    code, out = _cosign(world, tmp_path, public, witness, "--checkpoint", str(tmp_path / "cp1.txt"))
    assert code == 1 and json.loads(out)["problem"].startswith("rollback")

    _rewrite_history(world, seq=2, value="on", rebuild_tree=True)
    world.choose(ids[1], "on")
    _checkpoint(world, private, tmp_path / "cp3.txt")  # the operator signs the rewritten tree
    code, out = _cosign(world, tmp_path, public, witness)
    assert code == 1 and json.loads(out)["problem"].startswith("fork"), out
    assert (tmp_path / "witness.json").read_text() == state  # nothing remembered

    other, _ = _keys(tmp_path, "other")
    forged = sign_checkpoint(
        open_checkpoint((tmp_path / "cp2.txt").read_text(), log_key),
        load_private_key(other.read_bytes()),
    )
    (tmp_path / "forged.txt").write_text(forged, encoding="utf-8")
    code, out = _cosign(
        world, tmp_path, public, witness, "--checkpoint", str(tmp_path / "forged.txt")
    )
    assert code == 1 and "no signature" in json.loads(out)["problem"]
