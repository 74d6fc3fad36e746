"""A seeded population with every edge case, built through the real service layer.

Four phases, each on a later test-clock instant, with a lake export after each one so
the lake is built incrementally the way production builds it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from consentry.bootstrap import App
from consentry.domain.clock import TestClock
from consentry.domain.types import Author
from consentry.service import accounts, retention, sessions

TEXTS = (
    "hello there",
    "mail me at jane.doe@example.com please",
    "call +1 415 555 0134 tomorrow",
    "my key is sk-ant-api03-" + "a1B2c3D4e5F6g7H8i9J0" * 3,
    "card 4111 1111 1111 1111 exp 12/29",
    "connect postgres://admin:s3cretpw@db.internal:5432/prod",
    "server at 10.0.0.12 and 2001:db8::1",
    "plain words, nothing sensitive",
)


class Population:
    def __init__(self, app: App, clock: TestClock, seed: int = 7) -> None:
        self.ctx = app.ctx
        self.clock = clock
        self.rng = random.Random(seed)

    def advance(self, days: float) -> None:
        self.clock.set(self.clock.now() + timedelta(days=days))

    def text(self) -> str:
        return self.rng.choice(TEXTS)

    def user(self, plan: str = "pro", training: str | None = "on") -> str:
        return accounts.sign_up(self.ctx, plan=plan, training=training).account_id

    def chat(self, account: str, *, kind: str = "chat", **kw: object) -> str:
        view = sessions.start_session(self.ctx, account_id=account, kind=kind, **kw)  # type: ignore[arg-type]
        self.turn(account, view.session.id)
        return view.session.id

    def turn(self, account: str, session: str) -> str:
        sessions.add_message(
            self.ctx, account_id=account, session_id=session, role="user", content=self.text()
        )
        return sessions.add_message(
            self.ctx,
            account_id=account,
            session_id=session,
            role="assistant",
            content=self.text(),
            author=Author.SERVICE,  # the assistant's backend (issue 17 item 7)
        ).id

    def feedback(self, account: str, session: str, reply: str, comment: bool = True) -> None:
        sessions.give_feedback(
            self.ctx,
            account_id=account,
            session_id=session,
            message_id=reply,
            rating=self.rng.choice(["up", "down"]),
            comment=self.text() if comment else None,
        )


def build(app: App, clock: TestClock, *, per_case: int, export: Callable[[], None]) -> None:
    """Populate the store; `export` runs the lake export after each phase."""
    p = Population(app, clock)
    choose = accounts.record_choice
    later: list[Callable[[], None]] = []  # phase-2 actions
    last: list[Callable[[], None]] = []  # phase-3 actions
    final: list[Callable[[], None]] = []  # phase-4 actions
    for _ in range(per_case):
        # plain opted-in and opted-out users, chat and code sessions
        on = p.user("pro", "on")
        s = p.chat(on)
        p.feedback(on, s, p.turn(on, s))
        p.chat(on, kind="code")
        off = p.user("free", "off")
        p.chat(off)
        # resume: an old chat while unset, resumed after turning training on (R10)
        old = accounts.import_account(p.ctx, plan="free").account_id
        old_s = p.chat(old)
        untouched = p.chat(old)
        later.append(lambda a=old: choose(p.ctx, account_id=a, training="on"))
        last.append(lambda a=old, s=old_s: p.turn(a, s) and None)
        _ = untouched  # stays uncovered: no activity since training was turned on
        # opt-out after resume (R8, R20): covered, then off before the cutoff
        oo = accounts.import_account(p.ctx, plan="max").account_id
        oo_s = p.chat(oo)
        later.append(lambda a=oo: choose(p.ctx, account_id=a, training="on"))
        later.append(lambda a=oo, s=oo_s: p.turn(a, s) and None)
        last.append(lambda a=oo: choose(p.ctx, account_id=a, training="off"))
        # deleted session (R14) and deleted account (R15) with feedback
        ds = p.user("pro", "on")
        ds_s = p.chat(ds)
        p.chat(ds)
        later.append(
            lambda a=ds, s=ds_s: sessions.delete_session(p.ctx, account_id=a, session_id=s)
        )
        da = p.user("max", "on")
        da_s = p.chat(da)
        da_r = p.turn(da, da_s)
        p.feedback(da, da_s, da_r)
        last.append(lambda a=da: accounts.delete_account(p.ctx, account_id=a))
        # holds (R16): legal and safety, on opted-out and opted-in users; one released
        hl = p.user("free", "off")
        hl_s = p.chat(hl)
        retention.place_hold(p.ctx, session_id=hl_s, kind="legal")
        hs = p.user("pro", "off")
        hs_s = p.chat(hs)
        retention.place_hold(p.ctx, session_id=hs_s, kind="safety", scores={"abuse": 0.93})
        hr_s = p.chat(on)
        hold = retention.place_hold(p.ctx, session_id=hr_s, kind="safety")
        later.append(lambda h=hold.id: retention.release_hold(p.ctx, hold_id=h))
        # incognito (R11), commercial plan (R2) and commercial surface (R1)
        p.chat(on, incognito=True)
        team = p.user("team", None)
        p.chat(team)
        p.chat(on, surface="api")
        # feedback follows the setting (R23): given while on, then off; given while off
        fb = p.user("pro", "on")
        fb_s = p.chat(fb)
        fb_r = p.turn(fb, fb_s)
        p.feedback(fb, fb_s, fb_r)
        p.feedback(fb, fb_s, fb_r, comment=False)
        later.append(lambda a=fb: choose(p.ctx, account_id=a, training="off"))
        fo = p.user("free", "off")
        fo_s = p.chat(fo)
        fo_r = p.turn(fo, fo_s)
        p.feedback(fo, fo_s, fo_r)
        last.append(lambda a=fo: choose(p.ctx, account_id=a, training="on"))
        # expiring (R12): opted-out chats from phase 1 end before the cutoff
        ex = p.user("pro", "off")
        p.chat(ex)
        # more activity late in the timeline on an active session
        final.append(lambda a=on, s=s: p.turn(a, s) and None)
        final.append(lambda a=on: p.chat(a) and None)
        _ = (team,)
    export()
    for phase in (later, last, final):
        p.advance(11)
        for action in phase:
            action()
        export()
