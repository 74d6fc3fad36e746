"""Clocks: the system clock, and a test clock that only moves forward when told."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Protocol

from consentry.domain.errors import ClockBackwards, InvalidInput


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class TestClock:
    """A frozen clock moved only by :meth:`set` (like a billing API's test clocks)."""

    __test__ = False  # not a pytest test class

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> datetime:
        instant = as_utc(instant)
        with self._lock:
            if instant < self._now:
                raise ClockBackwards(
                    f"the test clock is at {iso(self._now)}; it cannot move back to {iso(instant)}"
                )
            self._now = instant
            return self._now


def as_utc(instant: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def iso(instant: datetime) -> str:
    """ISO 8601 UTC with a ``Z`` suffix, microseconds kept when present."""
    text = as_utc(instant).isoformat()
    return text.replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


EARLIEST_YEAR, LATEST_YEAR = 1970, 9000
"""Instants given by people (a test clock, an `--at`) must lie in [1970, 9000): far enough
from datetime's limits that adding retention periods can never overflow."""


def parse_instant(text: str, what: str = "the instant") -> datetime:
    """:func:`parse_iso` for input: a clear `validation_error` instead of a traceback."""
    try:
        value = parse_iso(text)
    except (ValueError, OverflowError):
        raise InvalidInput(f"{what} must be an ISO 8601 instant, not {text!r}") from None
    if not EARLIEST_YEAR <= value.year < LATEST_YEAR:
        raise InvalidInput(
            f"{what} must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR - 1}"
        )
    return value
