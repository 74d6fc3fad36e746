"""A hypothesis state machine over the service layer, checked against the reference model.

Every rule calls one use case and applies the same step to :mod:`.model`; after every
step the invariants compare the store with the model (R10–R28).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App
from consentry.domain.clock import TestClock, iso
from consentry.domain.errors import (
    ChoiceMissing,
    ChoiceRequired,
    ConsentryError,
    DeadlinePassed,
    InvalidInput,
    InvalidState,
    NotApplicable,
    NotFound,
    PurposeNotPermitted,
    Unauthenticated,
)
from consentry.domain.types import Author
from consentry.service import accounts, data_export, retention, runs, sessions
from consentry.service.ledger import verify_ledger

from .model import DEADLINE, MAccount, MFeedback, MHold, MMessage, Model, MRun, MSession

START = datetime(2025, 9, 1, tzinfo=UTC)
PLANS = ["free", "pro", "max", "team", "enterprise", "api"]
CHAT_SURFACES = ["web", "desktop", "mobile", "api", "bedrock", "vertex"]
# Clock steps: none (same-instant ties), seconds, a day, around the 30-day periods, the
# deadline (2025-10-08 is 37 days after the start), the 730-day flag, the five years.
STEPS = [
    timedelta(0),
    timedelta(seconds=1),
    timedelta(hours=5),
    timedelta(days=1),
    timedelta(days=29),
    timedelta(days=30),
    timedelta(days=31),
    timedelta(days=40),
    timedelta(days=731),
    timedelta(days=1826),
]
TEXTS = st.sampled_from(["hello", "", "o'brien; DROP TABLE sessions;--", "naïve 🙂", "x" * 300])

Factory = Callable[[TestClock], App]


def pick(ids: list[str], i: int) -> str:
    return sorted(ids)[i % len(ids)]


def expect_error(kind: type[ConsentryError], call: Callable[[], Any]) -> None:
    try:
        call()
    except kind:
        return
    except ConsentryError as error:  # the wrong error is a failure
        raise AssertionError(f"expected {kind.__name__}, got {error!r}") from error
    raise AssertionError(f"expected {kind.__name__}, the call succeeded")


class ServiceMachine(RuleBasedStateMachine):
    """Subclassed per database with `factory` set; `steps` counts steps over all runs."""

    factory: Factory
    steps = 0
    histories = 0

    def __init__(self) -> None:
        super().__init__()
        self.clock = TestClock(START)
        self.app = type(self).factory(self.clock)
        self.ctx = self.app.ctx
        self.model = Model(now=START)
        self.manifests: dict[str, tuple[list[str], list[str]]] = {}
        type(self).histories += 1

    def teardown(self) -> None:
        self.app.engine.dispose()

    # -- helpers -----------------------------------------------------------------------
    def _step(self) -> None:
        type(self).steps += 1

    def _live_accounts(self) -> list[str]:
        return [a.id for a in self.model.accounts.values() if a.deleted_at is None]

    # -- accounts and choices (R3–R8, R15) ---------------------------------------------
    @rule(plan=st.sampled_from(PLANS), training=st.sampled_from(["on", "off", None]))
    def sign_up(self, plan: str, training: str | None) -> None:
        self._step()
        consumer = plan in ("free", "pro", "max")
        if consumer and training is None:
            expect_error(
                ChoiceMissing, lambda: accounts.sign_up(self.ctx, plan=plan, training=None)
            )
            return
        creds = accounts.sign_up(self.ctx, plan=plan, training=training)
        account = MAccount(creds.account_id, plan, self.model.now)
        self.model.accounts[account.id] = account
        if consumer:
            assert training is not None
            self.model.choose(account, training, "signup")

    @rule(plan=st.sampled_from(PLANS))
    def import_account(self, plan: str) -> None:
        self._step()
        creds = accounts.import_account(self.ctx, plan=plan)
        self.model.accounts[creds.account_id] = MAccount(creds.account_id, plan, self.model.now)

    @precondition(lambda self: self.model.accounts)
    @rule(i=st.integers(0, 10**6), training=st.sampled_from(["on", "off"]), notice=st.booleans())
    def choose(self, i: int, training: str, notice: bool) -> None:
        self._step()
        account = self.model.accounts[pick(list(self.model.accounts), i)]
        use_case = accounts.accept_notice if notice else accounts.record_choice

        def call() -> Any:
            return use_case(self.ctx, account_id=account.id, training=training)

        if account.deleted_at is not None:
            expect_error(Unauthenticated, call)
        elif not account.consumer:
            expect_error(NotApplicable, call)
        else:
            view = call()
            self.model.choose(account, training, "notice" if notice else "settings")
            assert view.training.value == training and view.notice is None and not view.blocked

    @precondition(lambda self: self.model.accounts)
    @rule(i=st.integers(0, 10**6))
    def defer(self, i: int) -> None:
        self._step()
        account = self.model.accounts[pick(list(self.model.accounts), i)]

        def call() -> Any:
            return accounts.defer_notice(self.ctx, account_id=account.id)

        if account.deleted_at is not None:
            expect_error(Unauthenticated, call)
        elif not account.consumer:
            expect_error(NotApplicable, call)
        elif not account.pending():
            expect_error(InvalidState, call)
        elif self.model.now >= DEADLINE:
            expect_error(DeadlinePassed, call)  # R6
        else:
            view = call()
            account.history.append(("deferral", None, "notice"))
            self.model.ledger_events += 1
            assert view.notice is not None and view.training.value == "unset"

    @precondition(lambda self: self._live_accounts())
    @rule(i=st.integers(0, 10**6))
    def delete_account(self, i: int) -> None:
        self._step()
        account = self.model.accounts[pick(self._live_accounts(), i)]
        accounts.delete_account(self.ctx, account_id=account.id)  # R7: never blocked
        self.model.delete_account(account)

    # -- the clock -----------------------------------------------------------------------
    @rule(step=st.sampled_from(STEPS))
    def advance(self, step: timedelta) -> None:
        self._step()
        self.model.now += step
        self.clock.set(self.model.now)

    # -- sessions, messages, feedback (R7, R9–R14) ---------------------------------------
    @precondition(lambda self: self.model.accounts)
    @rule(
        i=st.integers(0, 10**6),
        kind=st.sampled_from(["chat", "code"]),
        surface=st.sampled_from(CHAT_SURFACES),
        incognito=st.booleans(),
    )
    def start_session(self, i: int, kind: str, surface: str, incognito: bool) -> None:
        self._step()
        account = self.model.accounts[pick(list(self.model.accounts), i)]
        surface = "code" if kind == "code" and surface not in ("api",) else surface

        def call() -> sessions.SessionView:
            return sessions.start_session(
                self.ctx, account_id=account.id, kind=kind, surface=surface, incognito=incognito
            )

        if account.deleted_at is not None:
            expect_error(Unauthenticated, call)
            return
        if account.blocked(self.model.now):
            expect_error(ChoiceRequired, call)  # R7
            return
        view = call()
        session = MSession(
            view.session.id,
            account.id,
            kind,
            surface,
            incognito,
            self.model.session_scope_consumer(account, surface),
        )
        covered = self.model.activity_covered(session)
        session.activities.append((self.model.now, covered))
        self.model.sessions[session.id] = session
        assert view.covered == covered, "R9: coverage of the first activity"
        assert view.session.retain_until == session.retain_until(), "R12"
        assert (view.session.scope.value == "consumer") == session.consumer, "R1"

    @precondition(lambda self: self.model.sessions)
    @rule(
        i=st.integers(0, 10**6),
        role=st.sampled_from(["user", "assistant"]),
        text=TEXTS,
        as_other=st.booleans(),
    )
    def add_message(self, i: int, role: str, text: str, as_other: bool) -> None:
        """A message on an old session is a resume (R10)."""
        self._step()
        session = self.model.sessions[pick(list(self.model.sessions), i)]
        account = self.model.accounts[session.account_id]
        if as_other:  # another live account may never write here: 404 (SPEC §3)
            others = [a for a in self._live_accounts() if a != account.id]
            intruder = self.model.accounts[others[i % len(others)]] if others else None
            if intruder is not None and not intruder.blocked(self.model.now):
                expect_error(
                    NotFound,
                    lambda: sessions.add_message(
                        self.ctx,
                        account_id=intruder.id,
                        session_id=session.id,
                        role=role,
                        content=text,
                        author=Author.SERVICE if role == "assistant" else Author.ACCOUNT,
                    ),
                )
                return

        def call() -> Any:
            # Assistant replies come from the assistant's backend (issue 17 item 7).
            author = Author.SERVICE if role == "assistant" else Author.ACCOUNT
            return sessions.add_message(
                self.ctx,
                account_id=account.id,
                session_id=session.id,
                role=role,
                content=text,
                author=author,
            )

        if account.deleted_at is not None:
            expect_error(Unauthenticated, call)
        elif account.blocked(self.model.now):
            expect_error(ChoiceRequired, call)
        elif session.deleted_at is not None or session.purged:
            expect_error(NotFound, call)  # R14, R17: gone sessions take no new content
        else:
            message = call()
            covered = self.model.activity_covered(session)
            session.activities.append((self.model.now, covered))
            session.messages.append(MMessage(message.id, role, text, self.model.now))
            assert message.covered == covered, "R9/R10: coverage of a resumed session"

    @precondition(lambda self: self.model.sessions)
    @rule(i=st.integers(0, 10**6), rating=st.sampled_from(["up", "down"]), comment=TEXTS)
    def give_feedback(self, i: int, rating: str, comment: str) -> None:
        self._step()
        session = self.model.sessions[pick(list(self.model.sessions), i)]
        account = self.model.accounts[session.account_id]
        answers = [m for m in session.messages if m.role == "assistant"]
        target = answers[i % len(answers)].id if answers else None
        if target is None:
            users = [m for m in session.messages if m.role == "user"]
            if not users:
                return
            target = users[0].id

        def call() -> Any:
            return sessions.give_feedback(
                self.ctx,
                account_id=account.id,
                session_id=session.id,
                message_id=target,
                rating=rating,
                comment=comment,
            )

        if account.deleted_at is not None:
            expect_error(Unauthenticated, call)
        elif account.blocked(self.model.now):
            expect_error(ChoiceRequired, call)
        elif session.deleted_at is not None or session.purged:
            expect_error(NotFound, call)
        elif not answers:
            expect_error(InvalidInput, call)
        else:
            record = call()
            self.model.feedback[record.id] = MFeedback(
                record.id, account.id, session.id, self.model.now, account.training
            )

    @precondition(lambda self: self.model.sessions)
    @rule(i=st.integers(0, 10**6))
    def delete_session(self, i: int) -> None:
        self._step()
        session = self.model.sessions[pick(list(self.model.sessions), i)]
        account = self.model.accounts[session.account_id]

        def call() -> None:
            sessions.delete_session(self.ctx, account_id=account.id, session_id=session.id)

        if account.deleted_at is not None:
            expect_error(Unauthenticated, call)
        elif session.deleted_at is not None or session.purged:
            expect_error(NotFound, call)
        else:
            call()  # R7: deleting is never blocked
            self.model.delete_session(session)

    # -- holds and the sweeper (R16, R17) ---------------------------------------------
    @precondition(lambda self: self.model.sessions)
    @rule(i=st.integers(0, 10**6), kind=st.sampled_from(["legal", "safety"]), scores=st.booleans())
    def place_hold(self, i: int, kind: str, scores: bool) -> None:
        self._step()
        session = self.model.sessions[pick(list(self.model.sessions), i)]

        def call() -> Any:
            return retention.place_hold(
                self.ctx,
                session_id=session.id,
                kind=kind,
                scores={"abuse": 0.9} if scores else None,
            )

        if session.purged:
            expect_error(NotFound, call)
            return
        hold = call()
        self.model.holds[hold.id] = MHold(
            hold.id, session.id, kind, self.model.now, scores=scores and kind == "safety"
        )

    @precondition(lambda self: self.model.holds)
    @rule(i=st.integers(0, 10**6))
    def release_hold(self, i: int) -> None:
        self._step()
        hold = self.model.holds[pick(list(self.model.holds), i)]

        def call() -> None:
            retention.release_hold(self.ctx, hold_id=hold.id)

        if hold.released_at is not None:
            expect_error(NotFound, call)
        else:
            call()
            hold.released_at = self.model.now

    @rule(batch=st.sampled_from([1, 2, 1000]))
    def sweep(self, batch: int) -> None:
        self._step()
        result = retention.sweep_expired(self.ctx, batch_size=batch)
        expected = self.model.sweep()
        p = result.purged
        assert (p.sessions, p.messages, p.feedback, p.scores) == expected, "R17 purge counts"

    # -- training runs (R19–R23) ------------------------------------------------------
    @rule(purpose=st.sampled_from(["model_training", "safety_classifiers", "advertising"]))
    def create_run(self, purpose: str) -> None:
        self._step()
        if purpose == "advertising":
            expect_error(PurposeNotPermitted, lambda: runs.create_run(self.ctx, purpose=purpose))
            return  # R19
        run = runs.create_run(self.ctx, purpose=purpose)
        self.model.ledger_events += 1  # the run's run_manifest event (issue 21 item 4)
        want_sessions, want_feedback = self.model.expected_manifest(purpose)
        manifest = runs.get_manifest(self.ctx, run_id=run.id)
        got_sessions, got_feedback = set(manifest.sessions), set(manifest.feedback)
        assert got_sessions - want_sessions == set(), (
            f"R20: ineligible in run: {got_sessions - want_sessions}"
        )
        assert want_sessions - got_sessions == set(), (
            f"R20: eligible missing: {want_sessions - got_sessions}"
        )
        assert got_feedback == want_feedback, f"R23: {got_feedback ^ want_feedback}"
        assert run.cutoff == self.model.now
        assert run.sessions == len(want_sessions) and run.feedback == len(want_feedback)
        n_messages = sum(len(self.model.sessions[s].messages) for s in want_sessions)
        assert run.messages == n_messages, "R20: the run's messages up to the cutoff"
        self.model.runs[run.id] = MRun(
            run.id, purpose, run.cutoff, frozenset(want_sessions), frozenset(want_feedback)
        )
        self.manifests[run.id] = (manifest.sessions, manifest.feedback)

    @precondition(lambda self: self.model.runs)
    @rule(i=st.integers(0, 10**6))
    def start_run(self, i: int) -> None:
        self._step()
        run = self.model.runs[pick(list(self.model.runs), i)]

        def call() -> Any:
            return runs.start_run(self.ctx, run_id=run.id)

        if run.started:
            expect_error(InvalidState, call)
        else:
            assert call().status.value == "started"
            run.started = True

    # -- invariants, after every step -------------------------------------------------------
    @invariant()
    def manifests_never_change(self) -> None:
        """R21: a run's manifest is frozen at creation, whatever happens afterwards."""
        for run_id, (sessions_then, feedback_then) in self.manifests.items():
            now = runs.get_manifest(self.ctx, run_id=run_id)
            assert (now.sessions, now.feedback) == (sessions_then, feedback_then), run_id

    @invariant()
    def every_run_audits_clean(self) -> None:
        """R26: the audit recomputes eligibility at each cutoff and finds nothing."""
        for run_id in self.model.runs:
            report = runs.audit_run(self.ctx, run_id=run_id)
            assert report.ok, (run_id, report.findings)

    @invariant()
    def ledger_verifies_and_loses_nothing(self) -> None:
        """R27: the chain verifies and holds exactly the events the model appended."""
        result = verify_ledger(self.ctx)
        assert result.ok, result.problem
        assert result.events == self.model.ledger_events

    @invariant()
    def purged_content_is_gone_and_held_content_stays(self) -> None:
        """R16/R17: nothing readable once purged; nothing purged that a hold protects."""
        with self.ctx.uow() as uow:
            rows = dict(
                uow.store.conn.execute(
                    select(t.messages.c.session_id, func.count()).group_by(t.messages.c.session_id)
                ).all()
            )
            purged = set(
                uow.store.conn.execute(
                    select(t.sessions.c.id).where(t.sessions.c.purged_at.is_not(None))
                ).scalars()
            )
            fb_purged = set(
                uow.store.conn.execute(
                    select(t.feedback.c.id).where(t.feedback.c.purged_at.is_not(None))
                ).scalars()
            )
        model_purged = {s.id for s in self.model.sessions.values() if s.purged}
        assert purged == model_purged, f"R17: purged {purged ^ model_purged}"
        assert fb_purged == {f.id for f in self.model.feedback.values() if f.purged}
        for session in self.model.sessions.values():
            stored = rows.get(session.id, 0)
            if session.purged:
                assert stored == 0, f"R17: content of purged {session.id} still stored"
            else:
                assert stored == len(session.messages), f"content lost from {session.id}"
            if any(h.kind == "legal" for h in self.model.active_holds(session.id)):
                assert not session.purged  # R16 (the model's own sanity)

    @invariant()
    def exports_match_the_model(self) -> None:
        """R28 (and R14/R17 for reads): each live account's export is what the model holds."""
        for account in self.model.accounts.values():
            if account.deleted_at is not None:
                expect_error(
                    Unauthenticated,
                    lambda a=account: data_export.export_account(self.ctx, account_id=a.id),
                )
                continue
            doc = data_export.export_account(self.ctx, account_id=account.id)
            self._check_export(account, doc)

    def _check_export(self, account: MAccount, doc: dict[str, Any]) -> None:
        now = self.model.now
        assert doc["account"]["plan"] == account.plan
        privacy = doc["privacy"]
        assert privacy["training"] == account.training, "R3/R8"
        assert privacy["blocked"] == account.blocked(now), "R7"
        assert (privacy["notice"] is not None) == account.pending(), "R5"
        if privacy["notice"] is not None:
            assert privacy["notice"]["can_defer"] == (now < DEADLINE), "R6"
        history = [(e["type"], e["value"], e["source"]) for e in doc["consent_history"]]
        assert history == account.history, "R28: consent history"
        want = {s.id: s for s in self.model.readable_sessions(account.id)}
        got = {s["session_id"]: s for s in doc["sessions"]}
        assert set(got) == set(want), f"R14/R17/R28: sessions {set(got) ^ set(want)}"
        for sid, session in want.items():
            item = got[sid]
            assert item["retain_until"] == iso(session.retain_until()), f"R12 {sid}"
            assert item["covered"] == session.covered(), f"R10 {sid}"
            messages = [(m["message_id"], m["role"], m["content"]) for m in item["messages"]]
            assert messages == [(m.id, m.role, m.content) for m in session.messages], sid
        fb_want = {
            f.id
            for f in self.model.feedback.values()
            if f.account_id == account.id and f.deleted_at is None and not f.purged
        }
        assert {f["feedback_id"] for f in doc["feedback"]} == fb_want, "R28: feedback"
        runs_got = [r["run_id"] for r in doc["training_runs"]]
        assert sorted(runs_got) == sorted(self.model.runs_of(account.id)), "R21/R28: runs"
