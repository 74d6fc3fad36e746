"""R16: the session's purge is governed by its active holds, projected by
`service.retention.project_holds` through the `HoldStore` port (unit tests on the
in-memory fake; tests/integration covers the SQL adapter)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consentry.domain.policy import DEFAULT_POLICY
from consentry.domain.types import HoldKind
from consentry.service.records import HoldRecord
from consentry.service.retention import project_holds
from tests.unit.service.fakes import HoldState, InMemoryHolds

T0 = datetime(2025, 9, 1, tzinfo=UTC)
FLAGGED = DEFAULT_POLICY.retention.days("safety_flagged")


def hold(store: InMemoryHolds, hold_id: str, kind: HoldKind, at: datetime) -> None:
    store.insert_hold(HoldRecord(hold_id, "ses_1", kind, at, None), scores=None, scores_until=None)


def test_no_active_hold_leaves_the_purge_alone_R16() -> None:
    store = InMemoryHolds()
    hold(store, "hld_1", HoldKind.LEGAL, T0)
    store.release_hold("hld_1", T0 + timedelta(days=1), release_id="rel_1")
    project_holds(store, "ses_1", DEFAULT_POLICY)
    assert store.state["ses_1"] == HoldState(legal=False, keep_until=None)


def test_a_legal_hold_stops_the_purge_until_released_R16() -> None:
    store = InMemoryHolds()
    hold(store, "hld_1", HoldKind.LEGAL, T0)
    hold(store, "hld_2", HoldKind.SAFETY, T0 + timedelta(days=3))
    project_holds(store, "ses_1", DEFAULT_POLICY)
    assert store.state["ses_1"] == HoldState(
        legal=True, keep_until=T0 + timedelta(days=3) + FLAGGED
    )


def test_the_latest_active_safety_flag_sets_how_long_content_is_kept_R16() -> None:
    store = InMemoryHolds()
    hold(store, "hld_1", HoldKind.SAFETY, T0)
    hold(store, "hld_2", HoldKind.SAFETY, T0 + timedelta(days=10))
    store.release_hold("hld_2", T0 + timedelta(days=11), release_id="rel_1")
    project_holds(store, "ses_1", DEFAULT_POLICY)
    assert store.state["ses_1"] == HoldState(legal=False, keep_until=T0 + FLAGGED)
    hold(store, "hld_3", HoldKind.SAFETY, T0 + timedelta(days=20))
    project_holds(store, "ses_1", DEFAULT_POLICY)
    assert store.state["ses_1"].keep_until == T0 + timedelta(days=20) + FLAGGED
