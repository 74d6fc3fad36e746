"""Issue 21 item 4: a run's manifest root is a `run_manifest` ledger event (R27's chain and
the Merkle tree), appended in the run's transaction, so a run proof verifies from a signed
checkpoint alone; on SQLite and PostgreSQL (the `world` fixture runs on both)."""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, func, select, text, update
from typer.testing import CliRunner

from consentry.adapters.sql import tables as t
from consentry.adapters.sql.ledger_events import event_of_row, ledger_events, run_event_of_row
from consentry.adapters.sql.ledger_tree import extend_tree
from consentry.domain.ledger import GENESIS, LedgerEvent, entry_of, recompute
from consentry.domain.merkle import CompactRange, leaf_hash, root_of
from consentry.domain.run_manifest import RunManifestEvent
from consentry.domain.types import Training
from consentry.entrypoints.cli import app as cli
from consentry.service import accounts, data_export, ledger, runs
from consentry.service.context import Context
from consentry.service.ledger_ports import CheckpointSigner
from consentry.verify import (
    VerificationError,
    open_checkpoint,
    verify_inclusion,
    verify_run_proof,
)
from tests.integration.service.conftest import World

ORIGIN = "consentry.test/ledger"


def _signed(world: World) -> tuple[Context, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    world.ctx = dataclasses.replace(world.ctx, signer=CheckpointSigner(ORIGIN, key))
    return world.ctx, key


def _seed(world: World) -> tuple[str, list[str]]:
    """Two accounts with chats and choices; my account id and my sessions."""
    me, other = world.user(plan="free"), world.user(plan="free")
    mine = [world.chat(me, f"mine {i}") for i in range(3)]
    world.chat(other, "theirs")
    world.choose(other, "off")
    world.choose(other, "on")
    world.advance(1)
    return me, mine


def _all_events(world: World) -> list[LedgerEvent]:
    with world.app.engine.connect() as conn:
        return list(ledger_events(conn))


def _tree_matches_chain(world: World) -> None:
    events = _all_events(world)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    head = ledger.tree_head(world.ctx)
    assert head.size == len(events)
    assert head.root() == root_of([leaf_hash(entry_of(e)) for e in events])
    assert ledger.verify_ledger(world.ctx).ok


def test_run_creation_appends_its_manifest_root_to_the_ledger_R27(world: World) -> None:
    """Issue 21 item 4, R27: the run event directly follows the ledger the run was built
    from, records the stored manifest tree's root, and is in the chain and the tree."""
    _seed(world)
    run = runs.create_run(world.ctx, purpose="model_training")
    with world.ctx.uow(read_only=True) as uow:
        event = uow.ledger.run_event(run.id)
        stored = uow.ledger.manifest_tree(run.id)
    assert event is not None and stored is not None
    assert (event.seq, event.prev_hash) == (run.ledger_events + 1, run.ledger_head)
    assert (event.manifest_size, event.manifest_root) == (stored.size, stored.root)
    assert (event.run_id, event.purpose, event.cutoff) == (run.id, "model_training", run.cutoff)
    entry = json.loads(entry_of(event))
    assert entry["type"] == "run_manifest" and "account_id" not in entry
    assert entry["manifest_root"] == base64.b64encode(stored.root).decode()
    assert recompute(event) == event.hash
    assert world.ctx.uow  # the run's audit still sees an intact ledger up to its head
    assert runs.audit_run(world.ctx, run_id=run.id).ok
    _tree_matches_chain(world)
    # Consent appends after a run chain onto the run's event.
    world.choose(world.user(), "off")
    assert _all_events(world)[event.seq].prev_hash == event.hash
    _tree_matches_chain(world)


def test_run_proof_verifies_from_the_signed_checkpoint_alone_R27(
    world: World, tmp_path: Path
) -> None:
    """Issue 21 item 4: the proof carries the run event's entry and inclusion proof; the
    checkpoint needs no extension line; `consentry verify-receipt` checks the proof."""
    ctx, key = _signed(world)
    me, mine = _seed(world)
    run = runs.create_run(ctx, purpose="model_training")
    world.advance(1)
    late = world.chat(me, "after the cutoff")
    proof = ledger.run_proof(ctx, account_id=me, run_id=run.id)
    assert verify_run_proof(proof, key.public_key()) == {**dict.fromkeys(mine, True), late: False}
    checkpoint = open_checkpoint(proof["checkpoint"], key.public_key())
    assert checkpoint.extensions == ()
    part = proof["ledger"]
    verify_inclusion(
        part["leaf_index"],
        part["tree_size"],
        leaf_hash(part["entry"].encode()),
        [base64.b64decode(h) for h in part["audit_path"]],
        checkpoint.root,
    )
    pub = tmp_path / "log.pub"
    from cryptography.hazmat.primitives import serialization

    pub.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    (tmp_path / "proof.json").write_text(json.dumps(proof), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["verify-receipt", str(tmp_path / "proof.json"), "--public-key", str(pub)]
    )
    assert result.exit_code == 0, result.stdout
    out = json.loads(result.stdout)
    assert out["ok"] is True and out["items"][late] is False and out["items"][mine[0]] is True
    forged = copy.deepcopy(proof)
    forged["ledger"]["audit_path"][0] = base64.b64encode(bytes(32)).decode()
    (tmp_path / "proof.json").write_text(json.dumps(forged), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["verify-receipt", str(tmp_path / "proof.json"), "--public-key", str(pub)]
    )
    assert result.exit_code == 1 and json.loads(result.stdout)["ok"] is False


def _refused(proof: dict[str, Any], key: Ed25519PrivateKey) -> str:
    with pytest.raises(VerificationError) as caught:
        verify_run_proof(proof, key.public_key())
    return str(caught.value)


def test_a_forged_run_root_is_refused_R27(world: World) -> None:
    """Issue 21 item 4: a manifest root other than the one the ledger event records, an
    edited event, another run's event, or a proof into another tree size fails."""
    ctx, key = _signed(world)
    me, _ = _seed(world)
    first = runs.create_run(ctx, purpose="model_training").id
    world.chat(me, "more")
    second = runs.create_run(ctx, purpose="model_training").id
    proof = ledger.run_proof(ctx, account_id=me, run_id=second)
    verify_run_proof(proof, key.public_key())

    other_root = copy.deepcopy(proof)
    other_root["manifest_root"] = base64.b64encode(bytes(32)).decode()
    assert "another manifest" in _refused(other_root, key)

    other_size = copy.deepcopy(proof)
    other_size["manifest_size"] += 1
    assert "another manifest" in _refused(other_size, key)

    fields = json.loads(proof["ledger"]["entry"])
    fields["manifest_root"] = base64.b64encode(bytes(32)).decode()
    edited = copy.deepcopy(proof)
    edited["ledger"]["entry"] = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    edited["manifest_root"] = fields["manifest_root"]
    assert "root" in _refused(edited, key)  # the edited entry's leaf is not in the tree

    theirs = ledger.run_proof(ctx, account_id=me, run_id=first)
    swapped = copy.deepcopy(proof)
    swapped["ledger"] = theirs["ledger"]
    assert "another run" in _refused(swapped, key)

    resized = copy.deepcopy(proof)
    resized["ledger"]["tree_size"] += 1
    assert "checkpoint has" in _refused(resized, key)

    no_event = copy.deepcopy(proof)
    del no_event["ledger"]  # and no extension line either: nothing commits to the root
    assert "does not commit" in _refused(no_event, key)


def test_account_views_show_no_run_events_R27(world: World) -> None:
    """Issue 21 item 4: a run's event has no account; consent history, receipts and the
    R28 export show only the account's own consent events."""
    ctx, _ = _signed(world)
    me, _ = _seed(world)
    runs.create_run(ctx, purpose="model_training")
    world.choose(me, "off")
    with world.app.engine.connect() as conn:
        run_ids = set(conn.execute(select(t.ledger_run_events.c.event_id)).scalars())
        own = list(
            conn.execute(
                select(t.consent_events.c.event_id)
                .where(t.consent_events.c.account_id == me)
                .order_by(t.consent_events.c.seq)
            ).scalars()
        )
    assert run_ids and len(own) == 2
    got = [r["record_id"] for r in ledger.receipts(ctx, account_id=me)]
    assert got == own
    assert len(accounts.consent_history(ctx, account_id=me)) == 2
    export = data_export.export_account(ctx, account_id=me)
    history = json.dumps(export["consent_history"], default=str)
    assert not any(event_id in history for event_id in run_ids)
    assert history.count('"record_id"') == 2
    # The run's event appears only inside that run's membership proof, as its proof.
    (used,) = export["training_runs"]
    assert json.loads(used["membership_proof"]["ledger"]["entry"])["event_id"] in run_ids


def _drop_triggers(conn: Any) -> None:
    for table in ("consent_events", "ledger_run_events"):
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))


