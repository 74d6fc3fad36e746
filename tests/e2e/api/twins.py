"""Two accounts in one state, one on the fast paths and one on the general routing
(issue 22): the helpers of ``test_write_fast_paths.py``."""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from consentry.adapters.sql import tables as t
from consentry.bootstrap import App
from consentry.entrypoints.api import fast_routes
from consentry.entrypoints.api.app import create_app
from consentry.entrypoints.ratelimit import AbuseGuards, SlidingWindow
from tests.e2e.api.conftest import expect

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

FAST, GENERAL = ("203.0.113.7", 40000), ("198.51.100.2", 40000)
TOKEN_CASES: list[tuple[dict[str, str], bool]] = [
    ({}, False),
    ({"Authorization": "Basic abc"}, False),
    ({"Authorization": "Bearer "}, False),
    ({"Authorization": "Bearer not-a-token"}, True),
    ({"Authorization": "bearer not-a-token"}, True),
]
"""(headers, whether the fast path takes the request): no, another or an empty
credential goes to the general routing; a Bearer token of any case is the fast path's."""


class FakeTime:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def forced_general(app: ASGIApp) -> ASGIApp:
    """`app`, with every request marked for the general routing (no fast route)."""

    async def forced(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[fast_routes.GENERAL] = True
        await app(scope, receive, send)

    return forced


@dataclasses.dataclass
class Paths:
    """Two clients of one application, from two addresses: `fast` as deployed, `general`
    through the general routing; `served` lists the requests the fast paths answered;
    `swaps` pairs each id made on the fast side with its twin on the general side."""

    fast: TestClient
    general: TestClient
    served: list[str]
    engine: Engine
    swaps: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def twins(self, **body: Any) -> tuple[dict[str, str], dict[str, str]]:
        """Two accounts signed up alike: the fast side's headers, the general side's."""
        body = {"plan": "free", "training": "on", **body}
        made = [expect(c.post("/v1/accounts", json=body), 201) for c in (self.fast, self.general)]
        return self.paired(made)

    def paired(self, made: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, str]]:
        """The two sides' headers for two accounts made alike (their ids paired)."""
        self.swaps.append((made[0]["account_id"], made[1]["account_id"]))
        mine, theirs = ({"Authorization": f"Bearer {m['token']}"} for m in made)
        return mine, theirs

    def both(
        self,
        method: str,
        path: str,
        headers: tuple[dict[str, str], dict[str, str]],
        **sent: Any,
    ) -> tuple[httpx.Response, httpx.Response]:
        """The request on each side (each with its account's headers), compared: answers,
        and the rows and outbox events each one wrote."""
        mark = self._outbox_mark()
        extra = sent.pop("extra_headers", {})
        answers, events = [], []
        for client, own in zip((self.fast, self.general), headers, strict=True):
            answer = client.request(
                method,
                path,
                headers={"X-Request-ID": "req-write", **own, **extra},
                follow_redirects=False,
                **sent,
            )
            answers.append(answer)
            events.append(self._outbox_since(mark))
            mark = self._outbox_mark()
        fast, general = answers
        if fast.status_code == 201 and "session_id" in fast.json():
            self.swaps.append((fast.json()["session_id"], general.json()["session_id"]))
        self.same(fast, general)
        assert self._swapped(events[0]) == events[1]
        self.same_rows()
        return fast, general

    def _swapped(self, value: Any) -> Any:
        text = json.dumps(value, default=str)
        for mine, theirs in self.swaps:
            text = text.replace(mine, theirs)
        return json.loads(text)

    def same(self, fast: httpx.Response, general: httpx.Response) -> None:
        """Status, headers (names, values, order) and body byte for byte, the fast side's
        ids replaced by their twins."""
        assert fast.status_code == general.status_code
        assert fast.headers.multi_items() == general.headers.multi_items()
        assert self._swapped(fast.content.decode()) == general.content.decode()

    def same_rows(self) -> None:
        """Every row of each pair of accounts, ids aside: the account, its sessions and
        their activities, its consent events (the ledger's chain hashes cover the ids)."""
        for mine, theirs in self.swaps:
            if mine.startswith("acc"):
                assert self._swapped(self._rows(mine)) == self._rows(theirs)

    def _rows(self, account_id: str) -> list[str]:
        with self.engine.connect() as db:
            account = db.execute(select(t.accounts).where(t.accounts.c.id == account_id))
            owned = db.execute(select(t.sessions).where(t.sessions.c.account_id == account_id))
            activities = db.execute(
                select(t.activities)
                .join(t.sessions, t.sessions.c.id == t.activities.c.session_id)
                .where(t.sessions.c.account_id == account_id)
            )
            events = db.execute(
                select(t.consent_events).where(t.consent_events.c.account_id == account_id)
            )
            hidden = {"token_hash", "seq", "event_id", "prev_hash", "hash"}
            rows = [
                json.dumps(
                    {k: v for k, v in row.items() if k not in hidden and k != "id"}
                    | {"table": table},
                    default=str,
                    sort_keys=True,
                )
                for table, result in (
                    ("accounts", account),
                    ("sessions", owned),
                    ("activities", activities),
                    ("consent_events", events),
                )
                for row in result.mappings()
            ]
        return sorted(rows)

    def _outbox_mark(self) -> int:
        with self.engine.connect() as db:
            return int(db.execute(select(func.coalesce(func.max(t.outbox.c.id), 0))).scalar_one())

    def _outbox_since(self, mark: int) -> list[list[str]]:
        with self.engine.connect() as db:
            rows = db.execute(
                select(t.outbox.c.type, t.outbox.c.payload)
                .where(t.outbox.c.id > mark)
                .order_by(t.outbox.c.id)
            )
            return [[row.type, row.payload] for row in rows]


def make_paths(
    core: App, url: str, served: list[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Paths]:
    app = create_app(core)
    app.state.guards = AbuseGuards(
        auth_failures=SlidingWindow(core.settings.auth_failures_per_minute, 60, clock=FakeTime()),
        signups=SlidingWindow(core.settings.signups_per_hour, 3600, clock=FakeTime()),
    )
    original = fast_routes.BearerWriteRoute.handle

    async def spy(self: Any, scope: Scope, receive: Receive, send: Send) -> None:
        await original(self, scope, receive, send)
        if fast_routes.GENERAL not in scope:
            served.append(f"{scope['method']} {scope['path']}")

    monkeypatch.setattr(fast_routes.BearerWriteRoute, "handle", spy)
    engine = create_engine(url)
    try:
        with TestClient(app, client=FAST) as fast:
            yield Paths(fast, TestClient(forced_general(app), client=GENERAL), served, engine)
    finally:
        engine.dispose()
