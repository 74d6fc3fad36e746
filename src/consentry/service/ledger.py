"""Ledger verification, consent receipts (R27) and the ledger's signed Merkle tree (issue 21).

The hash chain proves an edit to someone who trusts today's database; the Merkle tree and
its signed checkpoints prove it to someone who kept an old checkpoint. Tree heads come from
the stored compact range (no ledger read); checking a checkpoint recomputes the tree from
the events themselves, so rewriting the stored tree does not hide a rewritten event.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from consentry.domain.errors import InvalidInput, NotFound
from consentry.domain.ledger import LedgerVerification, consent_receipt, entry_of, verify_chain
from consentry.domain.merkle import (
    CompactRange,
    consistency_spans,
    inclusion_spans,
    leaf_hash,
    nodes_for,
    prove,
    span_hashes,
)
from consentry.domain.run_manifest import (
    ManifestTree,
    RunManifestEvent,
    build_manifest_tree,
    manifest_entry,
)
from consentry.service.accounts import load_account
from consentry.service.context import Context, UnitOfWork
from consentry.service.ledger_ports import CheckpointRecord, CheckpointSigner
from consentry.verify import (
    Checkpoint,
    VerificationError,
    open_checkpoint,
    run_extension,
    sign_checkpoint,
    verify_inclusion,
    verify_run_proof,
)


def verify_ledger(ctx: Context, *, upto: int | None = None) -> LedgerVerification:
    """Walk the whole chain; with `upto`, only its first `upto` events (a run's view)."""
    with ctx.uow(read_only=True) as uow:
        head = uow.store.ledger_head()
        events = uow.ledger.entries()  # consent and run events (issue 21 item 4)
        if upto is None:
            return verify_chain(events, head_seq=head.seq, head_hash=head.hash)
        return verify_chain(islice(events, upto), head_seq=upto, head_hash=None)


# -- tree heads and signed checkpoints --------------------------------------------------


def tree_head(ctx: Context) -> CompactRange:
    """The tree over every event, from the stored compact range (events it lacks, written
    around the store's append, are folded in first)."""
    with ctx.uow() as uow:
        tree = uow.ledger.tree_head(catch_up=True)
        uow.commit()
        return tree


def issue_checkpoint(
    ctx: Context, *, signer: CheckpointSigner, run_id: str | None = None
) -> CheckpointRecord:
    """Sign the current tree head as a C2SP checkpoint and keep it in the history. With
    `run_id` it is recorded as that run's checkpoint; it covers the run's `run_manifest`
    ledger event, and only for a run from before revision 0010, which has none, does it
    carry the manifest root as an extension line ``run <run_id> <size> <base64 root>``
    (docs/ledger.md §8)."""
    with ctx.uow() as uow:
        tree = uow.ledger.tree_head(catch_up=True)
        extensions: tuple[str, ...] = ()
        if run_id is not None and uow.ledger.run_event(run_id) is None:
            manifest = _manifest_tree(uow, run_id)
            extensions = (run_extension(run_id, manifest.size, manifest.root),)
        checkpoint = Checkpoint(signer.origin, tree.size, tree.root(), extensions)
        record = uow.ledger.insert_checkpoint(
            tree_size=tree.size,
            root_hash=tree.root().hex(),
            origin=signer.origin,
            note=sign_checkpoint(checkpoint, signer.key),
            at=ctx.clock.now(),
            run_id=run_id,
        )
        uow.commit()
        return record


def _manifest_tree(uow: UnitOfWork, run_id: str, *, shown: list[str] | None = None) -> ManifestTree:
    """The run's manifest tree as stored with the run (with the entries that proofs for
    the `shown` items need); rebuilt from the manifest for a run from before 0008."""
    if uow.runs.get_run(run_id) is None:
        raise NotFound(f"no training run {run_id!r}")
    stored = uow.ledger.manifest_tree(run_id, shown=shown)
    if stored is not None:
        return stored
    return build_manifest_tree(
        (
            item.item_id,
            manifest_entry(
                run_id=run_id,
                kind=item.kind,
                item_id=item.item_id,
                account_id=item.account_id,
                include_from=item.include_from,
            ),
        )
        for item in uow.ledger.run_manifest(run_id)
    )


def run_proof(ctx: Context, *, account_id: str, run_id: str, sign: bool = True) -> dict[str, Any]:
    """Issue 21 item 4: for each of the account's sessions, a proof that it is in the
    run's manifest or that it is not, against the manifest root the run's `run_manifest`
    ledger event records, with that event's inclusion proof into a signed checkpoint
    (``ledger``; signed now when none covers it, the service holds a key and `sign`).
    A run from before revision 0010 has no event: its root is in its checkpoint's
    extension line instead, and ``ledger`` is absent."""
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        sessions = sorted(uow.store.account_session_ids(account_id))
        manifest = _manifest_tree(uow, run_id, shown=sessions)
        event = uow.ledger.run_event(run_id)
        record = uow.ledger.run_checkpoint(run_id) if event is None else _covering(uow, event)
    if record is None and sign and ctx.signer is not None:
        record = issue_checkpoint(ctx, signer=ctx.signer, run_id=run_id)
    proof: dict[str, Any] = {
        "run_id": run_id,
        "manifest_size": manifest.size,
        "manifest_root": _b64(manifest.root),
        "checkpoint": None if record is None else record.note,
        "items": [manifest.prove(session_id) for session_id in sessions],
    }
    if event is not None:
        proof["ledger"] = _run_event_proof(ctx, event, record)
    return proof


def _covering(uow: UnitOfWork, event: RunManifestEvent) -> CheckpointRecord | None:
    """The newest checkpoint, if it covers the event."""
    latest = uow.ledger.checkpoints(limit=1)
    return latest[0] if latest and latest[0].tree_size >= event.seq else None


def _run_event_proof(
    ctx: Context, event: RunManifestEvent, record: CheckpointRecord | None
) -> dict[str, Any]:
    """The run event's entry and its inclusion proof into the checkpoint (without one,
    into the current tree head, like a receipt)."""
    with ctx.uow(read_only=True) as uow:
        size = record.tree_size if record is not None else uow.ledger.tree_head().size
        path = prove(inclusion_spans(event.seq - 1, size), uow.ledger.tree_nodes)
    return {
        "entry": entry_of(event).decode(),
        "leaf_index": event.seq - 1,
        "tree_size": size,
        "audit_path": [_b64(h) for h in path],
    }


def checkpoint_if_grown(ctx: Context, *, signer: CheckpointSigner) -> CheckpointRecord | None:
    """The periodic checkpoint: signed only when the tree grew since the newest one."""
    with ctx.uow(read_only=True) as uow:
        latest = uow.ledger.checkpoints(limit=1)
        size = uow.ledger.tree_head().size
    if latest and latest[0].tree_size >= size and latest[0].origin == signer.origin:
        return None
    return issue_checkpoint(ctx, signer=signer)


def latest_checkpoint(ctx: Context) -> CheckpointRecord:
    with ctx.uow(read_only=True) as uow:
        found = uow.ledger.checkpoints(limit=1)
    if not found:
        raise NotFound("no checkpoint has been signed yet")
    return found[0]


def checkpoint_history(
    ctx: Context, *, limit: int = 100, before: int | None = None
) -> list[CheckpointRecord]:
    """Stored checkpoints, newest first (`before`: an id, to page back)."""
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000")
    with ctx.uow(read_only=True) as uow:
        return uow.ledger.checkpoints(limit=limit, before=before)


def consistency_proof(ctx: Context, *, first: int, second: int) -> list[bytes]:
    """RFC 9162 §2.1.4 PROOF(first, second) over the stored tree."""
    with ctx.uow(read_only=True) as uow:
        size = uow.ledger.tree_head().size
        if not 0 <= first <= second <= size:
            raise InvalidInput(f"need 0 <= first <= second <= {size} (the tree size)")
        return prove(consistency_spans(first, second), uow.ledger.tree_nodes)


@dataclass(frozen=True, slots=True)
class CheckpointCheck:
    """The answer of :func:`check_against_checkpoint`: ok, or the first problem found."""

    ok: bool
    problem: str | None
    checkpoint: Checkpoint | None
    events: int


def check_against_checkpoint(ctx: Context, *, note: str, key: Ed25519PublicKey) -> CheckpointCheck:
    """The signature verifies, the current ledger's first N events hash to the checkpoint's
    root (recomputed from the events, not the stored tree), the chain is intact, and the
    stored tree agrees with the events. Stops at the first problem."""
    try:
        checkpoint = open_checkpoint(note, key)
    except VerificationError as error:
        return CheckpointCheck(False, f"checkpoint: {error}", None, 0)
    with ctx.uow(read_only=True, consistent=True) as uow:
        stored = uow.ledger.tree_head()
        tree, at_checkpoint, at_stored = CompactRange(), None, None
        for expected, event in enumerate(uow.ledger.entries(), start=1):
            if event.seq != expected:
                break
            if tree.size == checkpoint.size:
                at_checkpoint = tree
            if tree.size == stored.size:
                at_stored = tree
            tree, _ = tree.append(leaf_hash(entry_of(event)))
        at_checkpoint = tree if tree.size == checkpoint.size else at_checkpoint
        at_stored = tree if tree.size == stored.size else at_stored
    if at_checkpoint is None:
        problem = (
            f"the ledger holds {tree.size} events in sequence but the checkpoint covers"
            f" {checkpoint.size}: events were deleted"
        )
        return CheckpointCheck(False, problem, checkpoint, tree.size)
    if at_checkpoint.root() != checkpoint.root:
        problem = (
            f"the first {checkpoint.size} events hash to {_b64(at_checkpoint.root())}, not to"
            f" the checkpoint's root {_b64(checkpoint.root)}: the ledger was rewritten"
        )
        return CheckpointCheck(False, problem, checkpoint, tree.size)
    chain = verify_ledger(ctx)
    if not chain.ok:
        problem = f"hash chain: event {chain.first_bad_seq}: {chain.problem}"
        return CheckpointCheck(False, problem, checkpoint, chain.events)
    if at_stored is None or at_stored.root() != stored.root():
        problem = f"the stored tree of {stored.size} events does not match the events"
        return CheckpointCheck(False, problem, checkpoint, tree.size)
    return CheckpointCheck(True, None, checkpoint, tree.size)


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


# -- receipts -------------------------------------------------------------------------------


def receipts(ctx: Context, *, account_id: str) -> list[dict[str, Any]]:
    """The account's consent receipts (R27), each with its ledger entry and an inclusion
    proof into the newest checkpoint. When that checkpoint predates one of the account's
    events and the service holds a signing key, a new checkpoint is signed first; without
    a key (`ctx.signer`) the proof is into the current tree head and `checkpoint` is null."""
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        events = list(uow.store.consent_events(account_id))
        latest = uow.ledger.checkpoints(limit=1)
    newest = events[-1].seq if events else 0
    signer = ctx.signer
    if signer is not None and (not latest or latest[0].tree_size < newest):
        latest = [issue_checkpoint(ctx, signer=signer)]
    note: str | None = None
    with ctx.uow(read_only=True) as uow:
        if latest and latest[0].tree_size >= newest:
            size, note = latest[0].tree_size, latest[0].note
        else:
            size = uow.ledger.tree_head().size
        out = []
        for event in events:
            receipt: dict[str, Any] = consent_receipt(event, ctx.policy)
            receipt["ledger_entry"] = entry_of(event).decode()
            index = event.seq - 1
            receipt["proof"] = None
            if index < size:
                path = prove(inclusion_spans(index, size), uow.ledger.tree_nodes)
                receipt["proof"] = {
                    "leaf_index": index,
                    "tree_size": size,
                    "audit_path": [_b64(h) for h in path],
                    "checkpoint": note,
                }
            out.append(receipt)
    return out


@dataclass(frozen=True, slots=True)
class LedgerStanding:
    """Whether the account's consent events are in the newest signed checkpoint, each
    checked with its inclusion proof (issue 21 item 5; the privacy page says it)."""

    state: str
    """``verified`` (every covered event's proof verifies), ``failed`` (one does not, or
    the checkpoint's signature does not), ``unsigned`` (no key, or no checkpoint yet)."""
    events: int
    """The account's consent events."""
    covered: int
    """Those the checkpoint covers; the others come after it (in the next checkpoint)."""
    checkpoint_at: datetime | None = None
    tree_size: int = 0


def ledger_standing(ctx: Context, *, account_id: str) -> LedgerStanding:
    """Check, server-side, each of the account's consent events against the newest signed
    checkpoint: the leaf is recomputed from the event as stored now, its audit path comes
    from the stored tree, and the root from the signed note (RFC 9162 §2.1.3.2). A
    rewritten event, a tampered tree or a forged checkpoint gives ``failed``. Reads only."""
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        events = list(uow.store.consent_events(account_id))
        latest = uow.ledger.checkpoints(limit=1)
        if ctx.signer is None or not latest:
            return LedgerStanding("unsigned", len(events), 0)
        record = latest[0]
        try:
            checkpoint = open_checkpoint(
                record.note, ctx.signer.key.public_key(), origin=ctx.signer.origin
            )
        except VerificationError:
            return LedgerStanding("failed", len(events), 0, record.created_at, record.tree_size)
        covered = [e for e in events if e.seq <= checkpoint.size]
        spans = {e.seq: inclusion_spans(e.seq - 1, checkpoint.size) for e in covered}
        state = "verified"
        try:  # every node any of the proofs needs, in one read
            nodes = uow.ledger.tree_nodes(set().union(*map(nodes_for, spans.values())))
            for event in covered:
                path = span_hashes(spans[event.seq], nodes)
                verify_inclusion(
                    event.seq - 1,
                    checkpoint.size,
                    leaf_hash(entry_of(event)),
                    path,
                    checkpoint.root,
                )
        except (LookupError, VerificationError):
            state = "failed"
    return LedgerStanding(state, len(events), len(covered), record.created_at, checkpoint.size)


def runs_verified(ctx: Context, *, account_id: str, run_ids: list[str]) -> dict[str, bool]:
    """For each run with a signed checkpoint over its manifest root (its ledger event, or
    for an older run its extension line): whether the membership proofs of the account's
    sessions verify against it (issue 21 item 4, checked server-side as the stand-alone
    verifier would). Runs without one, or a service without a key, are absent: nothing
    is signed while a page loads."""
    if ctx.signer is None:
        return {}
    public = ctx.signer.key.public_key()
    verified: dict[str, bool] = {}
    for run_id in run_ids:
        proof = run_proof(ctx, account_id=account_id, run_id=run_id, sign=False)
        if proof["checkpoint"] is None:
            continue
        try:
            verify_run_proof(proof, public)
            verified[run_id] = True
        except VerificationError:
            verified[run_id] = False
    return verified
