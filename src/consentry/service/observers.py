"""What the use cases report once they have committed: the port metrics plug into.

Counting lives here, in the service, not in the HTTP routes (issue 20): a choice made on
a web page, through the API or by the CLI goes through the same use case, so it counts
once and alike. The API's Prometheus registry implements :class:`Observer`
(``entrypoints/api/metrics.py``) and ``create_app`` hands it to the service through
:class:`~consentry.service.context.Context`; elsewhere (CLI, tests) nothing observes.

Every call comes after the transaction that made the change has committed, so a
refused or rolled-back change is never counted.
"""

from __future__ import annotations

from typing import Protocol

from consentry.domain.types import ChoiceSource, Purpose, Training
from consentry.service.records import PurgeCounts


class Observer(Protocol):
    def choice_recorded(self, value: Training, source: ChoiceSource) -> None:
        """A training choice was recorded (R3): at sign-up, on the notice, in settings, by
        an import, or the final ``off`` of a deleted account (R15)."""
        ...

    def notice_deferred(self) -> None:
        """A pending notice was deferred ("Not now", R6)."""
        ...

    def run_created(self, purpose: Purpose) -> None:
        """A training run was created (R19, R20)."""
        ...

    def items_purged(self, counts: PurgeCounts) -> None:
        """One batch of the retention sweeper purged these items (R17)."""
        ...


class NoObserver:
    """Observes nothing: the default outside the HTTP application."""

    def choice_recorded(self, value: Training, source: ChoiceSource) -> None:
        pass

    def notice_deferred(self) -> None:
        pass

    def run_created(self, purpose: Purpose) -> None:
        pass

    def items_purged(self, counts: PurgeCounts) -> None:
        pass


NO_OBSERVER: Observer = NoObserver()
