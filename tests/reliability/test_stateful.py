"""Random histories over the service layer, checked step by step against the spec model.

Default (CI): a bounded number of histories per database. `--run-slow`, or
CONSENTRY_RELIABILITY_SCALE=<factor>, explores more.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from .conftest import AppFactory, budget
from .machine import ServiceMachine


def test_random_histories_keep_every_invariant(
    app_factory: AppFactory, request: pytest.FixtureRequest
) -> None:
    """R1–R28 under random sign-ups, choices, deferrals, clock jumps, sessions, deletions,
    holds, sweeps and runs: runs hold exactly what was eligible at their cutoff and never
    change, nothing held is purged, nothing purged is readable, the ledger verifies, every
    audit passes and every export matches the model."""

    class Machine(ServiceMachine):
        factory = staticmethod(app_factory)  # type: ignore[assignment]
        steps = 0
        histories = 0

    sqlite = request.node.callspec.id == "sqlite"
    examples = budget(80 if sqlite else 40, 1000 if sqlite else 500, request)
    started = time.perf_counter()
    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    took = time.perf_counter() - started
    print(
        f"\nstateful {request.node.callspec.id}: {Machine.histories} histories, "
        f"{Machine.steps} steps in {took:.1f} s"
    )
