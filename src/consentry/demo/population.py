"""The synthetic population: a deterministic plan of what each account does, and when.

A plan holds only what the service would accept: the generator walks each account's
timeline and asks the pure rules (:func:`consentry.domain.notice.gate`) whether an
activity is allowed at its instant, so a blocked imported user (R7) simply has no
activity until they choose. The same plan is then either replayed through the service
layer (:mod:`consentry.demo.replay`) or turned into rows directly
(:mod:`consentry.demo.simulate`, :mod:`consentry.demo.bulk`).

Every account draws from its own random stream (seed, ordinal), so a population is the
same whatever the batch size or order it is built in. Times are whole epoch seconds;
account-level events apply before activities of the same second.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

from consentry.demo.texts import TextMaker
from consentry.domain.notice import PrivacyState, current_terms, gate
from consentry.domain.policy import Policy, TermsVersion
from consentry.domain.scope import account_scope
from consentry.domain.types import Author, Plan, Scope, SessionKind, Surface, Training


def author_of(role: str) -> Author:
    """The demo plays the assistant's backend: its replies are written with a service
    token, the user's messages with the account's own (issue 17 item 7)."""
    return Author.SERVICE if role == "assistant" else Author.ACCOUNT


DAY = 86_400


def epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class Mix:
    """The shape of a population; every probability is per account or per session."""

    start: datetime = datetime(2025, 6, 1, tzinfo=UTC)
    until: datetime = datetime(2025, 12, 31, tzinfo=UTC)
    plans: tuple[tuple[Plan, float], ...] = (
        (Plan.FREE, 45),
        (Plan.PRO, 24),
        (Plan.MAX, 12),
        (Plan.TEAM, 6),
        (Plan.ENTERPRISE, 4),
        (Plan.EDUCATION, 2),
        (Plan.GOV, 1),
        (Plan.API, 6),
    )
    consumer_surfaces: tuple[tuple[Surface, float], ...] = (
        (Surface.WEB, 45),
        (Surface.DESKTOP, 15),
        (Surface.MOBILE, 25),
        (Surface.CODE, 10),
        (Surface.API, 3),
        (Surface.BEDROCK, 1),
        (Surface.VERTEX, 1),
    )
    commercial_surfaces: tuple[tuple[Surface, float], ...] = (
        (Surface.WEB, 20),
        (Surface.CODE, 20),
        (Surface.API, 40),
        (Surface.BEDROCK, 10),
        (Surface.VERTEX, 10),
    )
    imported: float = 0.5
    """Share of consumer accounts that existed before the terms (imported, choice unset)."""
    signup_on: float = 0.6
    notice_on: float = 0.7
    defer: float = 0.4
    never_choose: float = 0.08
    toggle: float = 0.15
    delete_account: float = 0.02
    sessions: float = 10.0
    """Mean sessions per account (geometric-ish spread)."""
    messages: float = 10.0
    """Mean messages per session (always at least two: a question and an answer)."""
    exact_counts: bool = False
    """Every account gets exactly `sessions` sessions of exactly `messages` messages
    (before the gate drops blocked activity): for benchmarks that need known sizes."""
    incognito: float = 0.05
    resume: float = 0.1
    feedback: float = 0.08
    delete_session: float = 0.05
    safety_hold: float = 0.003
    legal_hold: float = 0.001
    release_legal: float = 0.5


@dataclass(frozen=True, slots=True)
class ConsentStep:
    at: int
    type: str  # "choice" | "deferral"
    value: Training | None
    source: str


@dataclass(slots=True)
class FeedbackPlan:
    at: int
    message_no: int
    rating: str
    comment: str | None


@dataclass(slots=True)
class HoldPlan:
    hold_no: int
    at: int
    kind: str
    scores: dict[str, float] | None
    released_at: int | None


@dataclass(slots=True)
class SessionPlan:
    no: int
    kind: SessionKind
    surface: Surface
    incognito: bool
    start: int
    times: list[int]
    texts: list[str]
    roles: list[str]
    feedback: list[FeedbackPlan] = field(default_factory=list)
    holds: list[HoldPlan] = field(default_factory=list)
    deleted_at: int | None = None


@dataclass(slots=True)
class AccountPlan:
    ordinal: int
    plan: Plan
    scope: Scope
    origin: str  # "signup" | "import"
    created_at: int
    consent: list[ConsentStep]
    sessions: list[SessionPlan]
    deleted_at: int | None = None


def _pick(rng: random.Random, weighted: tuple[tuple[Plan, float], ...]) -> Plan:
    total = sum(w for _, w in weighted)
    roll = rng.random() * total
    for value, weight in weighted:
        roll -= weight
        if roll < 0:
            return value
    return weighted[-1][0]


def _pick_surface(rng: random.Random, weighted: tuple[tuple[Surface, float], ...]) -> Surface:
    total = sum(w for _, w in weighted)
    roll = rng.random() * total
    for value, weight in weighted:
        roll -= weight
        if roll < 0:
            return value
    return weighted[-1][0]


def _count(rng: random.Random, mean: float, minimum: int) -> int:
    if mean <= minimum:
        return minimum
    return minimum + int(rng.expovariate(1.0 / (mean - minimum)))


class _Timeline:
    """The account's privacy state at any instant, from its consent steps (for the gate)."""

    def __init__(self, scope: Scope, consent: list[ConsentStep], policy: Policy) -> None:
        self.scope = scope
        self.policy = policy
        choices = [c for c in consent if c.type == "choice"]
        self.times = [c.at for c in choices]
        self.values = [c.value for c in choices]
        self.terms = [current_terms(policy, instant(c.at)).version for c in choices]

    def training(self, at: int) -> Training:
        if self.scope is Scope.COMMERCIAL:
            return Training.NOT_APPLICABLE
        i = bisect.bisect_right(self.times, at)
        value = self.values[i - 1] if i else None
        return value if value is not None else Training.UNSET

    def blocked(self, at: int) -> bool:
        if self.scope is Scope.COMMERCIAL:
            return False
        i = bisect.bisect_right(self.times, at)
        state = PrivacyState(
            scope=self.scope,
            training=self.training(at),
            terms_accepted=self.terms[i - 1] if i else None,
        )
        return gate(state, self.policy, instant(at)).blocked


