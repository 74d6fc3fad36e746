"""Runs consentry over the sixteenth set, of PII: measured before tuning (issue 16).

    .venv/bin/python -m benchmarks.redaction.sixteenth.run [--misses N] [--check-scans] [--seeds N]

Built, scored and flagged as ``setrun`` says, as the holdout is (``corpus.build``'s
templates with seed 16, ``--seeds``, ``--check-scans``, ``--misses`` grouped by source file).
"""

from __future__ import annotations

from pathlib import Path

from ..setrun import templated_main


def main() -> None:
    """Scan the sixteenth set and print the per-type table."""
    templated_main("sixteenth", __doc__, Path(__file__).parent / "values.jsonl")


if __name__ == "__main__":
    main()
