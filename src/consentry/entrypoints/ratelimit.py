"""Per-address limits on failed authentication and on sign-ups (issue 17 item 4).

In-process sliding windows: each process of a deployment counts on its own, which is
enough to turn an online guessing attack from thousands of tries a second into a few
a minute. A client address is refused (429 ``rate_limited`` with ``Retry-After``) once
it has used its allowance within the window; refused attempts are not counted, so an
address is let in again at most one window after its last counted attempt. For failed
authentication the window is 60 s: the real admin, whose own address made no failures,
is never refused, and behind an attacker's address waits at most a minute after the
attack stops.

The client address is what the server sees (``request.client``): uvicorn takes it from
``X-Forwarded-For`` only when the connection comes from an address in
``forwarded_allow_ips`` (``serve --forwarded-allow-ips``, default 127.0.0.1 and ::1), so
set that to a TLS proxy's address.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from consentry.config.settings import Settings
from consentry.domain.errors import RateLimited

AUTH_WINDOW_S = 60.0
SIGNUP_WINDOW_S = 3600.0
MAX_ADDRESSES = 100_000
"""Addresses tracked per limiter; the least recently seen are forgotten beyond this."""


class SlidingWindow:
    """At most `limit` counted events per key in any `window_s` seconds; `limit` 0: off."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        max_keys: int = MAX_ADDRESSES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window_s, self._max_keys, self._clock = limit, window_s, max_keys, clock
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float | None:
        """Seconds until `key` may try again, or None when it may try now."""
        if self.limit <= 0:
            return None
        now = self._clock()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                return None
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) < self.limit:
                return None
            return events[0] + self.window_s - now

    def hit(self, key: str) -> None:
        """Count one event for `key` (the oldest falls out once `limit` are kept)."""
        if self.limit <= 0:
            return
        now = self._clock()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                events = self._events[key] = deque(maxlen=self.limit)
                while len(self._events) > self._max_keys:
                    self._events.popitem(last=False)
            else:
                self._events.move_to_end(key)
            events.append(now)

    def check(self, key: str, what: str) -> None:
        """Raise :class:`RateLimited` when `key` has used its allowance."""
        wait = self.retry_after(key)
        if wait is not None:
            raise RateLimited(
                f"too many {what} from this address; try again in {math.ceil(wait)} s",
                retry_after=math.ceil(wait),
            )


@dataclass(frozen=True)
class AbuseGuards:
    """The limiters one application shares between its API routes and its web pages."""

    auth_failures: SlidingWindow
    signups: SlidingWindow

    @classmethod
    def from_settings(cls, settings: Settings) -> AbuseGuards:
        return cls(
            auth_failures=SlidingWindow(settings.auth_failures_per_minute, AUTH_WINDOW_S),
            signups=SlidingWindow(settings.signups_per_hour, SIGNUP_WINDOW_S),
        )

    def before_auth(self, request: Request) -> None:
        """Refuse an address that failed too often, before its credential is looked at."""
        self.auth_failures.check(client_address(request), "failed authentications")

    def auth_failed(self, request: Request) -> None:
        self.auth_failures.hit(client_address(request))

    def sign_up(self, request: Request) -> None:
        """Count one sign-up attempt, refusing it when the address has used its hour's."""
        address = client_address(request)
        self.signups.check(address, "sign-ups")
        self.signups.hit(address)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
