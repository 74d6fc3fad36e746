"""Turn account plans into table rows with the domain rules the service layer uses.

This is the bulk path's only source of truth about state: coverage comes from
:func:`~consentry.domain.coverage.is_covered`, each activity's retention from
:func:`~consentry.domain.retention.retention_period`, purge dates from
:func:`~consentry.domain.retention.purge_due`, feedback retention from
:func:`~consentry.domain.retention.feedback_retain_until`, and terms versions from
:func:`~consentry.domain.notice.current_terms`. The first two are memoised on their
(few) distinct arguments, which is what makes ten million messages affordable.
Rows hold epoch seconds for times; :mod:`consentry.demo.bulk` formats them per dialect.
The equivalence test (tests/integration/demo) pins this module to the service layer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from consentry.demo.population import AccountPlan, SessionPlan, author_of, epoch, instant
from consentry.domain.coverage import is_covered
from consentry.domain.notice import current_terms
from consentry.domain.policy import OnOptOut, Policy
from consentry.domain.retention import feedback_retain_until, purge_due, retention_period
from consentry.domain.types import HoldFact, HoldKind, Scope, Training

Row = tuple[Any, ...]


@dataclass
class Rows:
    """A batch of rows, table by table, in insert order. Consent events are not yet chained."""

    accounts: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    sessions: list[Row] = field(default_factory=list)
    activities: list[Row] = field(default_factory=list)
    messages: list[Row] = field(default_factory=list)
    feedback: list[Row] = field(default_factory=list)
    holds: list[Row] = field(default_factory=list)


class Ids:
    """Deterministic, ordered, collision-free ids for one namespace (a seed)."""

    def __init__(self, namespace: int) -> None:
        self.ns = f"{namespace & 0xFFFFFFFF:08x}"

    def account(self, a: int) -> str:
        return f"acc_{self.ns}{a:024x}"

    def event(self, a: int, k: int) -> str:
        return f"evt_{self.ns}{a:020x}{k:04x}"

    def session(self, a: int, s: int) -> str:
        return f"ses_{self.ns}{a:018x}{s:06x}"

    def message(self, a: int, s: int, m: int) -> str:
        return f"msg_{self.ns}{a:016x}{s:04x}{m:04x}"

    def feedback(self, a: int, s: int, k: int) -> str:
        return f"fbk_{self.ns}{a:016x}{s:04x}{k:04x}"

    def hold(self, a: int, s: int, h: int) -> str:
        return f"hld_{self.ns}{a:016x}{s:04x}{h:04x}"

    def release(self, a: int, s: int, h: int) -> str:
        """The id of a hold's release (`holds.release_id`); sorts before any real run's."""
        return f"rel_{self.ns}{a:016x}{s:04x}{h:04x}"


class Simulator:
    """Applies the service's rules to plans, account by account."""

    def __init__(self, policy: Policy, ids: Ids, *, token_salt: str) -> None:
        self.policy = policy
        self.ids = ids
        self.salt = token_salt
        self._covered: dict[tuple[Scope, bool, Training], bool] = {}
        self._period: dict[tuple[Scope, bool, bool], int] = {}
        r = policy.retention
        self.grace = r.deleted_grace * 86_400
        self.standard = r.standard * 86_400
        self.flagged = r.safety_flagged * 86_400
        self.scores = r.safety_scores * 86_400
        self.shorten = r.on_opt_out is OnOptOut.SHORTEN
        self._terms: dict[int, str] = {}

    # -- memoised domain rules ----------------------------------------------------
    def covered(self, scope: Scope, incognito: bool, training: Training) -> bool:
        key = (scope, incognito, training)
        value = self._covered.get(key)
        if value is None:
            value = is_covered(scope=scope, incognito=incognito, training=training).covered
            self._covered[key] = value
        return value

    def period(self, scope: Scope, incognito: bool, covered: bool) -> int:
        key = (scope, incognito, covered)
        value = self._period.get(key)
        if value is None:
            delta = retention_period(
                scope=scope, incognito=incognito, covered=covered, policy=self.policy
            )
            value = int(delta.total_seconds())
            self._period[key] = value
        return value

    def terms_at(self, at: int) -> str:
        day = at // 86_400
        version = self._terms.get(day)
        if version is None or len(self.policy.terms) > 1:
            version = current_terms(self.policy, instant(at)).version
            self._terms[day] = version
        return version

    # -- one account ----------------------------------------------------------------
    def account(self, plan: AccountPlan, rows: Rows) -> None:
        account_id = self.ids.account(plan.ordinal)
        consumer = plan.scope is Scope.CONSUMER
        history = _History(Training.UNSET if consumer else Training.NOT_APPLICABLE)
        training, terms_accepted, choice_at = self._consent_events(plan, account_id, history, rows)
        deleted = plan.deleted_at
        token = None
        if deleted is None:
            token = hashlib.sha256(f"{self.salt}:{account_id}".encode()).hexdigest()
        rows.accounts.append(
            (
                account_id,
                plan.plan.value,
                plan.scope.value,
                plan.created_at,
                token,
                training.value,
                terms_accepted,
                choice_at,
                deleted,
            )
        )
        for session in plan.sessions:
            self._session(plan, session, account_id, history, rows)

    def _consent_events(
        self, plan: AccountPlan, account_id: str, history: _History, rows: Rows
    ) -> tuple[Training, str | None, int | None]:
        """The account's consent events, the final `off` of a deletion included, noted in
        `history`; returns its choice, accepted terms version and choice time at the end."""
        ids, a = self.ids, plan.ordinal
        training, terms_accepted, choice_at = history.initial, None, None
        k = 0
        for step in plan.consent:
            value = step.value
            if step.type == "choice":
                assert value is not None
                if self.shorten and training is Training.ON and value is Training.OFF:
                    history.offs.append(step.at)
                training, terms_accepted, choice_at = value, self.terms_at(step.at), step.at
                history.times.append(step.at)
                history.values.append(value)
                version = terms_accepted
            else:
                version = self.terms_at(step.at)
            rows.events.append(
                (
                    ids.event(a, k),
                    account_id,
                    step.at,
                    step.type,
                    None if value is None else value.value,
                    step.source,
                    version,
                )
            )
            k += 1
        deleted = plan.deleted_at
        if deleted is not None and plan.scope is Scope.CONSUMER:
            if self.shorten and training is Training.ON:
                history.offs.append(deleted)  # R18: the account's final `off` shortens too (R15)
            version = terms_accepted or self.terms_at(deleted)
            rows.events.append(
                (ids.event(a, k), account_id, deleted, "choice", "off", "account_deleted", version)
            )
            training, choice_at = Training.OFF, deleted
        return training, terms_accepted, choice_at

    def _session(
        self,
        plan: AccountPlan,
        session: SessionPlan,
        account_id: str,
        history: _History,
        rows: Rows,
    ) -> None:
        session_id = self.ids.session(plan.ordinal, session.no)
        scope = plan.scope
        if scope is Scope.CONSUMER and session.surface in self.policy.commercial_surfaces:
            scope = Scope.COMMERCIAL
        deleted = session.deleted_at
        if deleted is None or (plan.deleted_at is not None and plan.deleted_at < deleted):
            deleted = plan.deleted_at
        first_covered, retain, last = self._messages(
            plan, session, session_id, scope, history, rows
        )
        if deleted is not None:
            rows.activities.append((session_id, deleted, False, "delete"))
        active = self._holds(plan, session, session_id, rows)
        legal = any(hf.kind is HoldKind.LEGAL for hf in active)
        keep = [epoch(hf.placed_at) + self.flagged for hf in active if hf.kind is HoldKind.SAFETY]
        if active or deleted is not None:
            decision = purge_due(
                retain_until=instant(retain),
                deleted_at=instant(deleted) if deleted is not None else None,
                holds=active,
                policy=self.policy,
                at=instant(max([retain, last, *(epoch(h.placed_at) for h in active)])),
            )
            purge_at = None if decision.due_at is None else epoch(decision.due_at)
        else:
            purge_at = retain
        rows.sessions.append(
            (
                session_id,
                account_id,
                session.kind.value,
                session.surface.value,
                session.incognito,
                scope.value,
                session.start,
                last,
                first_covered,
                retain,
                deleted,
                deleted + self.grace if deleted is not None else None,
                legal,
                max(keep) if keep else None,
                purge_at,
            )
        )
        self._feedback(plan, session, account_id, session_id, deleted, history, rows)

    def _messages(
        self,
        plan: AccountPlan,
        session: SessionPlan,
        session_id: str,
        scope: Scope,
        history: _History,
        rows: Rows,
    ) -> tuple[int | None, int, int]:
        """The session's activities and messages, each covered or not at its instant;
        returns when it was first covered, its retention end and its last activity."""
        ids, a, s = self.ids, plan.ordinal, session.no
        incognito = session.incognito
        acts = rows.activities
        msgs = rows.messages
        # R18 `shorten`: each opt-out recomputes retention of the account's existing
        # consumer, non-incognito sessions (deleted ones too) from their last activity.
        shortens = scope is Scope.CONSUMER and not incognito
        pending_offs = [o for o in history.offs if o > session.start] if shortens else []
        t0 = session.start
        covered = self.covered(scope, incognito, history.training_at(t0))
        first_covered = t0 if covered else None
        retain = t0 + self.period(scope, incognito, covered)
        last = t0
        acts.append((session_id, t0, covered, "start"))
        for m, at in enumerate(session.times):
            while pending_offs and pending_offs[0] < at:
                retain = last + self.standard  # R18 `shorten` at an opt-out
                pending_offs.pop(0)
            covered = self.covered(scope, incognito, history.training_at(at))
            if covered and first_covered is None:
                first_covered = at
            until = at + self.period(scope, incognito, covered)
            if until > retain:
                retain = until
            last = at
            acts.append((session_id, at, covered, "message"))
            role = session.roles[m]
            msgs.append(
                (
                    ids.message(a, s, m),
                    session_id,
                    role,
                    session.texts[m],
                    at,
                    covered,
                    author_of(role).value,
                )
            )
        if pending_offs:
            retain = last + self.standard
        return first_covered, retain, last

    def _holds(
        self, plan: AccountPlan, session: SessionPlan, session_id: str, rows: Rows
    ) -> list[HoldFact]:
        """The session's hold rows; returns the holds still in force."""
        ids, a, s = self.ids, plan.ordinal, session.no
        holds = []
        for hold in session.holds:
            kind = HoldKind(hold.kind)
            holds.append(
                HoldFact(
                    kind, instant(hold.at), instant(hold.released_at) if hold.released_at else None
                )
            )
            scores_until = None
            if kind is HoldKind.SAFETY and hold.scores is not None:
                scores_until = hold.at + self.scores
            rows.holds.append(
                (
                    ids.hold(a, s, hold.hold_no),
                    session_id,
                    hold.kind,
                    hold.at,
                    hold.released_at,
                    json.dumps(hold.scores, sort_keys=True) if hold.scores is not None else None,
                    scores_until,
                    ids.release(a, s, hold.hold_no) if hold.released_at is not None else None,
                )
            )
        return [hf for hf in holds if hf.released_at is None]

    def _feedback(
        self,
        plan: AccountPlan,
        session: SessionPlan,
        account_id: str,
        session_id: str,
        deleted: int | None,
        history: _History,
        rows: Rows,
    ) -> None:
        """The session's feedback rows, each with the choice in force when it was given."""
        ids, a, s = self.ids, plan.ordinal, session.no
        for k, fb in enumerate(session.feedback):
            training = history.training_at(fb.at)
            fb_until = epoch(feedback_retain_until(instant(fb.at), self.policy))
            fb_purge = fb_until
            if deleted is not None:
                fb_purge = min(fb_until, deleted + self.grace)
            rows.feedback.append(
                (
                    ids.feedback(a, s, k),
                    account_id,
                    session_id,
                    ids.message(a, s, fb.message_no),
                    fb.rating,
                    fb.comment,
                    fb.at,
                    training.value,
                    fb_until,
                    deleted,
                    fb_purge,
                )
            )


@dataclass
class _History:
    """An account's choices as its sessions need them: each choice's time and value in
    order, and the opt-outs that shorten retention (R18 `shorten`)."""

    initial: Training
    times: list[int] = field(default_factory=list)
    values: list[Training] = field(default_factory=list)
    offs: list[int] = field(default_factory=list)

    def training_at(self, at: int) -> Training:
        times = self.times
        # choices are few per account: a reverse scan beats bisect's call overhead
        for i in range(len(times) - 1, -1, -1):
            if times[i] <= at:
                return self.values[i]
        return self.initial
