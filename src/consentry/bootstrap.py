"""The one wiring module: settings in, a ready :class:`Context` out."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from consentry.adapters.crypto.places import KeyPlaces
from consentry.adapters.crypto.store import CryptoUnitOfWork
from consentry.adapters.sql.engine import make_engine, refresh_statistics, upgrade
from consentry.adapters.sql.group_commit import enable_group_commit
from consentry.adapters.sql.uow import SqlUnitOfWork
from consentry.config.policy_file import load_policy
from consentry.config.sealing import SecretBox
from consentry.config.settings import Settings, crypto_shredding_on
from consentry.domain.clock import Clock, SystemClock, TestClock, parse_instant
from consentry.domain.policy import Policy
from consentry.service.context import Context
from consentry.service.keys import Shredder
from consentry.service.ledger_ports import CheckpointSigner
from consentry.service.observers import Observer


def shredder_for(settings: Settings) -> Shredder | None:
    """Crypto-shredding (issue 26), on with CONSENTRY_CRYPTO_SHREDDING=1: the key vault
    and purge log beside the secret key file (:mod:`consentry.adapters.crypto.places`)."""
    if not crypto_shredding_on():
        return None
    places = KeyPlaces.from_settings(settings)
    return Shredder(places.open_vault(), places.open_purge_log())


@dataclass(frozen=True)
class App:
    settings: Settings
    engine: Engine
    ctx: Context
    box: SecretBox
    """Seals the secrets stored in the database (issue 17 item 5)."""

    def observed_by(self, observer: Observer) -> App:
        """The same application whose use cases report to `observer` (metrics)."""
        return dataclasses.replace(self, ctx=dataclasses.replace(self.ctx, observer=observer))

    @property
    def test_clock(self) -> TestClock | None:
        clock = self.ctx.clock
        return clock if isinstance(clock, TestClock) else None


def build(
    settings: Settings,
    *,
    migrate: bool = True,
    clock: Clock | None = None,
    policy: Policy | None = None,
) -> App:
    """Open the database (upgrading it to the latest schema), load the policy, pick a clock."""
    if migrate:
        upgrade(settings.database_url)
    engine = make_engine(
        settings.database_url,
        statement_timeout_ms=settings.db_statement_timeout_ms,
        lock_timeout_ms=settings.db_lock_timeout_ms,
        sqlite_synchronous=settings.sqlite_synchronous,
    )
    if migrate and engine.dialect.name == "sqlite":
        refresh_statistics(engine)  # milliseconds; keeps SQLite's plans right (engine.py)
    if settings.sqlite_group_commit and engine.dialect.name == "sqlite":
        enable_group_commit(engine)  # issue 22: one fsync per group of writers
    if clock is None:
        clock = (
            TestClock(parse_instant(settings.test_clock, "the test clock"))
            if settings.test_clock
            else SystemClock()
        )

    box = SecretBox.from_settings(settings)  # the key file is made here on first start

    shredder = shredder_for(settings)  # issue 26: None unless CONSENTRY_CRYPTO_SHREDDING=1

    def uow(**kwargs: Any) -> SqlUnitOfWork:
        if shredder is None:
            return SqlUnitOfWork(engine, box=box, **kwargs)
        return CryptoUnitOfWork(engine, keys=shredder.keys, box=box, **kwargs)

    ctx = Context(
        uow=uow,
        policy=policy or load_policy(settings.policy_path),
        clock=clock,
        max_message_chars=settings.max_message_chars,
        signer=CheckpointSigner.from_pem_file(
            settings.signing_key_file, origin=settings.ledger_origin
        )
        if settings.signing_key_file
        else None,
        shredder=shredder,
    )
    return App(settings, engine, ctx, box)
