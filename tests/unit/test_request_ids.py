"""Request ids (issue 22): generated without uuid4, still 32 hex digits, distinct, and a
forked worker does not repeat its parent's sequence."""

from __future__ import annotations

import os
import re

from consentry.entrypoints.api.middleware import new_request_id


def test_generated_ids_are_32_hex_digits_and_distinct() -> None:
    ids = {new_request_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_a_forked_worker_draws_ids_of_its_own() -> None:
    new_request_id()  # the parent's generator exists before the fork
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, to the parent
        os.write(write, new_request_id().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    assert re.fullmatch(r"[0-9a-f]{32}", child)
    assert child != new_request_id()  # the parent's next id is not the child's
