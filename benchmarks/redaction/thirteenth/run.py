"""Runs consentry over the thirteenth set, of secrets: measured before tuning (issue 16).

    .venv/bin/python -m benchmarks.redaction.thirteenth.run [--misses N] [--check-scans] [--seeds N]

Built, scored and flagged as ``setrun`` says, as the holdout is (``corpus.build``'s
templates with seed 16, ``--seeds``, ``--check-scans``, ``--misses`` grouped by source file).

Before any tuning (main at f543ef3, both scans alike): 124 records, 97 values, 27
negatives; recall 0.309 (0 partial): KEYWORD_SECRET 0.235 of 81, PRIVATE_KEY 0 of 2,
JWT, TOKEN_CONTEXT and TOKEN_PREFIXED 0.750 of 4, CARD 1.000 of 2; false positives 2
of 27 (0.074); not asked: 0 of 4 high-entropy strings, 0 of 10 bare passwords.
"""

from __future__ import annotations

from pathlib import Path

from ..setrun import templated_main


def main() -> None:
    """Scan the thirteenth set and print the per-type table."""
    templated_main("thirteenth", __doc__, Path(__file__).parent / "values.jsonl")


if __name__ == "__main__":
    main()