def _restore_triggers(conn: Any) -> None:
    for table in ("consent_events", "ledger_run_events"):
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            continue
        for verb in ("UPDATE", "DELETE"):
            conn.execute(
                text(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}"
                    f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
            )


def _rewrite(world: World, *, choice_seq: int | None, run_root: bytes | None) -> None:
    """Issue 21's attacker over a ledger with run events: drop the triggers, change one
    choice and/or a run's recorded root, recompute every later hash, the head and the
    stored tree with the project's own code, restore the triggers."""
    with world.app.engine.begin() as conn:
        events = list(ledger_events(conn))
        _drop_triggers(conn)
        prev, rewritten = GENESIS, []
        for e in events:
            if isinstance(e, RunManifestEvent):
                changed: LedgerEvent = dataclasses.replace(
                    e, prev_hash=prev, manifest_root=run_root or e.manifest_root
                )
            else:
                value = Training.ON if e.seq == choice_seq else e.value
                changed = dataclasses.replace(e, prev_hash=prev, value=value)
            changed = dataclasses.replace(changed, hash=recompute(changed))
            table = t.ledger_run_events if isinstance(e, RunManifestEvent) else t.consent_events
            values: dict[str, Any] = {"prev_hash": prev, "hash": changed.hash}
            if isinstance(changed, RunManifestEvent):
                values["manifest_root"] = base64.b64encode(changed.manifest_root).decode()
            elif changed.value is not None:
                values["value"] = changed.value.value
            conn.execute(update(table).where(table.c.seq == e.seq).values(**values))
            rewritten.append(changed)
            prev = changed.hash
        _restore_triggers(conn)
        conn.execute(delete(t.ledger_tree_nodes))
        tree = extend_tree(conn, CompactRange(), [entry_of(e) for e in rewritten])
        conn.execute(
            update(t.ledger_head).values(hash=prev, tree_size=tree.size, tree_range=tree.encode())
        )


