"""R18 `shorten`: turning training off recomputes retention as if uncovered."""

from __future__ import annotations

from dataclasses import replace

import pytest

from consentry.domain.policy import DEFAULT_POLICY, OnOptOut, Policy
from consentry.service import retention
from tests.integration.service.conftest import World


@pytest.fixture
def policy() -> Policy:
    return replace(
        DEFAULT_POLICY, retention=replace(DEFAULT_POLICY.retention, on_opt_out=OnOptOut.SHORTEN)
    )


def test_opt_out_shortens_retention_when_configured_R18(world: World) -> None:
    uid = world.user(training="on")
    world.chat(uid)
    world.advance(days=10)
    world.choose(uid, "off")
    world.advance(days=20)
    assert retention.sweep_expired(world.ctx).purged.sessions == 1
