"""Fixtures for the use cases on the in-memory fakes (issue 20): one store and a context
whose unit of work opens on it, with a test clock at :data:`T0`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from consentry.domain.clock import TestClock
from consentry.domain.policy import DEFAULT_POLICY
from consentry.service.context import Context
from tests.unit.service.fake_uow import FakeUnitOfWork, InMemoryStore

T0 = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def fake_store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def fake_ctx(fake_store: InMemoryStore) -> Context:
    return Context(uow=FakeUnitOfWork(fake_store), policy=DEFAULT_POLICY, clock=TestClock(T0))


def move_clock(ctx: Context, instant: datetime) -> datetime:
    """Move the context's test clock forward to `instant`."""
    assert isinstance(ctx.clock, TestClock)
    return ctx.clock.set(instant)
