"""Coverage (R9–R11): which activity, and so which session, the training choice covers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from consentry.domain.types import ActivityFact, ChoicePoint, Scope, Training


@dataclass(frozen=True, slots=True)
class CoverageDecision:
    covered: bool
    reason: str


def is_covered(*, scope: Scope, incognito: bool, training: Training) -> CoverageDecision:
    """R9: an activity is covered iff consumer scope, not incognito, and choice `on` now."""
    if scope is not Scope.CONSUMER:
        return CoverageDecision(False, "commercial scope is never covered (R2)")
    if incognito:
        return CoverageDecision(False, "incognito sessions are never covered (R11)")
    if training is not Training.ON:
        return CoverageDecision(False, f"training choice is {training} at this instant")
    return CoverageDecision(True, "consumer, not incognito, training on")


def choice_at(choices: Iterable[ChoicePoint], at: datetime) -> Training:
    """The choice in force at `at`: the latest choice made at or before it, else `unset`."""
    current = Training.UNSET
    latest: datetime | None = None
    for point in choices:
        if point.at <= at and (latest is None or point.at >= latest):
            current, latest = point.value, point.at
    return current


def first_covered_at(activities: Iterable[ActivityFact], at: datetime) -> datetime | None:
    """R10: the first covered activity at or before `at`, or None if the session is not covered."""
    covered = [a.at for a in activities if a.covered and a.at <= at]
    return min(covered) if covered else None
