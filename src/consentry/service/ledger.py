"""Ledger verification and consent receipts (R27)."""

from __future__ import annotations

from itertools import islice

from consentry.domain.ledger import LedgerVerification, consent_receipt, verify_chain
from consentry.service.accounts import load_account
from consentry.service.context import Context


def verify_ledger(ctx: Context, *, upto: int | None = None) -> LedgerVerification:
    """Walk the whole chain; with `upto`, only its first `upto` events (a run's view)."""
    with ctx.uow(read_only=True) as uow:
        head_seq, head_hash = uow.store.ledger_head()
        events = uow.store.consent_events()
        if upto is None:
            return verify_chain(events, head_seq=head_seq, head_hash=head_hash)
        return verify_chain(islice(events, upto), head_seq=upto, head_hash=None)


def receipts(ctx: Context, *, account_id: str) -> list[dict[str, object]]:
    with ctx.uow(read_only=True) as uow:
        load_account(uow, account_id)
        return [consent_receipt(e, ctx.policy) for e in uow.store.consent_events(account_id)]
