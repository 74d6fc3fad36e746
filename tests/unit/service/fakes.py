"""In-memory implementations of the service's storage ports, for unit tests of the use
cases without a database (issue 20, as cosmicpython's fakes). Integration tests keep the
real SQLite and PostgreSQL adapters."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from consentry.service.ports import HoldStore
from consentry.service.records import HoldRecord


@dataclasses.dataclass
class HoldState:
    legal: bool
    keep_until: datetime | None


class InMemoryHolds:
    """:class:`~consentry.service.ports.HoldStore` in dictionaries."""

    def __init__(self) -> None:
        self.holds: dict[str, HoldRecord] = {}
        self.scores: dict[str, tuple[dict[str, float] | None, datetime | None]] = {}
        self.releases: dict[str, str] = {}
        self.state: dict[str, HoldState] = {}

    def insert_hold(
        self, hold: HoldRecord, *, scores: dict[str, float] | None, scores_until: datetime | None
    ) -> None:
        assert hold.id not in self.holds, "hold ids are unique"
        self.holds[hold.id] = hold
        self.scores[hold.id] = (scores, scores_until)

    def get_hold(self, hold_id: str) -> HoldRecord | None:
        return self.holds.get(hold_id)

    def release_hold(self, hold_id: str, at: datetime, *, release_id: str) -> None:
        self.holds[hold_id] = dataclasses.replace(self.holds[hold_id], released_at=at)
        self.releases[hold_id] = release_id

    def session_holds(self, session_id: str) -> list[HoldRecord]:
        mine = [h for h in self.holds.values() if h.session_id == session_id]
        return sorted(mine, key=lambda h: h.placed_at)

    def set_hold_state(self, session_id: str, *, legal: bool, keep_until: datetime | None) -> None:
        self.state[session_id] = HoldState(legal, keep_until)


def _conforms(fake: InMemoryHolds) -> HoldStore:
    return fake  # mypy checks the fake against the port