def _verify_cli(world: World, note: str, key: Ed25519PrivateKey, tmp: Path) -> dict[str, Any]:
    from cryptography.hazmat.primitives import serialization

    (tmp / "cp.txt").write_text(note, encoding="utf-8")
    (tmp / "log.pub").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    url = world.app.settings.database_url
    result = CliRunner().invoke(
        cli,
        ["ledger", "verify", "--database-url", url, "--checkpoint", str(tmp / "cp.txt"),
         "--public-key", str(tmp / "log.pub")],
    )  # fmt: skip
    body: dict[str, Any] = json.loads(result.stdout)
    assert (result.exit_code == 0) is body["ok"]
    return body


@pytest.mark.parametrize("target", ["choice", "run-root"])
def test_rewrite_of_a_mixed_ledger_is_caught_by_an_earlier_checkpoint_R27(
    world: World, tmp_path: Path, target: str
) -> None:
    """Issue 21, first paragraph, over a ledger holding run events: the recomputed chain
    fools `ledger verify`, not a checkpoint signed before the rewrite."""
    ctx, key = _signed(world)
    me, _ = _seed(world)
    runs.create_run(ctx, purpose="model_training")
    world.choose(me, "off")
    note = ledger.issue_checkpoint(ctx, signer=ctx.signer).note  # type: ignore[arg-type]
    assert _verify_cli(world, note, key, tmp_path)["ok"] is True
    with world.app.engine.connect() as conn:
        first_off = conn.execute(
            select(func.min(t.consent_events.c.seq)).where(t.consent_events.c.value == "off")
        ).scalar_one()
    _rewrite(
        world,
        choice_seq=first_off if target == "choice" else None,
        run_root=bytes(32) if target == "run-root" else None,
    )
    assert ledger.verify_ledger(world.ctx).ok  # the chain alone is fooled
    body = _verify_cli(world, note, key, tmp_path)
    assert body["ok"] is False and "rewritten" in body["problem"]