def plan_account(
    ordinal: int, *, seed: int, mix: Mix, policy: Policy, texts: TextMaker
) -> AccountPlan:
    """One account's whole history, drawn from its own random stream.

    The helpers draw from `rng` in a fixed order: the same seed gives the same history."""
    rng = random.Random(seed * 1_000_003 + ordinal)
    until = epoch(mix.until)
    plan = _pick(rng, mix.plans)
    scope = account_scope(plan, policy)
    created, origin, consent = _consent_steps(rng, mix, scope, current_terms(policy, mix.until))
    deleted_at: int | None = None
    if rng.random() < mix.delete_account:
        t = rng.randrange(created + 2, until)
        deleted_at = t - t % 2
        consent = [c for c in consent if c.at < deleted_at]
    timeline = _Timeline(scope, consent, policy)
    end = deleted_at if deleted_at is not None else until
    n_sessions = int(mix.sessions) if mix.exact_counts else _count(rng, mix.sessions, 1)
    sessions: list[SessionPlan] = []
    hold_no = 0
    for no in range(n_sessions):
        at = rng.randrange(created + 1, end) | 1
        if at >= end or timeline.blocked(at):
            continue
        weights = mix.consumer_surfaces if scope is Scope.CONSUMER else mix.commercial_surfaces
        surface = _pick_surface(rng, weights)
        kind = SessionKind.CODE if surface is Surface.CODE else SessionKind.CHAT
        incognito = kind is SessionKind.CHAT and rng.random() < mix.incognito
        session = SessionPlan(no, kind, surface, incognito, at, [], [], [])
        _add_messages(rng, session, end, mix, timeline, texts)
        last = session.times[-1] if session.times else at
        if rng.random() < mix.delete_session and last + 3 < end:
            session.deleted_at = rng.randrange(last + 2, end) | 1
        _add_feedback(rng, session, end, mix, timeline, texts)
        hold_no = _add_holds(rng, session, last, end, mix, hold_no)
        sessions.append(session)
    return AccountPlan(ordinal, plan, scope, origin, created, consent, sessions, deleted_at)


