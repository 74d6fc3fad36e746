"""The worker threads of the account routes' blocking work (issue 22).

A ``def`` route with a ``def`` dependency costs FastAPI three hand-offs to anyio's thread
pool per request (the dependency, the route, the validation of its answer), each with a
capacity limiter, a cancel scope and run-var look-ups: ~70 µs of CPU each, more than
the work of a privacy read. :func:`in_worker` is one hand-off with
``run_in_executor`` to a pool of as many threads as anyio's default (40), the request's
context copied in, so the worker's log lines keep the request id.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_POOL = ThreadPoolExecutor(max_workers=40, thread_name_prefix="consentry-api")


async def in_worker(work: Callable[[], T]) -> T:
    """``work()`` in a worker thread, in the calling request's context."""
    run = functools.partial(contextvars.copy_context().run, work)
    return await asyncio.get_running_loop().run_in_executor(_POOL, run)
