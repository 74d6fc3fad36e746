"""The run builder's eligibility (R20/R22) as one SELECT, shared by run creation and the
pages' training labels (issue 18).

:func:`eligible_sessions` is the set-based form of
:func:`~consentry.domain.eligibility.decide_eligibility` at `cutoff`: a consumer,
non-incognito session of a live account, neither deleted nor purged, still retained, that
was covered while training was on (or, for safety classifiers where the policy allows it,
is under an active safety hold). The run builder inserts its rows into the manifest; the
pages ask it for one account's sessions, so a label never says "may be used" where a run
created now would leave the session out. The audit (R26) holds both to the per-session
function.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, literal, or_, select

from consentry.adapters.sql import tables as t
from consentry.domain.policy import Policy, ResumeScope
from consentry.domain.types import HoldKind, Purpose, Scope, Training

s, a, h = t.sessions.c, t.accounts.c, t.holds.c


def eligible_sessions(*, purpose: Purpose, cutoff: datetime, policy: Policy) -> Select[Any]:
    """``(session id, account id, include_from)`` of every session a run for `purpose`
    created at `cutoff` (= now) would contain; `include_from` is the instant from which
    its messages count (None: all of them). Callers may add WHERE clauses."""
    covered_path = and_(
        s.first_covered_at.is_not(None),
        s.first_covered_at <= cutoff,
        a.training == Training.ON.value,
    )
    flagged = exists().where(
        h.session_id == s.id,
        h.kind == HoldKind.SAFETY.value,
        h.placed_at <= cutoff,
        h.released_at.is_(None),
    )
    via_flag = purpose is Purpose.SAFETY_CLASSIFIERS and policy.safety_train_on_flagged
    path = or_(covered_path, flagged) if via_flag else covered_path
    if policy.resume_scope is ResumeScope.FROM_FIRST_COVERED_ACTIVITY:
        include_from: Any = (
            case((flagged, None), else_=s.first_covered_at) if via_flag else s.first_covered_at
        )
    else:
        include_from = literal(None, type_=t.UTCDateTime())
    return (
        select(s.id, s.account_id, include_from.label("include_from"))
        .select_from(t.sessions.join(t.accounts, a.id == s.account_id))
        .where(
            s.scope == Scope.CONSUMER.value,
            s.incognito.is_(False),
            a.deleted_at.is_(None),
            s.deleted_at.is_(None),
            s.purged_at.is_(None),
            s.retain_until > cutoff,
            path,
        )
    )
