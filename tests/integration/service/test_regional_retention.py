"""Retention periods per region through the service and the SQL store (docs/rules.md
P21), on SQLite and PostgreSQL: the stored retention and purge instants of an account
of a shortened region equal the domain's, and the sweeper purges its sessions then while
another region's stay."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from consentry.adapters.sql import tables as t
from consentry.domain.policy import (
    DEFAULT_POLICY,
    GpcMode,
    JurisdictionPolicy,
    OnOptOut,
    Policy,
    RuleSet,
    SignupPreset,
)
from consentry.domain.retention import purge_due, retain_until
from consentry.service import accounts, jurisdiction, retention
from tests.integration.service.conftest import World

SHORT = RuleSet("short", True, SignupPreset.NONE, GpcMode.RECORD, None, 365, 7)


@pytest.fixture
def policy() -> Policy:
    """The default policy with `on_opt_out = shorten` and DE (only) shortened (P21)."""
    return replace(
        DEFAULT_POLICY,
        retention=replace(DEFAULT_POLICY.retention, on_opt_out=OnOptOut.SHORTEN),
        jurisdictions=JurisdictionPolicy(
            rule_sets=(*DEFAULT_POLICY.jurisdictions.rule_sets, SHORT),
            regions=(*DEFAULT_POLICY.jurisdictions.regions, ("DE", "short")),
        ),
    )


def _user(world: World, region: str | None, training: str = "on") -> str:
    return accounts.sign_up(world.ctx, plan="pro", training=training, region=region).account_id


def _stored(world: World, session_id: str) -> tuple[object, object]:
    s = t.sessions.c
    with world.app.engine.connect() as conn:
        row = conn.execute(
            select(s.retain_until, s.purge_at, s.purged_at).where(s.id == session_id)
        ).one()
    return row.retain_until, row.purge_at


def _derived(world: World, session_id: str) -> tuple[object, object]:
    with world.ctx.uow() as uow:
        facts = uow.runs.one_session_facts(session_id)
    assert facts is not None
    until = retain_until(
        scope=facts.scope,
        incognito=facts.incognito,
        activities=facts.activities,
        choices=facts.choices,
        policy=world.ctx.policy,
        auto_delete=facts.auto_delete,
        region=facts.region,
    )
    assert until is not None
    due = purge_due(
        retain_until=until,
        deleted_at=facts.deleted_at,
        holds=facts.holds,
        policy=world.ctx.policy,
        at=world.clock.now(),
    )
    return until, due.due_at


def test_stored_purge_instants_follow_the_accounts_region_P21_R12_R18(world: World) -> None:
    """P21 (R12, R18 `shorten`): a DE account's covered chat is kept 365 days, a French
    one's 1825; after an opt-out DE's is kept 7 days from its last activity, France's 30.
    The stored `retain_until`/`purge_at` equal the domain's over the stored history, and
    privacy settings state the account's own days."""
    de, fr = _user(world, "DE"), _user(world, "FR")
    de_chat, fr_chat = world.chat(de), world.chat(fr)
    start = world.clock.now()
    assert _stored(world, de_chat)[0] == start + timedelta(days=365)
    assert _stored(world, fr_chat)[0] == start + timedelta(days=1825)
    for chat in (de_chat, fr_chat):
        assert _stored(world, chat) == _derived(world, chat)
    assert accounts.get_privacy(world.ctx, account_id=de).retention_days == 365
    assert accounts.get_privacy(world.ctx, account_id=fr).retention_days == 1825
    world.advance(days=1)
    world.choose(de, "off")
    world.choose(fr, "off")
    assert _stored(world, de_chat)[0] == start + timedelta(days=7)
    assert _stored(world, fr_chat)[0] == start + timedelta(days=30)
    for chat in (de_chat, fr_chat):
        assert _stored(world, chat) == _derived(world, chat)


def test_the_sweeper_purges_a_shortened_regions_session_at_its_time_P21_R17(
    world: World,
) -> None:
    """P21/R17: with training off, a DE chat is purged once its 7 days have passed while
    a US chat of the same age (30 days, the policy's) stays; the US one goes after 30."""
    de, us = _user(world, "DE", "off"), _user(world, "US", "off")
    de_chat, us_chat = world.chat(de), world.chat(us)
    world.advance(days=7, seconds=1)
    assert retention.sweep_expired(world.ctx).purged.sessions == 1
    s = t.sessions.c
    with world.app.engine.connect() as conn:
        purged = dict(
            conn.execute(select(s.id, s.purged_at).where(s.id.in_([de_chat, us_chat]))).all()
        )
    assert purged[de_chat] is not None and purged[us_chat] is None
    world.advance(days=23)
    assert retention.sweep_expired(world.ctx).purged.sessions == 1


def test_pages_state_the_signed_in_accounts_days_P21(world: World) -> None:
    """P21: the retention the pages render from (`retention` in their context) has the
    account's region's days; nobody signed in, or another region, the policy's."""
    de, us = _user(world, "DE"), _user(world, "US")
    with world.ctx.uow(read_only=True) as uow:
        de_account, us_account = uow.store.get_account(de), uow.store.get_account(us)
    policy = world.ctx.policy
    shown = jurisdiction.retention_of(policy, de_account)
    assert (shown.training_on, shown.standard, shown.periods.standard.days) == (365, 7, 7)
    assert shown.on_opt_out is policy.retention.on_opt_out
    assert jurisdiction.retention_of(policy, us_account) == policy.retention
    assert jurisdiction.retention_of(policy, None) == policy.retention
