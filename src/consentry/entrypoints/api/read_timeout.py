"""A deadline for reading each request off the socket (issue 17: stalled bodies).

uvicorn (0.55, both its httptools and h11 protocols) times out only an idle keep-alive
connection *between* requests: a client that opens a connection and sends nothing, sends
its headers a byte at a time (slowloris), or sends the headers and part of a body and
then stalls, holds the connection, its buffers and an application task for ever.

:func:`with_read_deadline` wraps uvicorn's HTTP protocol class: a request must arrive in
full, headers and body, within ``read_timeout_s`` seconds of its first byte (of the
connection, for the first request). It is a deadline, not an idle timer, so trickling
one byte a second does not keep a connection alive. Past it the connection is closed;
while the headers are still incomplete the client gets ``408 Request Timeout`` first
(once a request has reached the application, the application sees a disconnect).
The default, 30 s, lets the largest allowed body through at about 80 kB/s.

``consentry serve`` builds the class from its settings. Deployments that run uvicorn
themselves (``uvicorn --factory …:app_from_env``) name :data:`ReadDeadlineProtocol`:
``--http consentry.entrypoints.api.read_timeout:ReadDeadlineProtocol``, which takes its
deadline from ``CONSENTRY_READ_TIMEOUT_S`` when the module is imported.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, cast

from uvicorn.protocols.http.auto import AutoHTTPProtocol

log = logging.getLogger("consentry.api")

DEFAULT_READ_TIMEOUT_S = 30
_TIMEOUT_408 = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: 16\r\n\r\nrequest timeout\n"
)


def with_read_deadline(
    read_timeout_s: float, base: type[asyncio.Protocol] = AutoHTTPProtocol
) -> type[asyncio.Protocol]:
    """A subclass of uvicorn's protocol `base` that closes a connection whose request
    has not arrived in full within `read_timeout_s` seconds of its first byte."""
    if read_timeout_s <= 0:
        raise ValueError("read_timeout_s must be positive")
    name = f"ReadDeadline{base.__name__}"
    made = type(name, (_ReadDeadline, base), {"read_timeout_s": read_timeout_s})
    made.__qualname__ = name
    return cast(type[asyncio.Protocol], made)


# uvicorn's protocol classes are untyped at this level (cycle, transport, loop are set
# in their __init__/connection_made); `Any` keeps the overrides honest and small.
_Protocol: Any = object


class _ReadDeadline(_Protocol):  # type: ignore[misc]
    """The deadline, mixed in before uvicorn's protocol class by :func:`with_read_deadline`."""

    read_timeout_s: float
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self._waiting_for_request():
            self._arm()  # the first byte of the next request on a kept-alive connection
        super().data_received(data)
        if not self._waiting_for_request():
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        cycle = getattr(self, "cycle", None)
        if cycle is not None and not cycle.response_complete and cycle.more_body:
            self._arm()  # a pipelined request whose body is still coming

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _waiting_for_request(self) -> bool:
        """True while bytes of a request are still due: no request yet, the last
        one answered (the next may be starting), or a body still coming."""
        cycle = getattr(self, "cycle", None)
        return cycle is None or bool(cycle.response_complete) or bool(cycle.more_body)

    def _arm(self) -> None:
        self._disarm()
        loop = asyncio.get_running_loop()
        self._deadline = loop.call_later(self.read_timeout_s, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        transport = cast(asyncio.Transport, self.transport)
        if transport.is_closing():
            return
        cycle = getattr(self, "cycle", None)
        headers_pending = cycle is None or bool(cycle.response_complete)
        log.warning(
            "closed a connection whose request did not arrive within %s s (%s)",
            self.read_timeout_s,
            "headers" if headers_pending else "body",
        )
        if headers_pending:
            transport.write(_TIMEOUT_408)
        transport.close()


def read_timeout_from_env() -> int:
    """``CONSENTRY_READ_TIMEOUT_S`` (whole seconds, 1 or more), else the default."""
    raw = os.environ.get("CONSENTRY_READ_TIMEOUT_S") or str(DEFAULT_READ_TIMEOUT_S)
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(
            f"CONSENTRY_READ_TIMEOUT_S must be a whole number of seconds >= 1, not {raw!r}"
        )
    return value


ReadDeadlineProtocol = with_read_deadline(read_timeout_from_env())
"""The protocol class for ``uvicorn --http`` (see the module docstring)."""