def _consent_steps(
    rng: random.Random, mix: Mix, scope: Scope, terms: TermsVersion
) -> tuple[int, str, list[ConsentStep]]:
    """When and how the account came (signed up, or imported and shown the notice), and
    its consent steps: deferrals, the first choice, perhaps one change in settings."""
    start, until = epoch(mix.start), epoch(mix.until)
    published, deadline = epoch(terms.published_at), epoch(terms.deadline)
    consent: list[ConsentStep] = []
    latest_import = min(deadline, until) - DAY
    imported = scope is Scope.CONSUMER and rng.random() < mix.imported and start + 2 < latest_import
    if imported:
        created = rng.randrange(start, latest_import)
        created -= created % 2  # account events at even seconds, activity at odd ones
        t = max(created, published) + 2
        if rng.random() < mix.defer:
            for _ in range(rng.randrange(1, 3)):
                t += 2 * rng.randrange(DAY // 2, 10 * DAY)
                if t < deadline:
                    consent.append(ConsentStep(t, "deferral", None, "notice"))
        if rng.random() >= mix.never_choose:
            t += 2 * rng.randrange(DAY // 4, 30 * DAY)
            if t < until:
                value = Training.ON if rng.random() < mix.notice_on else Training.OFF
                consent.append(ConsentStep(t, "choice", value, "notice"))
        origin = "import"
    else:
        created = rng.randrange(start, until - DAY)
        created -= created % 2
        origin = "signup"
        if scope is Scope.CONSUMER:
            value = Training.ON if rng.random() < mix.signup_on else Training.OFF
            consent.append(ConsentStep(created, "choice", value, "signup"))
    if scope is Scope.CONSUMER and consent and rng.random() < mix.toggle:
        last = consent[-1].at
        if last + 4 < until:
            t = rng.randrange(last + 2, until - 1)
            t -= t % 2
            now_on = consent[-1].value is Training.ON if consent[-1].type == "choice" else False
            value = Training.OFF if now_on else Training.ON
            consent.append(ConsentStep(t, "choice", value, "settings"))
    return created, origin, consent


def _add_messages(
    rng: random.Random,
    session: SessionPlan,
    end: int,
    mix: Mix,
    timeline: _Timeline,
    texts: TextMaker,
) -> None:
    """The session's messages, user and assistant in turn, none while the gate blocks."""
    n_messages = int(mix.messages) if mix.exact_counts else _count(rng, mix.messages, 2)
    t = session.start
    for i in range(n_messages):
        gap = rng.randrange(DAY, 60 * DAY) if rng.random() < mix.resume else rng.randrange(4, 600)
        t += gap + (gap % 2)
        if t >= end:
            break
        if timeline.blocked(t):
            continue
        assistant = i % 2 == 1
        session.times.append(t)
        session.roles.append("assistant" if assistant else "user")
        session.texts.append(
            texts.message(rng, code=session.kind is SessionKind.CODE, assistant=assistant)
        )


def _add_feedback(
    rng: random.Random,
    session: SessionPlan,
    end: int,
    mix: Mix,
    timeline: _Timeline,
    texts: TextMaker,
) -> None:
    """Perhaps a rating of one of the assistant's answers, before the session is deleted."""
    stop = session.deleted_at if session.deleted_at is not None else end
    answers = [i for i, r in enumerate(session.roles) if r == "assistant"]
    if answers and rng.random() < mix.feedback:
        i = rng.choice(answers)
        t = session.times[i] + 2 * rng.randrange(1, 60)
        if t < stop and not timeline.blocked(t):
            rating = "up" if rng.random() < 0.7 else "down"
            session.feedback.append(FeedbackPlan(t, i, rating, texts.comment(rng)))


def _add_holds(
    rng: random.Random, session: SessionPlan, last: int, end: int, mix: Mix, hold_no: int
) -> int:
    """Perhaps a safety hold (with scores) and a legal hold (perhaps released) after the
    session's last message; returns the account's next hold number."""
    for kind_name, rate in (("safety", mix.safety_hold), ("legal", mix.legal_hold)):
        if rng.random() < rate and last + 3 < end:
            t = rng.randrange(last + 2, end) | 1
            scores = (
                {"violence": round(rng.random(), 3), "self_harm": round(rng.random(), 3)}
                if kind_name == "safety"
                else None
            )
            released = None
            if kind_name == "legal" and rng.random() < mix.release_legal and t + 3 < end:
                released = rng.randrange(t + 2, end) | 1
            session.holds.append(HoldPlan(hold_no, t, kind_name, scores, released))
            hold_no += 1
    return hold_no
