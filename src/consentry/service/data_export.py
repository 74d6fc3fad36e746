"""R28: everything held about a user, in one machine-readable document."""

from __future__ import annotations

from typing import Any

from consentry.domain.clock import iso
from consentry.domain.ledger import consent_receipt
from consentry.service.accounts import load_account, privacy_view
from consentry.service.context import Context, UnitOfWork
from consentry.service.ledger import run_proof
from consentry.service.records import FeedbackRecord
from consentry.service.views import privacy_json


def export_account(ctx: Context, *, account_id: str) -> dict[str, Any]:
    """Account, privacy state, consent history (with receipts), sessions with messages,
    feedback, and the training runs that included the user's data — one consistent read."""
    with ctx.uow(consistent=True, read_only=True) as uow:
        account = load_account(uow, account_id)
        events = list(uow.store.consent_events(account_id))
        sessions = _sessions_with_messages(uow, account_id)
        feedback = [_feedback_json(f) for f in uow.store.account_feedback(account_id)]
        runs = uow.runs.runs_for_account(account_id)
    return {
        "account": {
            "account_id": account.id,
            "plan": account.plan.value,
            "scope": account.scope.value,
            "created_at": iso(account.created_at),
        },
        "privacy": privacy_json(privacy_view(ctx, account)),
        "consent_history": [
            {
                "at": iso(e.at),
                "type": e.type.value,
                "value": e.value.value if e.value else None,
                "source": e.source.value if e.source else None,
                "terms_version": e.terms_version,
                "receipt": consent_receipt(e, ctx.policy),
            }
            for e in events
        ],
        "sessions": sessions,
        "feedback": feedback,
        "training_runs": [
            {
                "run_id": r.id,
                "purpose": r.purpose.value,
                "cutoff": iso(r.cutoff),
                # Issue 21: each of the user's sessions proved in or out of the run.
                "membership_proof": run_proof(ctx, account_id=account_id, run_id=r.id),
            }
            for r in runs
        ],
    }


def _sessions_with_messages(uow: UnitOfWork, account_id: str) -> list[dict[str, Any]]:
    """Every session of the account with its messages, read a page of 500 at a time."""
    sessions = []
    after: str | None = None
    while True:
        page = uow.store.list_sessions(account_id, limit=500, after=after)
        for s in page:
            sessions.append(
                {
                    "session_id": s.id,
                    "kind": s.kind.value,
                    "surface": s.surface.value,
                    "incognito": s.incognito,
                    "scope": s.scope.value,
                    "created_at": iso(s.created_at),
                    "covered": s.first_covered_at is not None,
                    "retain_until": iso(s.retain_until),
                    "messages": [
                        {
                            "message_id": m.id,
                            "role": m.role.value,
                            "content": m.content,
                            "at": iso(m.at),
                            "covered": m.covered,
                            "author": m.author.value,
                        }
                        for m in uow.store.messages(s.id)
                    ],
                }
            )
        if len(page) < 500:
            break
        after = page[-1].id
    return sessions


def _feedback_json(f: FeedbackRecord) -> dict[str, Any]:
    return {
        "feedback_id": f.id,
        "session_id": f.session_id,
        "message_id": f.message_id,
        "rating": f.rating.value,
        "comment": f.comment,
        "at": iso(f.at),
        "retain_until": iso(f.retain_until),
    }
