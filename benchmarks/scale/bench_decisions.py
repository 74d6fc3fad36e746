"""In-process decisions per second on one core: gate, coverage, retention, eligibility.

    .venv/bin/python benchmarks/scale/bench_decisions.py --scale 1

Each decision is the pure domain function the service calls, on varied realistic inputs
(prepared beforehand, so only the decision is timed). Target: ≥ 200,000 per second per
core. Writes benchmarks/scale/results/decisions.json.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from _common import loadavg, write_result
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from consentry.domain.coverage import is_covered
from consentry.domain.eligibility import SessionFacts, check_eligibility
from consentry.domain.notice import PrivacyState, gate
from consentry.domain.policy import DEFAULT_POLICY
from consentry.domain.retention import purge_due, retain_until
from consentry.domain.types import (
    ActivityFact,
    ChoicePoint,
    HoldFact,
    HoldKind,
    Purpose,
    Scope,
    Training,
)

TARGET = 200_000
BASE = datetime(2025, 9, 1, tzinfo=UTC)


def _inputs(rng: random.Random, n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        scope = Scope.CONSUMER if rng.random() < 0.85 else Scope.COMMERCIAL
        training = rng.choice((Training.ON, Training.OFF, Training.UNSET))
        now = BASE + timedelta(seconds=rng.randrange(0, 90 * 86_400))
        start = now - timedelta(days=rng.randrange(0, 60))
        acts = tuple(
            ActivityFact(start + timedelta(minutes=5 * k), rng.random() < 0.5)
            for k in range(rng.randrange(2, 12))
        )
        choices = (ChoicePoint(start - timedelta(days=1), training),)
        holds = (HoldFact(HoldKind.SAFETY, start),) if rng.random() < 0.01 else ()
        out.append(
            {
                "state": PrivacyState(scope, training, "2025-08-28" if i % 3 else None),
                "now": now,
                "scope": scope,
                "incognito": rng.random() < 0.05,
                "training": training,
                "acts": acts,
                "choices": choices,
                "holds": holds,
                "facts": SessionFacts(
                    session_id=f"s{i}",
                    account_id=f"a{i}",
                    scope=scope,
                    incognito=False,
                    activities=acts,
                    choices=choices,
                    holds=holds,
                ),
            }
        )
    return out


def _decisions(policy: Any) -> dict[str, Callable[[dict[str, Any]], object]]:
    return {
        "gate": lambda x: gate(x["state"], policy, x["now"]),
        "coverage": lambda x: is_covered(
            scope=x["scope"], incognito=x["incognito"], training=x["training"]
        ),
        "retention": lambda x: retain_until(
            scope=x["scope"],
            incognito=x["incognito"],
            activities=x["acts"],
            choices=x["choices"],
            policy=policy,
        ),
        "purge_due": lambda x: purge_due(
            retain_until=x["now"], deleted_at=None, holds=x["holds"], policy=policy, at=x["now"]
        ),
        "eligibility": lambda x: check_eligibility(
            x["facts"], purpose=Purpose.MODEL_TRAINING, at=x["now"], policy=policy
        ),
    }


def main(
    scale: Annotated[float, typer.Option(help="Multiplier on 200,000 calls per decision.")] = 1.0,
) -> None:
    console = Console()
    inputs = _inputs(random.Random(6), 5000)
    calls = int(200_000 * scale)
    results: dict[str, Any] = {}
    with Progress(console=console) as bar:
        decisions = _decisions(DEFAULT_POLICY)
        task = bar.add_task("decisions", total=len(decisions))
        for name, fn in decisions.items():
            for x in inputs[:500]:  # warm up
                fn(x)
            n, started, cpu = 0, time.perf_counter(), time.process_time()
            while n < calls:
                for x in inputs:
                    fn(x)
                n += len(inputs)
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu
            results[name] = {
                "calls": n,
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu_seconds, 3),
                "per_second": round(n / seconds),
                "per_cpu_second": round(n / cpu_seconds),
                "us_per_call": round(seconds / n * 1e6, 3),
                "loadavg": loadavg(),
            }
            bar.advance(task)
    total_calls = sum(r["calls"] for r in results.values())
    total_s = sum(r["seconds"] for r in results.values())
    total_cpu = sum(r["cpu_seconds"] for r in results.values())
    mix = {
        "per_second": round(total_calls / total_s),
        "per_cpu_second": round(total_calls / total_cpu),
        "target": TARGET,
    }
    # "Per core" is judged on CPU seconds: the machine is shared, so wall time also
    # counts the time other processes held the core. Both are recorded.
    mix["met"] = mix["per_cpu_second"] >= TARGET
    table = Table("decision", "per second (wall)", "per CPU second", "µs/call (wall)", "met")
    for name, r in results.items():
        r["met"] = r["per_cpu_second"] >= TARGET
        table.add_row(
            name,
            f"{r['per_second']:,}",
            f"{r['per_cpu_second']:,}",
            str(r["us_per_call"]),
            str(r["met"]),
        )
    table.add_row(
        "all (equal mix)",
        f"{mix['per_second']:,}",
        f"{mix['per_cpu_second']:,}",
        "",
        str(mix["met"]),
    )
    console.print(table)
    path = write_result("decisions", {"decisions": results, "mix": mix, "cores": 1})
    console.print(f"wrote {path}")


if __name__ == "__main__":
    typer.run(main)
