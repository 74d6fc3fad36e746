"""In-memory :class:`~consentry.service.ports.FactsStore` (issue 20): each session's and
feedback item's stored history, read from the fakes' dictionaries under a run's
high-water marks, as `adapters/sql/facts_store.py` reads it from tables (R20, R23, R26)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from consentry.domain.eligibility import FeedbackFacts, SessionFacts
from consentry.domain.ids import stamp
from consentry.domain.ledger import ConsentEvent
from consentry.domain.retention import AutoDeletePoint
from consentry.domain.types import ActivityFact, ChoicePoint, EventType, HoldFact, Training
from consentry.service.ports import FactsStore
from consentry.service.records import FeedbackRecord, SessionRecord
from tests.unit.service.fakes import InMemoryAccounts, InMemoryLedger
from tests.unit.service.fakes_retention import InMemoryPurges


class InMemoryFacts(InMemoryPurges, InMemoryLedger, InMemoryAccounts):
    """Histories over the sessions', holds', ledger's and accounts' dictionaries: consent
    events up to a ledger position, activities (a `delete` one marks the deletion) up to
    an activity id, holds as they stood when a run was made (ids sort by creation)."""

    def __init__(self) -> None:
        InMemoryPurges.__init__(self)
        InMemoryLedger.__init__(self)
        InMemoryAccounts.__init__(self)

    def _choices(
        self, account_id: str, ledger_seq: int
    ) -> tuple[tuple[ChoicePoint, ...], datetime | None, tuple[AutoDeletePoint, ...]]:
        """The account's choices, its deletion (an `account_deleted` choice) and its
        auto-delete choices (P12) among the first `ledger_seq` events."""
        choices, auto, deleted = [], [], None
        for event in self.events[:ledger_seq]:
            if not isinstance(event, ConsentEvent) or event.account_id != account_id:
                continue
            if event.type is EventType.CHOICE and event.value is not None:
                choices.append(ChoicePoint(event.at, Training(event.value)))
                if event.source == "account_deleted":
                    deleted = event.at
            elif event.type is EventType.AUTO_DELETE:
                value = dict(event.extra).get("auto_delete") or "off"
                months = None if value == "off" else int(value.removesuffix("m"))
                auto.append(AutoDeletePoint(event.at, months))
        return tuple(choices), deleted, tuple(auto)

    def _holds_of(self, session_id: str, after_run: str | None) -> tuple[HoldFact, ...]:
        found = []
        for hold in self.holds.values():
            if hold.session_id != session_id:
                continue
            released_at = hold.released_at
            if after_run is not None:
                if stamp(hold.id) > after_run:
                    continue
                release_id = self.releases.get(hold.id)
                if release_id is not None and stamp(release_id) > after_run:
                    released_at = None
            found.append(HoldFact(hold.kind, hold.placed_at, released_at))
        return tuple(found)

    def _deleted_seen(self, activity_hwm: int) -> set[str]:
        return {sid for sid, _, _, kind in self.activities[:activity_hwm] if kind == "delete"}

    def facts_of(
        self,
        s: SessionRecord,
        *,
        ledger_seq: int,
        activity_hwm: int,
        run_id: str | None = None,
        with_purge: bool = False,
    ) -> SessionFacts:
        """One session's history under the high-water marks (`with_purge`: its purge too)."""
        acts = tuple(
            ActivityFact(at, covered)
            for sid, at, covered, kind in self.activities[:activity_hwm]
            if sid == s.id and kind != "delete"
        )
        choices, account_deleted, auto = self._choices(s.account_id, ledger_seq)
        after_run = stamp(run_id) if run_id is not None else None
        return SessionFacts(
            session_id=s.id,
            account_id=s.account_id,
            scope=s.scope,
            incognito=s.incognito,
            activities=acts,
            choices=choices,
            account_deleted_at=account_deleted,
            deleted_at=s.deleted_at if s.id in self._deleted_seen(activity_hwm) else None,
            purged_at=s.purged_at if with_purge else None,
            holds=self._holds_of(s.id, after_run),
            auto_delete=auto,
        )

    def feedback_facts_of(
        self, fb: FeedbackRecord, *, ledger_seq: int, activity_hwm: int, with_purge: bool = False
    ) -> FeedbackFacts:
        """One feedback item's history under the high-water marks."""
        session = self.sessions[fb.session_id]
        choices, account_deleted, _ = self._choices(fb.account_id, ledger_seq)
        gone = fb.session_id in self._deleted_seen(activity_hwm) or account_deleted is not None
        return FeedbackFacts(
            feedback_id=fb.id,
            account_id=fb.account_id,
            scope=session.scope,
            incognito=session.incognito,
            submitted_at=fb.at,
            choice_at_submission=fb.choice_at_submission,
            choices=choices,
            account_deleted_at=account_deleted,
            deleted_at=fb.deleted_at if gone else None,
            purged_at=self.feedback_purged.get(fb.id) if with_purge else None,
        )

    def one_session_facts(self, session_id: str) -> SessionFacts | None:
        s = self.sessions.get(session_id)
        if s is None:
            return None
        hwm, seq = len(self.activities), len(self.events)
        return self.facts_of(s, ledger_seq=seq, activity_hwm=hwm, with_purge=True)

    def session_facts(
        self,
        *,
        ledger_seq: int,
        activity_hwm: int,
        batch: int = 2000,
        only: str | None = None,
        run_id: str | None = None,
    ) -> Iterator[SessionFacts]:
        for session_id in sorted(self.sessions):
            if only is None or session_id == only:
                yield self.facts_of(
                    self.sessions[session_id],
                    ledger_seq=ledger_seq,
                    activity_hwm=activity_hwm,
                    run_id=run_id,
                    with_purge=only is not None,
                )

    def feedback_facts(
        self,
        *,
        ledger_seq: int,
        activity_hwm: int,
        batch: int = 2000,
        run_id: str | None = None,
    ) -> Iterator[FeedbackFacts]:
        after_run = stamp(run_id) if run_id is not None else None
        for feedback_id in sorted(self.feedback):
            if after_run is not None and stamp(feedback_id) > after_run:
                continue
            yield self.feedback_facts_of(
                self.feedback[feedback_id], ledger_seq=ledger_seq, activity_hwm=activity_hwm
            )


def _conforms(fake: InMemoryFacts) -> FactsStore:
    return fake  # mypy checks the fake against its port
