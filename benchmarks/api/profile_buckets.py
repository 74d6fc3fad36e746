"""Where a server's CPU goes, from py-spy's collapsed stacks, side by side (issue 22).

    .venv/bin/python benchmarks/api/floor.py --endpoint append --db sqlite --workers 1 \
        --rounds 1 --profile /tmp/prof_{target}.txt --profile-gil
    .venv/bin/python benchmarks/api/profile_buckets.py /tmp/prof_floor.txt /tmp/prof_consentry.txt

Record with ``--profile-gil``: py-spy then samples the thread holding the GIL, so the
samples are the Python side of the CPU time (a driver's C code that releases the GIL is
not sampled). Without it, a thread blocked in a system call such as SQLite's fsync counts
as running, which makes an fsync-bound floor look busy. Two tables, in per cent of each
file's samples, and in ms per request where ``--cpu-ms`` gives each server's measured CPU
per request (floor.py's ``server_cpu_ms_per_request``), shared out in the same proportions:

* **self time by package**: the package of the innermost frame (the code that was running:
  ``sqlite3``, ``sqlalchemy``, ``uvicorn``, ``asyncio``, ``consentry``, ...);
* **inclusive time by stage**: samples whose stack passes through a stage's function
  (:data:`STAGES`); stages nest, so these do not add up.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]*?)(?::\d+)?\)$")
_DBAPI = re.compile(r"\.do_(?:execute\w*|commit|rollback|begin\w*|ping) \(")
"""SQLAlchemy's dialect methods that call the DBAPI: py-spy sees no frame below them (the
driver's C code), so their self time is the driver's."""

STAGES: tuple[tuple[str, str], ...] = (
    ("worker threads (all their work)", r"Thread\._bootstrap"),
    ("event-loop thread (all its work)", r"^(?!.*Thread\._bootstrap)"),
    ("HTTP parsing and writing (uvicorn)", r"uvicorn/protocols/"),
    (
        "ASGI layers above the route",
        r"starlette/middleware/|fastapi/middleware/|fastapi/applications|starlette/applications",
    ),
    ("RequestMiddleware (ours)", r"RequestMiddleware\.__call__"),
    ("the route's handler", r"AppendRoute\.handle|BearerRoute\.handle|floor_apps\.py"),
    ("thread hand-off, loop side", r"in_worker \(|run_in_executor|to_thread|run_sync"),
    ("SQLAlchemy", r"sqlalchemy/"),
    ("DBAPI calls (sqlite3, psycopg)", r"sqlite3/|psycopg/|" + _DBAPI.pattern),
    ("pydantic", r"pydantic"),
    ("JSON", r"json/"),
    ("logging and metrics", r"logging/|prometheus_client/|_record \(consentry"),
)


def package(file: str) -> str:
    """`sqlalchemy/engine/base.py` -> `sqlalchemy`; a file with no folder is `<name>`."""
    head = file.split("/", 1)[0]
    return head if "/" in file else f"<{file}>" if file else "<native>"


def read(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        if frames and count.isdigit():
            stacks.append((frames.split(";"), int(count)))
    return stacks


def self_packages(stacks: list[tuple[list[str], int]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for frames, count in stacks:
        match = _FRAME.match(frames[-1])
        if _DBAPI.search(frames[-1] + " "):
            out["<DBAPI call>"] += count
        else:
            out[package(match.group("file")) if match else "<native>"] += count
    return out


def stages(stacks: list[tuple[list[str], int]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for frames, count in stacks:
        joined = ";".join(frames)
        for name, pattern in STAGES:
            if re.search(pattern, joined):
                out[name] += count
    return out


def _cell(count: int, total: int, cpu_ms: float | None) -> str:
    if not total:
        return "–"
    share = f"{100 * count / total:.1f} %"
    return f"{share} ({cpu_ms * count / total:.3f})" if cpu_ms else share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="py-spy --format raw outputs")
    parser.add_argument(
        "--cpu-ms", type=float, nargs="*", help="server CPU ms per request, one per file"
    )
    parser.add_argument("--top", type=int, default=14, help="packages shown")
    args = parser.parse_args()
    data = [read(path) for path in args.files]
    requests = args.cpu_ms or [None] * len(data)
    totals = [sum(c for _, c in stacks) for stacks in data]
    names = [path.stem for path in args.files]
    note = " (ms per request)" if args.cpu_ms else ""
    print(f"samples: {', '.join(f'{n} {t}' for n, t in zip(names, totals, strict=True))}\n")
    print(f"| self time by package{note} | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    selfs = [self_packages(stacks) for stacks in data]
    ranked = sum(selfs, Counter()).most_common(args.top)
    for name, _ in ranked:
        cells = [_cell(s[name], t, r) for s, t, r in zip(selfs, totals, requests, strict=True)]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(f"\n| inclusive time by stage{note} | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    staged = [stages(stacks) for stacks in data]
    for name, _ in STAGES:
        cells = [_cell(s[name], t, r) for s, t, r in zip(staged, totals, requests, strict=True)]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
