"""Issue 21 item 4 (R27): runs' `run_manifest` events in a mixed ledger, property-tested
with hypothesis: the chain verifies, every run proof that carries the run event's
inclusion proof verifies against a signed checkpoint, and any single-bit change of the
event's entry, of its audit path or of the manifest root is refused."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.domain.ledger import (
    GENESIS,
    ConsentEvent,
    LedgerEvent,
    canonical_entry,
    entry_of,
    verify_chain,
)
from consentry.domain.merkle import CompactRange, NodeId, inclusion_spans, leaf_hash, span_hashes
from consentry.domain.run_manifest import (
    RunManifestEvent,
    build_manifest_tree,
    manifest_entry,
    run_event_entry,
)
from consentry.domain.types import ChoiceSource, EventType, Training
from consentry.verify import (
    Checkpoint,
    VerificationError,
    sign_checkpoint,
    verify_run_proof,
)

KEY = Ed25519PrivateKey.generate()
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _ledger(kinds: list[bool]) -> tuple[list[LedgerEvent], dict[str, Any]]:
    """A chained ledger, True = a run event; and each run's manifest tree."""
    events: list[LedgerEvent] = []
    trees: dict[str, Any] = {}
    prev = GENESIS
    for seq, is_run in enumerate(kinds, start=1):
        at = T0 + timedelta(minutes=seq)
        if is_run:
            run_id = f"run_{seq}"
            tree = build_manifest_tree(
                (
                    f"ses_{seq}_{i}",
                    manifest_entry(
                        run_id=run_id,
                        kind="session",
                        item_id=f"ses_{seq}_{i}",
                        account_id="acc_1",
                        include_from=None,
                    ),
                )
                for i in range(seq % 5)
            )
            trees[run_id] = tree
            fields: dict[str, Any] = {
                "seq": seq,
                "event_id": f"evt_{seq}",
                "at": at,
                "run_id": run_id,
                "purpose": "model_training",
                "cutoff": at,
                "manifest_size": tree.size,
                "manifest_root": tree.root,
                "prev_hash": prev,
            }
            digest = hashlib.sha256(run_event_entry(**fields)).hexdigest()
            events.append(RunManifestEvent(**fields, hash=digest))
        else:
            choice = {
                "seq": seq,
                "event_id": f"evt_{seq}",
                "account_id": "acc_1",
                "at": at,
                "type": EventType.CHOICE,
                "value": Training.ON if seq % 2 else Training.OFF,
                "source": ChoiceSource.SETTINGS,
                "terms_version": "2025-08-28",
                "prev_hash": prev,
            }
            digest = hashlib.sha256(canonical_entry(**choice)).hexdigest()  # type: ignore[arg-type]
            events.append(ConsentEvent(**choice, hash=digest))  # type: ignore[arg-type]
        prev = digest
    return events, trees


def _run_proof(events: list[LedgerEvent], trees: dict[str, Any], run: RunManifestEvent) -> Any:
    cr, nodes = CompactRange(), dict[NodeId, bytes]()
    for e in events:
        cr, created = cr.append(leaf_hash(entry_of(e)))
        nodes.update(created)
    note = sign_checkpoint(Checkpoint("log.example", cr.size, cr.root()), KEY)
    path = span_hashes(inclusion_spans(run.seq - 1, cr.size), nodes)
    tree = trees[run.run_id]
    return {
        "run_id": run.run_id,
        "manifest_size": tree.size,
        "manifest_root": base64.b64encode(tree.root).decode(),
        "checkpoint": note,
        "items": [tree.prove(i) for i in tree.ids] + [tree.prove("ses_absent")],
        "ledger": {
            "entry": entry_of(run).decode(),
            "leaf_index": run.seq - 1,
            "tree_size": cr.size,
            "audit_path": [base64.b64encode(h).decode() for h in path],
        },
    }


def _flip(text: str, bit: int) -> str:
    raw = bytearray(text.encode())
    raw[(bit // 8) % len(raw)] ^= 1 << (bit % 8)
    return raw.decode("latin-1")


def _flip_b64(value: str, bit: int) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[(bit // 8) % len(raw)] ^= 1 << (bit % 8)
    return base64.b64encode(bytes(raw)).decode()


ledgers = st.lists(st.booleans(), min_size=1, max_size=40).filter(any)


@settings(max_examples=60, deadline=None)
@given(kinds=ledgers, pick=st.integers(min_value=0), bit=st.integers(min_value=0))
def test_run_events_chain_and_prove_and_every_bit_counts_R27(
    kinds: list[bool], pick: int, bit: int
) -> None:
    """Issue 21 item 4: in any mix of consent and run events the chain verifies; a run
    proof verifies from the checkpoint alone; a flipped bit anywhere it relies on fails."""
    events, trees = _ledger(kinds)
    assert verify_chain(events, head_seq=len(events), head_hash=events[-1].hash).ok
    run_events = [e for e in events if isinstance(e, RunManifestEvent)]
    run = run_events[pick % len(run_events)]
    proof = _run_proof(events, trees, run)
    answers = verify_run_proof(proof, KEY.public_key())
    assert answers["ses_absent"] is False
    assert all(answers[i] for i in trees[run.run_id].ids)

    broken: list[dict[str, Any]] = []
    entry = json.loads(json.dumps(proof))
    entry["ledger"]["entry"] = _flip(proof["ledger"]["entry"], bit)
    broken.append(entry)
    root = json.loads(json.dumps(proof))
    root["manifest_root"] = _flip_b64(proof["manifest_root"], bit)
    broken.append(root)
    if proof["ledger"]["audit_path"]:
        path = json.loads(json.dumps(proof))
        hashes = path["ledger"]["audit_path"]
        hashes[bit % len(hashes)] = _flip_b64(hashes[bit % len(hashes)], bit // 7)
        broken.append(path)
    for forged in broken:
        try:
            verify_run_proof(forged, KEY.public_key())
        except VerificationError:
            continue
        raise AssertionError(f"a flipped bit was accepted: {forged}")


def test_a_run_entry_is_documented_json_with_ten_members_R27() -> None:
    """docs/ledger.md §1: the run event's entry, keys sorted, no white space, ASCII."""
    entry = run_event_entry(
        seq=7,
        event_id="evt_1",
        at=T0,
        run_id="run_1",
        purpose="model_training",
        cutoff=T0,
        manifest_size=0,
        manifest_root=hashlib.sha256(b"").digest(),
        prev_hash=GENESIS,
    )
    assert entry == (
        b'{"at":"2026-01-01T00:00:00Z","cutoff":"2026-01-01T00:00:00Z","event_id":"evt_1",'
        b'"manifest_root":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=","manifest_size":0,'
        b'"prev_hash":"' + GENESIS.encode() + b'","purpose":"model_training","run_id":"run_1",'
        b'"seq":7,"type":"run_manifest"}'
    )
