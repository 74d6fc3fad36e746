"""Runs consentry over the seventh set: a seventh outside set, measured before tuning (issue 16).

    .venv/bin/python -m benchmarks.redaction.seventh.run [--misses N] [--check-scans] [--seeds N]

Built, scored and flagged as ``setrun`` says, as the holdout is (``corpus.build``'s
templates with seed 16, ``--seeds``, ``--check-scans``, ``--misses`` grouped by source file).
"""

from __future__ import annotations

from pathlib import Path

from ..setrun import Records, arguments, run, templated

HERE = Path(__file__).parent


def records(seed: int = 16) -> Records:
    """The scored records, the not-asked ones, and each scored record's source path."""
    return templated(HERE / "values.jsonl", seed)


def _where(path: str) -> str:
    """A source file's short name."""
    return path.split("/")[-1]


def main() -> None:
    """Scan the seventh set and print the per-type table."""
    args = arguments(__doc__).parse_args()
    run("seventh", args, records(), lambda _source, path: _where(path), records)


if __name__ == "__main__":
    main()
