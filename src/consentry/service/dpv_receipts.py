"""An account's consent receipts in the W3C Data Privacy Vocabulary (docs/rules.md P9).

The same records as :func:`consentry.service.ledger.receipts` (R27), as the JSON-LD
document :func:`consentry.domain.dpv.consent_records` builds; the JSON form stays the
default of ``GET /v1/me/consent-receipts``.
"""

from __future__ import annotations

from typing import Any

from consentry.domain.dpv import consent_records
from consentry.service.context import Context
from consentry.service.ledger import receipts


def dpv_receipts(ctx: Context, *, account_id: str) -> dict[str, Any]:
    """P9: ``{"@context", "@graph": [dpv:ConsentRecord…]}`` for the account, oldest first."""
    items = receipts(ctx, account_id=account_id)
    with ctx.uow(read_only=True) as uow:
        kinds = {e.event_id: str(e.type) for e in uow.store.consent_events(account_id)}
    return consent_records(items, kinds)
