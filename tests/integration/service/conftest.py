"""Helpers for service-layer tests: a user in one call, the clock moved in days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consentry.bootstrap import App
from consentry.domain.clock import TestClock
from consentry.domain.types import Author
from consentry.service import accounts, sessions


class World:
    """A thin driver over the use cases, so tests read like the rules."""

    def __init__(self, app: App, clock: TestClock) -> None:
        self.app = app
        self.ctx = app.ctx
        self.clock = clock

    def advance(self, days: float = 0, **kw: float) -> None:
        self.clock.set(self.clock.now() + timedelta(days=days, **kw))

    def user(self, plan: str = "pro", training: str | None = "on") -> str:
        return accounts.sign_up(self.ctx, plan=plan, training=training).account_id

    def imported(self, plan: str = "free") -> str:
        return accounts.import_account(self.ctx, plan=plan).account_id

    def choose(self, account_id: str, training: str) -> None:
        accounts.record_choice(self.ctx, account_id=account_id, training=training)

    def chat(self, account_id: str, text: str = "hello", **kw: object) -> str:
        view = sessions.start_session(self.ctx, account_id=account_id, kind="chat", **kw)  # type: ignore[arg-type]
        self.say(account_id, view.session.id, text)
        return view.session.id

    def say(self, account_id: str, session_id: str, text: str, role: str = "user") -> str:
        """Assistant replies are written by the assistant's backend (issue 17 item 7)."""
        author = Author.SERVICE if role == "assistant" else Author.ACCOUNT
        return sessions.add_message(
            self.ctx,
            account_id=account_id,
            session_id=session_id,
            role=role,
            content=text,
            author=author,
        ).id


@pytest.fixture
def world(app: App, clock: TestClock) -> World:
    return World(app, clock)
