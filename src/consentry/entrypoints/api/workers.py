"""The worker threads of the account routes' blocking work (issue 22).

A ``def`` route with a ``def`` dependency costs FastAPI three hand-offs to anyio's thread
pool per request (the dependency, the route, the validation of its answer), each with a
capacity limiter, a cancel scope and run-var look-ups: ~70 µs of CPU each, more than
the work of a privacy read. :func:`in_worker` is one hand-off, the request's context
copied in, so the worker's log lines keep the request id.

The hand-off is a job on a queue that up to 40 threads (anyio's default number) take from,
whose result comes back to the event loop with one ``call_soon_threadsafe``: about half
the CPU of ``loop.run_in_executor`` on a ``ThreadPoolExecutor`` (its executor future,
``wrap_future``, the state copied between the two futures, the executor's lock and idle
semaphore). A job whose caller was cancelled before it started is not run, as with an
executor; at interpreter exit the threads finish the jobs already given to them.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import contextvars
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

WORKERS = 40
_Job = Callable[[], None] | None


class _Pool:
    """Up to `WORKERS` daemon threads named ``consentry-api_N``; one more is started
    only when a job finds none idle (as ``ThreadPoolExecutor`` does)."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []
        self.idle = threading.Semaphore(0)
        self.lock = threading.Lock()

    def put(self, job: Callable[[], None]) -> None:
        self.jobs.put(job)
        if not self.idle.acquire(blocking=False) and len(self.threads) < WORKERS:
            with self.lock:
                name = f"consentry-api_{len(self.threads)}"
                thread = threading.Thread(target=self._work, name=name, daemon=True)
                thread.start()
                self.threads.append(thread)

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            job()
            self.idle.release()

    def stop(self) -> None:
        """Let every thread finish the jobs before it, then end (at interpreter exit)."""
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()
        self.threads = []


_POOL = _Pool()
atexit.register(lambda: _POOL.stop())


def _forked() -> None:
    global _POOL
    _POOL = _Pool()  # the parent's threads are not in the child


os.register_at_fork(after_in_child=_forked)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


async def in_worker(work: Callable[[], T]) -> T:
    """``work()`` in a worker thread, in the calling request's context."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def job() -> None:
        if future.cancelled():
            return
        try:
            result, error = context.run(work), None
        except BaseException as exc:  # handed to the caller, as an executor does
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting
            loop.call_soon_threadsafe(_settle, future, result, error)

    _POOL.put(job)
    return await future
