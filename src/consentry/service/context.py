"""What every use case needs: a way to open a unit of work, the policy and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol

from consentry.domain.clock import Clock
from consentry.domain.policy import Policy
from consentry.service.keys import Shredder
from consentry.service.ledger_ports import CheckpointSigner, LedgerTreeStore
from consentry.service.observers import NO_OBSERVER, Observer
from consentry.service.ports import RunStore, Store


class UnitOfWork(Protocol):
    """The storage port: one transaction over the store and the run store."""

    @property
    def store(self) -> Store: ...
    @property
    def runs(self) -> RunStore: ...
    @property
    def ledger(self) -> LedgerTreeStore: ...

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...
    def freeze(self) -> None:
        """Take the transaction's snapshot now; with `barrier=True`, let held writers go."""
        ...


@dataclass(frozen=True)
class Context:
    uow: Callable[..., UnitOfWork]
    """Opens a unit of work. Keywords: `read_only=True` for reads (they never wait for a
    run), `single_read=True` for a read of one statement (no transaction around it),
    `consistent=True` for one snapshot across statements, `barrier=True` for run
    creation (writers held until `freeze()`). Writers read the clock inside it."""
    policy: Policy
    clock: Clock
    max_message_chars: int = 200_000
    """The longest message or feedback comment accepted (413 `too_large` above it)."""
    signer: CheckpointSigner | None = None
    """Signs ledger checkpoints (issue 21) when the service was given a key; else None."""
    observer: Observer = field(default=NO_OBSERVER)
    """Told of each committed choice, deferral, run and purge (metrics, issue 20)."""
    shredder: Shredder | None = None
    """Crypto-shredding (issue 26): the sweeper destroys purged items' data keys."""