def test_concurrent_appends_and_run_creation_keep_the_tree_equal_to_the_chain_R27(
    world: World,
) -> None:
    """Issue 21 items 1 and 4: choices recorded while runs are created; every run's event
    follows its own snapshot of the ledger, and tree and chain agree afterwards."""
    ids = [world.user(plan="free") for _ in range(3)]
    for uid in ids:
        world.chat(uid)
    errors: list[BaseException] = []
    made: list[str] = []

    def flip(uid: str) -> None:
        try:
            for i in range(5):
                accounts.record_choice(world.ctx, account_id=uid, training="on" if i % 2 else "off")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    def create() -> None:
        try:
            for _ in range(3):
                made.append(runs.create_run(world.ctx, purpose="model_training").id)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=flip, args=(uid,)) for uid in ids]
    threads.append(threading.Thread(target=create))
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    _tree_matches_chain(world)
    events = _all_events(world)
    assert len(events) == 3 + 15 + 3
    for run_id in made:
        run = runs.get_run(world.ctx, run_id=run_id)
        event = next(e for e in events if isinstance(e, RunManifestEvent) and e.run_id == run_id)
        before = [e for e in events if e.seq < event.seq]
        assert event.prev_hash == (before[-1].hash if before else GENESIS)
        # The run records the consent ledger's head: earlier runs' events may sit between.
        consent = [e for e in before if not isinstance(e, RunManifestEvent)]
        head = (consent[-1].seq, consent[-1].hash) if consent else (0, GENESIS)
        assert (run.ledger_events, run.ledger_head) == head


def test_row_mappers_round_trip_both_kinds_R27(world: World) -> None:
    """The whole-ledger reader merges both tables by seq, as stored (issue 21 item 4)."""
    _seed(world)
    runs.create_run(world.ctx, purpose="model_training")
    with world.app.engine.connect() as conn:
        consent = [event_of_row(r) for r in conn.execute(select(t.consent_events)).all()]
        run_rows = [run_event_of_row(r) for r in conn.execute(select(t.ledger_run_events)).all()]
    merged = sorted([*consent, *run_rows], key=lambda e: e.seq)
    assert _all_events(world) == merged


def test_a_database_from_before_0010_upgrades_and_chains_run_events_R27(world: World) -> None:
    """Revision 0010 (R27, issue 21 item 4) is additive: a database taken down to 0009 and
    up again serves consent events and runs whose events chain and prove. (Taken down
    before any event: revision 0011's downgrade drops choice-event members, so an
    existing ledger cannot make that round trip since 0011.)"""
    from alembic import command

    from consentry.adapters.sql.engine import alembic_config, upgrade

    ctx, key = _signed(world)
    url = world.app.settings.database_url
    world.app.engine.dispose()
    command.downgrade(alembic_config(url), "0009")
    upgrade(url)
    me, _ = _seed(world)
    before = _all_events(world)
    _tree_matches_chain(world)
    run = runs.create_run(ctx, purpose="model_training")
    assert (run.ledger_events, run.ledger_head) == (len(before), before[-1].hash)
    _tree_matches_chain(world)
    verify_run_proof(ledger.run_proof(ctx, account_id=me, run_id=run.id), key.public_key())
