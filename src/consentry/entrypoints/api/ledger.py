"""The signed ledger over HTTP (issue 21): the latest checkpoint and consistency proofs
(public: they hold only hashes and sizes), run membership proofs for the account, and the
checkpoint history (admin).

When the service holds a signing key it also signs a checkpoint every
``CONSENTRY_CHECKPOINT_INTERVAL_S`` seconds if the ledger grew (:class:`CheckpointTicker`),
besides the one after each run is created and the one a receipt request may need.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel

from consentry.bootstrap import App
from consentry.domain.clock import iso
from consentry.domain.errors import InvalidInput
from consentry.entrypoints.api.deps import Admin, Core, CurrentAccount, account_route
from consentry.entrypoints.api.errors import ERROR_RESPONSES
from consentry.service import ledger

log = logging.getLogger("consentry.ledger")
router = APIRouter(tags=["ledger"], responses=ERROR_RESPONSES)
DEFAULT_INTERVAL_S = 300.0


class ConsistencyOut(BaseModel):
    first: int
    second: int
    proof: list[str]
    """RFC 9162 §2.1.4 consistency path, standard base64 SHA-256 hashes."""


class CheckpointOut(BaseModel):
    id: int
    tree_size: int
    root_hash: str
    origin: str
    note: str
    created_at: str


class CheckpointPage(BaseModel):
    items: list[CheckpointOut]
    next_cursor: str | None


@router.get(
    "/v1/ledger/checkpoint",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {}}, "description": "A C2SP signed note."},
        # Errors stay JSON: without this the document would list them as text/plain.
        **{
            status: {**r, "content": {"application/json": {}}}
            for status, r in ERROR_RESPONSES.items()
        },
    },
)
def latest_checkpoint(core: Core) -> PlainTextResponse:
    """The newest signed checkpoint of the consent ledger (C2SP tlog-checkpoint in a
    signed note); 404 ``not_found`` before the first one is signed."""
    record = ledger.latest_checkpoint(core.ctx)
    return PlainTextResponse(record.note, media_type="text/plain; charset=utf-8")


@router.get("/v1/ledger/consistency", response_model=ConsistencyOut)
def consistency(
    core: Core,
    first: Annotated[int, Query(ge=0, description="The older tree size.")],
    second: Annotated[int, Query(ge=0, description="The newer tree size (at most today's).")],
) -> dict[str, Any]:
    """Proof that the tree of ``second`` events extends the tree of ``first`` (422
    ``validation_error`` unless 0 <= first <= second <= the current size)."""
    proof = ledger.consistency_proof(core.ctx, first=first, second=second)
    return {
        "first": first,
        "second": second,
        "proof": [base64.b64encode(h).decode() for h in proof],
    }


@router.get("/v1/me/training-runs/{run_id}/proof", tags=["privacy"])
@account_route
def run_proof(run_id: str, core: Core, me: CurrentAccount) -> dict[str, Any]:
    """For each of my sessions, a proof that it is in this run's manifest, or that it is
    not (the adjacent leaves in id order), against a root a signed checkpoint carries
    (docs/ledger.md). Any run may be asked about: proving absence is the point."""
    return ledger.run_proof(core.ctx, account_id=me.id, run_id=run_id)


@router.get("/v1/admin/ledger/checkpoints", response_model=CheckpointPage, tags=["admin"])
def checkpoints(
    core: Core,
    _: Admin,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(description="next_cursor of the page before")] = None,
) -> dict[str, Any]:
    """Every checkpoint the service signed, newest first."""
    before = None
    if cursor is not None:
        # ASCII digits only ("²".isdigit() is true), within the 32-bit id column.
        if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 10:
            raise InvalidInput("cursor is not one this endpoint gave")
        before = min(int(cursor), 2**31 - 1)
    records = ledger.checkpoint_history(core.ctx, limit=limit, before=before)
    return {
        "items": [
            {
                "id": r.id,
                "tree_size": r.tree_size,
                "root_hash": r.root_hash,
                "origin": r.origin,
                "note": r.note,
                "created_at": iso(r.created_at),
            }
            for r in records
        ],
        "next_cursor": str(records[-1].id) if len(records) == limit else None,
    }


class CheckpointTicker:
    """Signs a checkpoint every ``interval_s`` seconds when the ledger grew (a thread)."""

    def __init__(self, core: App, interval_s: float) -> None:
        self._core = core
        self._interval = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ledger-checkpoints", daemon=True)

    def start(self) -> CheckpointTicker:
        self._thread.start()
        return self

    def tick(self) -> None:
        signer = self._core.ctx.signer
        if signer is not None:
            ledger.checkpoint_if_grown(self._core.ctx, signer=signer)

    def _run(self) -> None:
        while True:
            try:
                self.tick()
            except Exception:  # a failed tick must not end the ticker; the next one retries
                log.exception("signing a ledger checkpoint failed")
            if self._stop.wait(self._interval):
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def start_checkpoint_ticker(core: App) -> CheckpointTicker | None:
    """The ticker, when the service holds a signing key; else None."""
    if core.ctx.signer is None:
        return None
    raw = os.environ.get("CONSENTRY_CHECKPOINT_INTERVAL_S") or str(DEFAULT_INTERVAL_S)
    try:
        interval = float(raw)
    except ValueError:
        raise InvalidInput(
            f"CONSENTRY_CHECKPOINT_INTERVAL_S must be seconds, not {raw!r}"
        ) from None
    if interval <= 0:
        raise InvalidInput("CONSENTRY_CHECKPOINT_INTERVAL_S must be positive")
    return CheckpointTicker(core, interval).start()
