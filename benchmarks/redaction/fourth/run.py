"""Runs consentry over the fourth set: a fourth outside set, measured before tuning (issue 16).

    .venv/bin/python -m benchmarks.redaction.fourth.run [--misses N] [--check-scans] [--seeds N]

Built, scored and flagged as ``setrun`` says, as the holdout is (``corpus.build``'s
templates with seed 16, ``--seeds``, ``--check-scans``, ``--misses`` grouped by source file).
"""

from __future__ import annotations

from pathlib import Path

from ..setrun import templated_main


def _where(path: str) -> str:
    """A source file's short name (semgrep: folder and rule file)."""
    parts = path.split("/")
    return "/".join(parts[-2:]) if path.startswith("generic/") else parts[-1]


def main() -> None:
    """Scan the fourth set and print the per-type table."""
    templated_main("fourth", __doc__, Path(__file__).parent / "values.jsonl", _where)


if __name__ == "__main__":
    main()
